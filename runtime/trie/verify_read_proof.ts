/**
 * Checks a read proof against a state root alone.
 *
 * @module
 */
import { equalBytes } from "../primitives/bytes.ts";
import { toHexRaw } from "../primitives/hex.ts";
import { blake2bInto } from "../primitives/blake2b.ts";
import { NodeCache } from "./_cache.ts";
import { commonNibbles, nibbleAt } from "./_nibbles.ts";
import { decodeNode, HASH_LENGTH, KIND_BRANCH, type TrieNode, valueNode } from "./_node.ts";
import { EMPTY_TRIE_ROOT } from "./empty_root.ts";

function invalid(detail: string): never {
  throw new TypeError(`Invalid read proof: ${detail}`);
}

/**
 * Verifies a read proof (as `Trie.prove` makes, or a Substrate `StorageProof`'s
 * node set) against `root` alone. Returns, by raw hex key, each key's value or
 * `undefined` when the proof shows it absent. Extra nodes are ignored.
 *
 * @throws {TypeError} "Invalid read proof: ..." when a node needed for a key is
 * missing or altered (no node hashes to the reference), or cannot be decoded
 *
 * @example
 * ```ts
 * import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie, verifyReadProof } from "./mod.ts";
 * const store = new MemoryNodeStore();
 * const trie = new Trie(store);
 * const key = new Uint8Array([1, 2]);
 * const { root, nodes } = trie.commit(EMPTY_TRIE_ROOT, [[key, new Uint8Array([7])]]);
 * store.insert(nodes);
 * const values = verifyReadProof(root, trie.prove(root, [key]), [key]);
 * if (values.get("0102")?.[0] !== 7) throw new Error("verify");
 * ```
 */
export function verifyReadProof(
  root: Uint8Array,
  proof: Uint8Array[],
  keys: Uint8Array[],
): Map<string, Uint8Array | undefined> {
  if (root.length !== HASH_LENGTH) invalid(`root must be 32 bytes, got ${root.length}`);
  const result = new Map<string, Uint8Array | undefined>();
  if (equalBytes(root, EMPTY_TRIE_ROOT)) {
    for (const key of keys) result.set(toHexRaw(key), undefined);
    return result;
  }
  // Proof items by hash, all of them (an unbounded cache); decoded only when a walk reaches
  // them (value nodes are not nodes).
  const byHash = new NodeCache(Infinity);
  const hashes = new Uint8Array(HASH_LENGTH * proof.length);
  for (let i = 0; i < proof.length; i++) {
    blake2bInto(proof[i], 0, proof[i].length, hashes, HASH_LENGTH * i, HASH_LENGTH);
    byHash.set(valueNode(proof[i]), hashes, HASH_LENGTH * i);
  }
  const decoded = new Map<Uint8Array, TrieNode>();
  const load = (buf: Uint8Array, off: number, len: number, key: Uint8Array): TrieNode => {
    let enc: Uint8Array;
    if (len === HASH_LENGTH) {
      const item = byHash.get(buf, off);
      if (item === undefined) {
        invalid(
          `no node for hash 0x${toHexRaw(buf.subarray(off, off + len))} ` +
            `(missing or altered) on the path of key 0x${toHexRaw(key)}`,
        );
      }
      enc = item.enc;
    } else {
      enc = buf.subarray(off, off + len);
    }
    let node = decoded.get(enc);
    if (node === undefined) {
      try {
        node = decodeNode(enc);
      } catch (e) {
        invalid((e as Error).message);
      }
      decoded.set(enc, node);
    }
    return node;
  };
  for (const key of keys) {
    let node = load(root, 0, HASH_LENGTH, key);
    let value: Uint8Array | undefined;
    const kn = key.length * 2;
    let k = 0;
    for (;;) {
      const p = node.pLen;
      if (kn - k < p || commonNibbles(key, k, node.enc, node.pOff, p) < p) break;
      k += p;
      if (k === kn) {
        if (node.vOff >= 0) {
          if (node.vHashed) {
            const item = byHash.get(node.enc, node.vOff);
            if (item === undefined) {
              invalid(
                `no value for hash 0x${toHexRaw(node.enc.subarray(node.vOff, node.vOff + 32))}`,
              );
            }
            value = item.enc.slice();
          } else {
            value = node.enc.slice(node.vOff, node.vOff + node.vLen);
          }
        }
        break;
      }
      if (node.kind !== KIND_BRANCH) break;
      const ref = node.kids![nibbleAt(key, k)];
      if (ref < 0) break;
      k++;
      node = load(node.enc, ref >> 6, ref & 63, key);
    }
    result.set(toHexRaw(key), value);
  }
  return result;
}
