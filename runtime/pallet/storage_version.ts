/**
 * A pallet's storage version: which layout of its storage the state holds.
 *
 * As FRAME's `StorageVersion`: a `u16`, kept in the state at
 * `twox128(pallet) ++ twox128(":__STORAGE_VERSION__:")` in little-endian
 * order, read as 0 where absent (a pallet that never declared one). A pallet
 * declares the version its code reads (`storageVersion`, default 0); genesis
 * writes it for every pallet, and a runtime upgrade's migrations move the
 * state's version up to it one step at a time (see `migration.ts`).
 *
 * @example
 * ```ts
 * import { Overlay, EMPTY_STATE } from "../storage/overlay.ts";
 * import { onChainStorageVersion, putStorageVersion } from "./storage_version.ts";
 * const state = new Overlay(EMPTY_STATE);
 * if (onChainStorageVersion(state, "Access") !== 0) throw new Error("absent reads as 0");
 * putStorageVersion(state, "Access", 1);
 * if (onChainStorageVersion(state, "Access") !== 1) throw new Error("version");
 * ```
 *
 * @module
 */
import { itemPrefix } from "../storage/items.ts";
import type { Overlay, StateReader } from "../storage/overlay.ts";

/** FRAME's `STORAGE_VERSION_STORAGE_KEY_POSTFIX`: the "item" a pallet's version is stored under. */
export const STORAGE_VERSION_POSTFIX = ":__STORAGE_VERSION__:";

/** The highest storage version (a `u16`). */
export const MAX_STORAGE_VERSION = 0xffff;

/** The state key of `pallet`'s storage version: `twox128(pallet) ++ twox128(":__STORAGE_VERSION__:")`. */
export function storageVersionKey(pallet: string): Uint8Array {
  return itemPrefix(pallet, STORAGE_VERSION_POSTFIX);
}

/**
 * The storage version the state holds for `pallet`; 0 when none is stored.
 *
 * @throws {RangeError} when the stored value is not a `u16`
 */
export function onChainStorageVersion(state: StateReader, pallet: string): number {
  const raw = state.get(storageVersionKey(pallet));
  if (raw === undefined) return 0;
  if (raw.length !== 2) {
    throw new RangeError(
      `Cannot read the storage version of ${pallet}: ${raw.length} bytes, a u16 has 2`,
    );
  }
  return raw[0] | (raw[1] << 8);
}

/**
 * Writes `version` as `pallet`'s storage version.
 *
 * @throws {RangeError} when `version` is not a `u16`
 */
export function putStorageVersion(state: Overlay, pallet: string, version: number): void {
  checkStorageVersion(version, pallet);
  state.set(storageVersionKey(pallet), new Uint8Array([version & 0xff, version >> 8]));
}

/**
 * Fails unless `version` is a storage version (an integer from 0 to 65535).
 *
 * @throws {RangeError} naming the pallet
 */
export function checkStorageVersion(version: number, pallet: string): void {
  if (!Number.isInteger(version) || version < 0 || version > MAX_STORAGE_VERSION) {
    throw new RangeError(`Invalid storage version of ${pallet}: ${version} is not a u16`);
  }
}
