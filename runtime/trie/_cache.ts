/**
 * A cache of decoded nodes by hash, bounded in bytes.
 *
 * PERF: hashes are looked up straight from where they lie (a parent node's
 * child reference, a root array) without building a string key: the maps are
 * keyed by 30 bits of the hash (a small integer), and nodes whose keys collide
 * are chained and told apart by comparing all 32 bytes.
 *
 * Bounded by two generations: new entries go to `young`; when it holds half
 * the capacity (in bytes, estimated per node) it becomes `old` and the
 * previous `old` is dropped; a hit in `old` moves the node back to `young`. Eviction never scans (deleting from
 * the front of a large Map and iterating to find the oldest entry is
 * quadratic in V8, whose hash tables keep deleted slots until they rehash).
 *
 * @module
 */
import { TrieNode } from "./_node.ts";

/** The bucket key of the hash at `buf[off, off + 32)`: 30 bits, a V8 small integer. */
function bucket(buf: Uint8Array, off: number): number {
  return (buf[off] << 22) | (buf[off + 1] << 14) | (buf[off + 2] << 6) | (buf[off + 3] >> 2);
}

function sameHash(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  for (let i = 0; i < 32; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

function find(
  map: Map<number, TrieNode>,
  key: number,
  buf: Uint8Array,
  off: number,
): TrieNode | null {
  let n: TrieNode | null = map.get(key) ?? null;
  while (n !== null) {
    if (sameHash(n.hashBuf!, n.hashOff, buf, off)) return n;
    n = n.next;
  }
  return null;
}

/**
 * What a cached node costs besides its encoding: the decoded object, its
 * child table, the map entry and the copy of its hash (measured by RSS of a
 * node holding a full cache).
 */
const NODE_OVERHEAD_BYTES = 320;

/** The estimated memory a cached node holds. */
function costOf(node: TrieNode): number {
  return node.enc.byteLength + NODE_OVERHEAD_BYTES;
}

export class NodeCache {
  #young = new Map<number, TrieNode>();
  #old = new Map<number, TrieNode>();
  #youngBytes = 0;
  readonly #half: number;

  /** Keeps at least `bytes / 2` and at most about `bytes` of nodes. */
  constructor(bytes: number) {
    this.#half = Math.floor(bytes / 2);
  }

  get(buf: Uint8Array, off: number): TrieNode | undefined {
    const key = bucket(buf, off);
    const hit = find(this.#young, key, buf, off);
    if (hit !== null) return hit;
    const old = find(this.#old, key, buf, off);
    if (old === null) return undefined;
    // Promote a copy: `old` stays linked in its own generation's chain.
    const copy = new TrieNode(
      old.enc,
      old.kind,
      old.pOff,
      old.pLen,
      old.vOff,
      old.vLen,
      old.vHashed,
      old.kids,
    );
    this.#insert(copy, old.hashBuf!, old.hashOff);
    return copy;
  }

  /** Caches `node` under the hash at `buf[off, off + 32)`; the bytes there must not change. */
  set(node: TrieNode, buf: Uint8Array, off: number): void {
    if (this.#half <= 0) return;
    if (find(this.#young, bucket(buf, off), buf, off) !== null) return;
    this.#insert(node, buf, off);
  }

  #insert(node: TrieNode, buf: Uint8Array, off: number): void {
    if (this.#youngBytes >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
      this.#youngBytes = 0;
    }
    this.#youngBytes += costOf(node);
    const key = bucket(buf, off);
    const head = this.#young.get(key) ?? null;
    node.hashBuf = buf;
    node.hashOff = off;
    node.next = head;
    this.#young.set(key, node);
  }
}
