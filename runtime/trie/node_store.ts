/**
 * Where encoded trie nodes live, by blake2-256 hash.
 *
 * @module
 */
import { toHexRaw } from "../primitives/hex.ts";
import { hashHex } from "./_hash_hex.ts";

/**
 * Where encoded trie nodes (and stored values of 33 bytes or more) live, by
 * blake2-256 hash. Reads are synchronous: the node's store reads LevelDB
 * with `getSync` behind the trie's byte-bounded cache.
 */
export interface TrieNodeStore {
  /** The encoded node whose blake2-256 is `hash`, or `undefined`. The bytes must not change. */
  get(hash: Uint8Array): Uint8Array | undefined;
}

/**
 * A `TrieNodeStore` in a `Map`.
 *
 * @example
 * ```ts
 * import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie } from "./mod.ts";
 * const store = new MemoryNodeStore();
 * const trie = new Trie(store);
 * const { root, nodes } = trie.commit(EMPTY_TRIE_ROOT, [[new Uint8Array([1]), new Uint8Array([2])]]);
 * store.insert(nodes);
 * if (trie.get(root, new Uint8Array([1]))?.[0] !== 2) throw new Error("get");
 * ```
 */
export class MemoryNodeStore implements TrieNodeStore {
  readonly #nodes = new Map<string, Uint8Array>();

  get(hash: Uint8Array): Uint8Array | undefined {
    return this.#nodes.get(hash.length === 32 ? hashHex(hash, 0) : toHexRaw(hash));
  }

  /** Adds nodes keyed by the raw hex of their hash, as `Trie.commit` returns them. */
  insert(nodes: Map<string, Uint8Array>): void {
    for (const [hash, bytes] of nodes) this.#nodes.set(hash, bytes);
  }

  /** How many nodes are stored. */
  get size(): number {
    return this.#nodes.size;
  }
}
