/**
 * SCALE runtime metadata, V14 and V15, as Substrate's clients read it
 * (polkadot.js, polkadot-api, subxt): a portable type registry with
 * Substrate's type paths, built from the pallet declarations, and the
 * pallets, extrinsic, outer enums and runtime APIs that refer to it.
 *
 * Names follow Substrate (snake_case calls, call arguments and fields;
 * PascalCase storage items, events, errors and constants); the TypeScript
 * code keeps its own. The encoded bytes are cached per runtime, spec
 * version and the values of the constants the chain spec fixed at genesis.
 *
 * @example
 * ```ts
 * import { metadataBytes } from "./mod.ts";
 * import { runtime } from "../mod.ts";
 * import { TestExt } from "../testing/mod.ts";
 * const bytes = metadataBytes(runtime, 14, new TestExt().state);
 * // "meta" ++ version 14
 * if (bytes.subarray(0, 5).join() !== "109,101,116,97,14") throw new Error("prefix");
 * ```
 *
 * @module
 */
import { encode } from "../codec/types.ts";
import type { Runtime } from "../executive/runtime.ts";
import { toHex } from "../primitives/hex.ts";
import type { StateReader } from "../storage/overlay.ts";
import { buildMetadata, type RuntimeApiInput } from "./_build.ts";
import { encodeMetadata, type MetadataVersion } from "./_encode.ts";

export type { RuntimeApiInput, RuntimeApiParam } from "./_build.ts";
export type { MetadataVersion } from "./_encode.ts";
export { TypeRegistry } from "./registry.ts";
export { buildMetadataHash, metadataHash } from "./hash.ts";

/** The metadata versions a runtime serves (`Metadata_metadata_versions`). */
export const METADATA_VERSIONS: readonly MetadataVersion[] = [14, 15];

interface Cached {
  specVersion: number;
  apis: readonly RuntimeApiInput[];
  genesisConstants: string;
  bytes: Uint8Array;
}

const cache = new WeakMap<Runtime, Map<MetadataVersion, Cached>>();

/**
 * The `RuntimeMetadataPrefixed` SCALE bytes of `runtime` as metadata
 * `version` (without the `OpaqueMetadata` length prefix that the
 * `Metadata_*` runtime APIs add), listing the runtime APIs `apis` in V15
 * and in `System.Version`, and the constants the chain spec fixed at
 * genesis (`Balances.ExistentialDeposit`) as `state` holds them.
 *
 * PERF: building takes milliseconds; the bytes are kept per runtime, spec
 * version, `apis` list and genesis constants, so serving them again costs
 * a storage read or two. Callers must not mutate them.
 *
 * @throws {RangeError} for a version other than those of {@link METADATA_VERSIONS}
 */
export function metadataBytes(
  runtime: Runtime,
  version: MetadataVersion,
  state: StateReader,
  apis: readonly RuntimeApiInput[] = NO_APIS,
): Uint8Array {
  if (!METADATA_VERSIONS.includes(version)) {
    throw new RangeError(`Unsupported metadata version: ${version}`);
  }
  let byVersion = cache.get(runtime);
  if (!byVersion) cache.set(runtime, byVersion = new Map());
  const genesisConstants = genesisConstantsKey(runtime, state);
  const hit = byVersion.get(version);
  if (
    hit && hit.specVersion === runtime.version.specVersion && hit.apis === apis &&
    hit.genesisConstants === genesisConstants
  ) {
    return hit.bytes;
  }
  const bytes = encodeMetadata(buildMetadata(runtime, apis, state), version);
  byVersion.set(version, {
    specVersion: runtime.version.specVersion,
    apis,
    genesisConstants,
    bytes,
  });
  return bytes;
}

/** The encoded values of the constants read from `state`, one string to compare. */
function genesisConstantsKey(runtime: Runtime, state: StateReader): string {
  const parts: string[] = [];
  for (const { pallet } of runtime.pallets) {
    for (const c of Object.values(pallet.constants ?? {})) {
      if (c.read) parts.push(toHex(encode(c.type, c.read(state))));
    }
  }
  return parts.join();
}

const NO_APIS: readonly RuntimeApiInput[] = [];
