/**
 * The runtime's metadata hash (RFC 78), which `CheckMetadataHash` adds to
 * the payload of a transaction signed with mode `Enabled`.
 *
 * It is the digest of the metadata served as V15: the types an extrinsic
 * can hold, merkleized (`_merkleize.ts`), the extrinsic's shape, and the
 * runtime's `ExtraInfo`: spec name and version from its version, SS58
 * prefix, token symbol and decimals from its chain properties, the ones
 * every chain spec of this runtime states (`system_properties`). A
 * Substrate runtime bakes it in at build time; this one computes it on
 * first use and keeps it per runtime and spec version.
 *
 * @example
 * ```ts
 * import { metadataHash } from "./hash.ts";
 * import { runtime } from "../mod.ts";
 * const hash = metadataHash(runtime);
 * if (hash.length !== 32 || metadataHash(runtime) !== hash) throw new Error("cached");
 * ```
 *
 * @module
 */
import type { Runtime } from "../executive/runtime.ts";
import { EMPTY_STATE } from "../storage/overlay.ts";
import { buildMetadata } from "./_build.ts";
import { metadataDigest } from "./_merkleize.ts";

const cache = new WeakMap<Runtime, { specVersion: number; hash: Uint8Array }>();

/**
 * The RFC 78 metadata hash of `runtime`: blake3-256 of its
 * `MetadataDigest::V1`, as `merkleizeMetadata(metadata, { decimals,
 * tokenSymbol }).digest()` of `@polkadot-api/merkleize-metadata` computes
 * it from the served V15 bytes. Callers must not mutate it.
 *
 * PERF: the first call per runtime and spec version computes it
 * ({@link buildMetadataHash}, milliseconds: `bench rpc.metadata.hash`);
 * later calls cost a lookup.
 */
export function metadataHash(runtime: Runtime): Uint8Array {
  const { specVersion } = runtime.version;
  const hit = cache.get(runtime);
  if (hit?.specVersion === specVersion) return hit.hash;
  const hash = buildMetadataHash(runtime);
  cache.set(runtime, { specVersion, hash });
  return hash;
}

/**
 * {@link metadataHash} computed afresh: builds the metadata and hashes
 * every type an extrinsic can hold.
 */
export function buildMetadataHash(runtime: Runtime): Uint8Array {
  // The digest keeps only the types reachable from the extrinsic, ordered by
  // id among themselves: the runtime APIs' types (registered after them) and
  // the values of constants read from a chain's state do not change it.
  const model = buildMetadata(runtime, [], EMPTY_STATE);
  const { ss58Format, tokenSymbol, tokenDecimals } = runtime.properties;
  return metadataDigest(model, {
    specVersion: runtime.version.specVersion,
    specName: runtime.version.specName,
    base58Prefix: ss58Format,
    decimals: tokenDecimals,
    tokenSymbol,
  });
}
