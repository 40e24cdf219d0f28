/**
 * Checks that a whole trie is in a store, node by node, as it was written.
 *
 * @module
 */
import { equalBytes } from "../primitives/bytes.ts";
import { blake2_256 } from "../primitives/hashing.ts";
import { toHexRaw } from "../primitives/hex.ts";
import { decodeNode, HASH_LENGTH, KIND_BRANCH } from "./_node.ts";
import { EMPTY_TRIE_ROOT } from "./empty_root.ts";
import type { TrieNodeStore } from "./node_store.ts";

/**
 * Walks the trie at `root` through `store` (not through any cache) and checks
 * that every node and stored value is there and hashes to the reference that
 * leads to it. Nodes whose raw hex hash is in `seen` are not walked again (a
 * subtrie shared with a trie checked before); each node walked is added to it.
 * Returns `seen`.
 *
 * @throws {RangeError} naming the first node that is missing, altered or undecodable
 *
 * @example
 * ```ts
 * import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie, verifyStoredTrie } from "./mod.ts";
 * const store = new MemoryNodeStore();
 * const { root, nodes } = new Trie(store).commit(EMPTY_TRIE_ROOT, [[new Uint8Array([1]), new Uint8Array(40)]]);
 * store.insert(nodes);
 * if (verifyStoredTrie(store, root).size !== 2) throw new Error("a leaf and its stored value");
 * ```
 */
export function verifyStoredTrie(
  store: TrieNodeStore,
  root: Uint8Array,
  seen: Set<string> = new Set(),
): Set<string> {
  if (equalBytes(root, EMPTY_TRIE_ROOT)) return seen;
  const pending: Uint8Array[] = [root];
  const stored = (hash: Uint8Array): Uint8Array | undefined => {
    const hex = toHexRaw(hash);
    if (seen.has(hex)) return undefined;
    const bytes = store.get(hash);
    if (bytes === undefined) throw new RangeError(`State node 0x${hex} is missing`);
    if (!equalBytes(blake2_256(bytes), hash)) {
      throw new RangeError(`State node 0x${hex} is altered`);
    }
    seen.add(hex);
    return bytes;
  };
  const visit = (enc: Uint8Array) => {
    let node;
    try {
      node = decodeNode(enc);
    } catch (e) {
      throw new RangeError(`A state node cannot be decoded: ${(e as Error).message}`);
    }
    if (node.vOff >= 0 && node.vHashed) stored(enc.subarray(node.vOff, node.vOff + HASH_LENGTH));
    if (node.kind !== KIND_BRANCH) return;
    for (const ref of node.kids!) {
      if (ref < 0) continue;
      const child = enc.subarray(ref >> 6, (ref >> 6) + (ref & 63));
      if (child.length === HASH_LENGTH) pending.push(child);
      else visit(child);
    }
  };
  while (pending.length > 0) {
    const bytes = stored(pending.pop()!);
    if (bytes !== undefined) visit(bytes);
  }
  return seen;
}
