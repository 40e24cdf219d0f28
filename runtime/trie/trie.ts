/**
 * Substrate's base-16 Patricia-Merkle trie (`sp-trie` LayoutV1) over a node store.
 *
 * @module
 */
import { compareBytes, equalBytes } from "../primitives/bytes.ts";
import { toHexRaw } from "../primitives/hex.ts";
import { ByteArena } from "./_arena.ts";
import { NodeCache } from "./_cache.ts";
import { BatchCommit, type NodeRefChanges } from "./_commit.ts";
import { EMPTY_TRIE_ROOT } from "./empty_root.ts";
import { commonNibbles, nibbleAt } from "./_nibbles.ts";
import { decodeNode, HASH_LENGTH, KIND_BRANCH, type TrieNode, valueNode } from "./_node.ts";
import type { TrieNodeStore } from "./node_store.ts";

export type { NodeRefChanges };

/** What `Trie.commit` returns. */
export interface TrieCommit {
  root: Uint8Array;
  /** New encoded nodes (and stored values) by raw hex hash, to persist. */
  nodes: Map<string, Uint8Array>;
  refs: NodeRefChanges;
}

/** Options of a `Trie`. */
export interface TrieInit {
  /**
   * Bytes of decoded nodes (and stored values) to keep in memory, by hash
   * (estimated). Default 64 MiB, as the node's `--trie-cache-size`.
   */
  cacheBytes?: number;
}

const EMPTY = EMPTY_TRIE_ROOT.slice();
const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
/** Longest key: partial keys are counted in at most 16 bits of nibbles (`NIBBLE_SIZE_BOUND`). */
const MAX_KEY_LENGTH = 32767;

function missing(hash: Uint8Array): never {
  throw new RangeError(`Cannot read trie: missing node 0x${toHexRaw(hash)}`);
}

/**
 * A trie over a `TrieNodeStore`: reads at any root, batch commits that return
 * the new nodes to persist, and read proofs. Keeps a bounded cache of decoded
 * nodes by hash.
 *
 * Returned values own their whole buffer (scale-ts decoders read `bytes.buffer`
 * from offset 0, so views would decode the wrong bytes). Values of 33 bytes or
 * more are the very arrays held by the store and cache: treat them as read-only.
 *
 * @example
 * ```ts
 * import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie } from "./mod.ts";
 * const store = new MemoryNodeStore();
 * const trie = new Trie(store);
 * const key = new Uint8Array([0xaa]);
 * const { root, nodes } = trie.commit(EMPTY_TRIE_ROOT, [[key, new Uint8Array([0xbb])]]);
 * store.insert(nodes);
 * if (trie.get(root, key)?.[0] !== 0xbb) throw new Error("get");
 * const { root: after } = trie.commit(root, [[key, null]]);
 * if (after.some((b, i) => b !== EMPTY_TRIE_ROOT[i])) throw new Error("delete");
 * ```
 */
export class Trie {
  readonly #store: TrieNodeStore;
  readonly #cache: NodeCache;
  readonly #arena = new ByteArena();
  readonly #ctx;

