/**
 * A chain spec's genesis state: from per-pallet configs through
 * `Executive.genesis`, or from the raw storage pairs of a `--raw` spec, with
 * the same header (and so the same genesis hash) either way.
 *
 * @module
 */
import type { Executive, SealedState } from "../runtime/executive/executive.ts";
import { createExecutive } from "../runtime/mod.ts";
import { fromHex, toHex } from "../runtime/primitives/hex.ts";
import { MemoryNodeStore } from "../runtime/trie/mod.ts";
import type { ChainSpec } from "./spec.ts";

/** Raw genesis storage: `0x` hex key to `0x` hex value, in key order. */
export type RawTop = Record<string, string>;

/**
 * The storage pairs of the genesis that per-pallet `configs` build, in key
 * order (what `build-spec --raw` writes).
 *
 * @throws {TypeError} naming the config field that is wrong
 */
export function rawGenesis(configs: Record<string, unknown>): RawTop {
  const store = new MemoryNodeStore();
  const executive = createExecutive(store);
  const sealed = executive.genesis(configs);
  store.insert(sealed.nodes);
  const top: RawTop = {};
  for (const [key, value] of executive.stateAt(sealed.header.stateRoot).entries(new Uint8Array())) {
    top[toHex(key)] = toHex(value);
  }
  return top;
}

/**
 * Genesis from raw storage pairs on `executive`: the counterpart of
 * `Executive.genesis` for a raw spec (same header, no events).
 *
 * @throws {TypeError} when a key or value is not hex
 */
export function genesisFromRaw(executive: Executive, top: RawTop): SealedState {
  return executive.genesisFromPairs(
    Object.entries(top).map(([key, value]) => [fromHex(key), fromHex(value)]),
  );
}

/**
 * The genesis of `spec` on `executive` (a fresh in-memory one unless given);
 * the caller persists `nodes`.
 *
 * @throws {TypeError} naming the genesis field that is wrong
 */
export function specGenesis(
  spec: ChainSpec,
  executive: Executive = createExecutive(),
): SealedState {
  const { genesis } = spec;
  return "raw" in genesis
    ? genesisFromRaw(executive, genesis.raw.top)
    : executive.genesis(genesis.runtime);
}
