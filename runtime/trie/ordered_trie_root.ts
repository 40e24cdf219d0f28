/**
 * Substrate's ordered trie root, as used for the extrinsics root.
 *
 * @module
 */
import { EMPTY_TRIE_ROOT } from "./empty_root.ts";
import type { TrieNodeStore } from "./node_store.ts";
import { Trie } from "./trie.ts";

const NO_NODES: TrieNodeStore = { get: () => undefined };
/** One trie for every call: a trie's arena is 256 KiB, too much to allocate per block. */
const ORDERED = new Trie(NO_NODES, { cacheBytes: 0 });

/** SCALE `Compact<u32>` of `n`. */
function compactIndex(n: number): Uint8Array {
  if (n < 1 << 6) return new Uint8Array([n << 2]);
  if (n < 1 << 14) return new Uint8Array([(n << 2) | 1, n >> 6]);
  if (n < 1 << 30) {
    const v = ((n << 2) | 2) >>> 0;
    return new Uint8Array([v, v >>> 8, v >>> 16, v >>> 24]);
  }
  return new Uint8Array([3, n, n >>> 8, n >>> 16, n >>> 24]);
}

/**
 * Substrate's `LayoutV1::ordered_trie_root`: the root of the trie mapping
 * SCALE `Compact<u32>(index)` to each item. Used for the extrinsics root
 * (`frame_system` with state version 1).
 *
 * @example
 * ```ts
 * import { EMPTY_TRIE_ROOT, orderedTrieRoot } from "./mod.ts";
 * if (orderedTrieRoot([]).some((b, i) => b !== EMPTY_TRIE_ROOT[i])) throw new Error("empty");
 * ```
 */
export function orderedTrieRoot(items: Uint8Array[]): Uint8Array {
  if (items.length === 0) return EMPTY_TRIE_ROOT.slice();
  return ORDERED.commit(EMPTY_TRIE_ROOT, items.map((item, i) => [compactIndex(i), item] as const))
    .root;
}