  constructor(store: TrieNodeStore, init: TrieInit = {}) {
    this.#store = store;
    this.#cache = new NodeCache(init.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.#ctx = {
      arena: this.#arena,
      load: (buf: Uint8Array, off: number, len: number) => this.#load(buf, off, len),
      remember: (node: TrieNode, buf: Uint8Array, off: number) => this.#cache.set(node, buf, off),
    };
  }

  /** The node referred to by `buf[off, off + len)`: a hash (32 bytes) or an inline node. */
  #load(buf: Uint8Array, off: number, len: number): TrieNode {
    if (len !== HASH_LENGTH) return decodeNode(buf.subarray(off, off + len));
    const cached = this.#cache.get(buf, off);
    if (cached !== undefined) return cached;
    const hash = buf.subarray(off, off + HASH_LENGTH);
    const enc = this.#store.get(hash);
    if (enc === undefined) missing(hash);
    const node = decodeNode(enc);
    this.#remember(node, buf, off);
    return node;
  }

  /** Caches under a private copy of the hash: callers' arrays may change. */
  #remember(node: TrieNode, buf: Uint8Array, off: number): void {
    const at = this.#arena.alloc(HASH_LENGTH);
    const own = this.#arena.buf;
    for (let i = 0; i < HASH_LENGTH; i++) own[at + i] = buf[off + i];
    this.#cache.set(node, own, at);
  }

  #root(root: Uint8Array): TrieNode | null {
    if (root.length !== HASH_LENGTH) {
      throw new RangeError(`Cannot read trie: root must be 32 bytes, got ${root.length}`);
    }
    return equalBytes(root, EMPTY) ? null : this.#load(root, 0, HASH_LENGTH);
  }

  /** The value of `node` (which has one), loading a hashed value from the store. */
  #value(node: TrieNode): Uint8Array {
    const enc = node.enc;
    if (!node.vHashed) return enc.slice(node.vOff, node.vOff + node.vLen);
    const cached = this.#cache.get(enc, node.vOff);
    if (cached !== undefined) return cached.enc;
    const hash = enc.subarray(node.vOff, node.vOff + HASH_LENGTH);
    let value = this.#store.get(hash);
    if (value === undefined) missing(hash);
    if (value.byteOffset !== 0 || value.byteLength !== value.buffer.byteLength) {
      value = value.slice();
    }
    this.#remember(valueNode(value), enc, node.vOff);
    return value;
  }

  /** The value at `key` in the trie at `root`, or `undefined`. Read-only. */
  get(root: Uint8Array, key: Uint8Array): Uint8Array | undefined {
    let node = this.#root(root);
    if (node === null) return undefined;
    const kn = key.length * 2;
    let k = 0;
    for (;;) {
      const p = node.pLen;
      if (kn - k < p || commonNibbles(key, k, node.enc, node.pOff, p) < p) return undefined;
      k += p;
      if (k === kn) return node.vOff >= 0 ? this.#value(node) : undefined;
      if (node.kind !== KIND_BRANCH) return undefined;
      const ref = node.kids![nibbleAt(key, k)];
      if (ref < 0) return undefined;
      k++;
      node = this.#load(node.enc, ref >> 6, ref & 63);
    }
  }

  /**
   * The Merkle value of the node that is `key` or its closest descendant,
   * branch nodes included: the node's hash, or its encoding when it is
   * inlined in its parent (under 32 bytes). `undefined` when no key of the
   * trie starts with `key`. What `chainHead_v1_storage` calls
   * `closestDescendantMerkleValue` (Polkadot spec, Definition "Merkle Value").
   */
  closestDescendantMerkleValue(root: Uint8Array, key: Uint8Array): Uint8Array | undefined {
    let node = this.#root(root);
    if (node === null) return undefined;
    let merkle = root.slice();
    const kn = key.length * 2;
    let k = 0;
    for (;;) {
      const rest = kn - k;
      if (rest <= node.pLen) {
        return commonNibbles(key, k, node.enc, node.pOff, rest) < rest ? undefined : merkle;
      }
      if (commonNibbles(key, k, node.enc, node.pOff, node.pLen) < node.pLen) return undefined;
      k += node.pLen;
      if (node.kind !== KIND_BRANCH) return undefined;
      const ref = node.kids![nibbleAt(key, k)];
      if (ref < 0) return undefined;
      k++;
      merkle = node.enc.slice(ref >> 6, (ref >> 6) + (ref & 63));
      node = this.#load(node.enc, ref >> 6, ref & 63);
    }
  }

  /**
   * Pairs under `prefix`, in key order, optionally starting strictly after
   * `startAfter`. Lazy: nodes are read as the iteration reaches them.
   */
  *entries(
    root: Uint8Array,
    prefix: Uint8Array,
    startAfter?: Uint8Array,
  ): Generator<[Uint8Array, Uint8Array]> {
    let node = this.#root(root);
    if (node === null) return;
    const path: number[] = [];
    // Walk down to the node whose subtrie holds exactly the keys under `prefix`.
    const pn = prefix.length * 2;
    let k = 0;
    for (;;) {
      const rest = pn - k;
      if (rest <= node.pLen) {
        if (commonNibbles(prefix, k, node.enc, node.pOff, rest) < rest) return;
        break;
      }
      if (commonNibbles(prefix, k, node.enc, node.pOff, node.pLen) < node.pLen) return;
      for (let i = 0; i < node.pLen; i++) path.push(nibbleAt(node.enc, node.pOff + i));
      k += node.pLen;
      if (node.kind !== KIND_BRANCH) return;
      const c = nibbleAt(prefix, k);
      const ref = node.kids![c];
      if (ref < 0) return;
      path.push(c);
      k++;
      node = this.#load(node.enc, ref >> 6, ref & 63);
    }
    // State against `startAfter`: 1 = every key here is after it, 0 = the path so far is a
    // prefix of it (keys here may still be before it), -1 = every key here is before it.
    const s: number[] = [];
    if (startAfter !== undefined) {
      for (let i = 0; i < startAfter.length * 2; i++) s.push(nibbleAt(startAfter, i));
    }
    const follow = (from: number, st: number): number => {
      // Compares path[from..] with `s` when the path up to `from` equals `s`'s start.
      if (st !== 0) return st;
      for (let i = from; i < path.length; i++) {
        if (i >= s.length) return 1;
        if (path[i] !== s[i]) return path[i] < s[i] ? -1 : 1;
      }
      return 0;
    };
    const enter = (n: TrieNode, st: number): number => {
      const from = path.length;
      for (let i = 0; i < n.pLen; i++) path.push(nibbleAt(n.enc, n.pOff + i));
      return follow(from, st);
    };
    let st = follow(0, startAfter === undefined ? 1 : 0);
    if (st < 0) return;
    st = enter(node, st);
    if (st < 0) return;
    const nodes: TrieNode[] = [node];
    const lens: number[] = [path.length];
    const next: number[] = [0];
    const states: number[] = [st];
    if (node.vOff >= 0 && st > 0) yield [keyOf(path), this.#value(node)];
    while (nodes.length > 0) {
      const t = nodes.length - 1;
      const n = nodes[t];
      const kids = n.kind === KIND_BRANCH ? n.kids! : null;
      let c = next[t];
      while (c < 16 && (kids === null || kids[c] < 0)) c++;
      if (c >= 16) {
        nodes.pop();
        lens.pop();
        next.pop();
        states.pop();
        continue;
      }
      next[t] = c + 1;
      path.length = lens[t];
      path.push(c);
      let cst = follow(path.length - 1, states[t]);
      if (cst < 0) continue;
      const ref = kids![c];
      const child = this.#load(n.enc, ref >> 6, ref & 63);
      cst = enter(child, cst);
      if (cst < 0) continue;
      nodes.push(child);
      lens.push(path.length);
      next.push(0);
      states.push(cst);
      if (child.vOff >= 0 && cst > 0) yield [keyOf(path), this.#value(child)];
    }
  }

  /**
   * Applies `changes` (a `null` value deletes) to the trie at `root`. Returns the
   * new root, the new encoded nodes (raw hex hash -> bytes) that the caller
   * must persist, and how references to stored nodes changed (what a pruning
   * store counts); writes nothing to the store. Changes need not be sorted; when
   * a key repeats, its last change wins. Work grows with the number of changed
   * keys times the depth, not with the size of the trie.
   */
  commit(
    root: Uint8Array,
    changes: Iterable<readonly [Uint8Array, Uint8Array | null]>,
  ): TrieCommit {
    const start = this.#root(root);
    const list: (readonly [Uint8Array, Uint8Array | null])[] = [];
    for (const change of changes) {
      if (change[0].length > MAX_KEY_LENGTH) {
        throw new RangeError(
          `Cannot commit trie change: key of ${change[0].length} bytes exceeds ${MAX_KEY_LENGTH}`,
        );
      }
      list.push(change);
    }
    // Stable: among equal keys the later change stays later, and wins below.
    list.sort((a, b) => compareBytes(a[0], b[0]));
    const keys: Uint8Array[] = [];
    const vals: (Uint8Array | null)[] = [];
    for (let i = 0; i < list.length; i++) {
      if (i + 1 < list.length && equalBytes(list[i][0], list[i + 1][0])) continue;
      keys.push(list[i][0]);
      vals.push(list[i][1]);
    }
    if (keys.length === 0) {
      return {
        root: root.slice(),
        nodes: new Map(),
        refs: { added: new Map(), removed: new Map() },
      };
    }
    const batch = new BatchCommit(this.#ctx, keys, vals);
    const out = batch.run(start === null ? null : root);
    const newRoot = out === undefined
      ? root.slice()
      : out === null
      ? EMPTY.slice()
      : out.buf.slice(out.off, out.off + HASH_LENGTH);
    return { root: newRoot, nodes: batch.nodes, refs: batch.refs };
  }

  /**
   * A read proof: the encoded nodes (and stored values) that `verifyReadProof`
   * needs to read `keys`, present or absent, under `root`. Each node once, in
   * no particular order.
   */
  prove(root: Uint8Array, keys: Uint8Array[]): Uint8Array[] {
    const top = this.#root(root);
    const out = new Map<string, Uint8Array>();
    if (top === null) return [];
    // Copies that own their buffers, for decoders that ignore `byteOffset`.
    out.set(toHexRaw(root), top.enc.slice());
    for (const key of keys) {
      let node = top;
      const kn = key.length * 2;
      let k = 0;
      for (;;) {
        const p = node.pLen;
        if (kn - k < p || commonNibbles(key, k, node.enc, node.pOff, p) < p) break;
        k += p;
        if (k === kn) {
          if (node.vOff >= 0 && node.vHashed) {
            const hash = node.enc.subarray(node.vOff, node.vOff + HASH_LENGTH);
            const hex = toHexRaw(hash);
            if (!out.has(hex)) out.set(hex, this.#value(node).slice());
          }
          break;
        }
        if (node.kind !== KIND_BRANCH) break;
        const ref = node.kids![nibbleAt(key, k)];
        if (ref < 0) break;
        k++;
        const parent = node.enc;
        const off = ref >> 6;
        const len = ref & 63;
        node = this.#load(parent, off, len);
        // Inline children travel inside their parent.
        if (len === HASH_LENGTH) {
          const hex = toHexRaw(parent.subarray(off, off + len));
          if (!out.has(hex)) out.set(hex, node.enc.slice());
        }
      }
    }
    return [...out.values()];
  }
}

function keyOf(path: number[]): Uint8Array {
  const out = new Uint8Array(path.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (path[2 * i] << 4) | path[2 * i + 1];
  return out;
}
