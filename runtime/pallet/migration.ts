/**
 * Storage migrations: how a pallet's state moves from one storage version
 * to the next when a runtime upgrade changes its layout.
 *
 * As FRAME's `VersionedMigration<FROM, TO, …>`: a pallet declares, beside
 * its `storageVersion`, one {@link Migration} per step (`from` → `from + 1`)
 * with the weight it used. When a runtime upgrade runs them (the first block
 * of a higher `specVersion`, see `runtime/executive/runtime_upgrade.ts`), a
 * pallet whose state is behind runs each due step in version order, and
 * the state's version is written after each: a step runs once, and only on
 * the layout it was written for. Steps that every chain has run may be
 * dropped from the list, as FRAME runtimes drop old migrations; the list
 * that is left must still end at the declared version, without a gap
 * ({@link checkMigrations}, when the runtime is composed).
 *
 * A migration that throws fails the block it runs in (FRAME's panicking
 * migration): the state stays on the old layout and no block can be built
 * or imported until a runtime with a working migration is released. The
 * `preUpgrade` and `postUpgrade` hooks are try-runtime's checks, run in
 * tests (`Executive.tryRuntimeUpgrade`), never in a block.
 *
 * @example
 * ```ts
 * import { migration } from "./migration.ts";
 * const renameValue = migration({
 *   from: 0,
 *   docs: "v1: `Old` is called `New`.",
 *   migrate: (_ctx) => 10_000_000,
 * });
 * if (renameValue.from !== 0) throw new Error("from");
 * ```
 *
 * @module
 */
import type { StateReader } from "../storage/overlay.ts";
import type { DispatchContext, Pallet, Weight } from "./pallet.ts";
import {
  checkStorageVersion,
  onChainStorageVersion,
  putStorageVersion,
} from "./storage_version.ts";

/** One step of a pallet's storage layout: from storage version `from` to `from + 1`. */
export interface Migration {
  /** The storage version it migrates from; the pallet is at `from + 1` after it. */
  from: number;
  /** What changes in the layout, and why. */
  docs: string;
  /**
   * Rewrites the state from the old layout to the new one and returns the
   * weight it used (FRAME's `on_runtime_upgrade`), which the block counts.
   * It must not write the storage version: the runtime does, after it.
   */
  migrate(ctx: DispatchContext): Weight;
  /** Try-runtime: reads the state before the migration and returns what `postUpgrade` checks against. */
  preUpgrade?(state: StateReader): Uint8Array;
  /** Try-runtime: checks the migrated state, given what `preUpgrade` returned; throws if it is wrong. */
  postUpgrade?(state: StateReader, pre: Uint8Array): void;
}

/** Declares a migration; the identity, for type checking and one place to read. */
export function migration(spec: Migration): Migration {
  return spec;
}

/** A pallet's storage could not be migrated: which pallet, and from which version. */
export class MigrationError extends Error {
  /** `"MigrationError"`. */
  override name = "MigrationError";
  /**
   * An error about migrating `pallet` from storage version `from`.
   *
   * @param pallet the pallet whose storage could not be migrated
   * @param from the storage version it was at
   */
  constructor(
    readonly pallet: string,
    readonly from: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What of a pallet its migrations concern. */
export type VersionedPallet = Pick<Pallet, "name" | "storageVersion" | "migrations">;

/**
 * Fails unless `pallet`'s storage version is a `u16` and its migrations
 * are a chain without a gap that ends at it: one step from each version,
 * from the lowest declared up to `storageVersion - 1`.
 *
 * @throws {TypeError} naming the pallet and the missing or stray step
 */
export function checkMigrations(pallet: VersionedPallet): void {
  const version = pallet.storageVersion ?? 0;
  try {
    checkStorageVersion(version, pallet.name);
  } catch (e) {
    throw new TypeError(`Cannot compose runtime: ${(e as Error).message}`);
  }
  const froms = (pallet.migrations ?? []).map((m) => m.from).sort((a, b) => a - b);
  if (!froms.length) return;
  const fail = (why: string) => {
    throw new TypeError(`Cannot compose runtime: ${pallet.name}'s migrations ${why}`);
  };
  for (let i = 0; i < froms.length; i++) {
    const from = froms[i];
    if (!Number.isInteger(from) || from < 0) fail(`include one from ${from}`);
    if (from >= version) {
      fail(`include one from v${from}, but the pallet is at storage version ${version}`);
    }
    if (i > 0 && from === froms[i - 1]) fail(`include two from v${from}`);
    if (i > 0 && from !== froms[i - 1] + 1) {
      fail(`have a gap: none from v${froms[i - 1] + 1} to v${froms[i - 1] + 2}`);
    }
  }
  const last = froms[froms.length - 1];
  if (last !== version - 1) fail(`stop at v${last + 1}, short of storage version ${version}`);
}

/**
 * The migrations that take `pallet` from the state's storage version
 * `onChain` to the one it declares, in version order (none when it is
 * there already).
 *
 * @throws {MigrationError} when the state is ahead of the pallet (a runtime
 * older than the chain), or behind the first migration it declares
 */
export function migrationsDue(pallet: VersionedPallet, onChain: number): Migration[] {
  const version = pallet.storageVersion ?? 0;
  if (onChain > version) {
    throw new MigrationError(
      pallet.name,
      onChain,
      `Cannot migrate ${pallet.name}: the state is at storage version ${onChain}, ahead of the ` +
        `runtime's ${version} (a runtime older than the chain's state)`,
    );
  }
  const due: Migration[] = [];
  for (let from = onChain; from < version; from++) {
    const step = pallet.migrations?.find((m) => m.from === from);
    if (!step) {
      const oldest = Math.min(...(pallet.migrations ?? []).map((m) => m.from));
      throw new MigrationError(
        pallet.name,
        from,
        `Cannot migrate ${pallet.name}: no migration from storage version ${from} (the ` +
          `runtime is at ${version}` +
          (Number.isFinite(oldest) ? ` and migrates from v${oldest} at the earliest)` : ")"),
      );
    }
    due.push(step);
  }
  return due;
}

/**
 * Runs `pallet`'s due migrations on `ctx.state`, writing the storage
 * version after each, and returns the weight they used. With `checks`, each
 * runs between its `preUpgrade` and `postUpgrade` (try-runtime).
 *
 * @throws {MigrationError} when one is not possible or fails (the caller drops the state)
 */
export function migratePallet(
  ctx: DispatchContext,
  pallet: VersionedPallet,
  options: { checks?: boolean } = {},
): Weight {
  let weight = 0;
  for (const step of migrationsDue(pallet, onChainStorageVersion(ctx.state, pallet.name))) {
    const at = `${pallet.name} from storage version ${step.from}`;
    try {
      const pre = options.checks ? step.preUpgrade?.(ctx.state) : undefined;
      weight += step.migrate(ctx);
      putStorageVersion(ctx.state, pallet.name, step.from + 1);
      if (options.checks) step.postUpgrade?.(ctx.state, pre ?? new Uint8Array());
    } catch (e) {
      throw new MigrationError(pallet.name, step.from, `Cannot migrate ${at}: ${e}`, { cause: e });
    }
  }
  return weight;
}
