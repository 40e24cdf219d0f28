/**
 * Applies a sorted batch of changes to a trie in one pass.
 *
 * The batch is merged into the existing nodes top-down: a subtree that no key
 * touches is kept by reference and never read; a touched node is rebuilt once,
 * however many keys go through it, and each new node is encoded and hashed
 * exactly once, children before parents. Nodes are first built as `Pending`
 * (partial key as a slice of existing bytes, children as references into the
 * old encoding or other pending nodes), normalized as `trie-db` does (a branch
 * left with one child and no value merges into that child, a branch left with
 * no child becomes a leaf), then encoded.
 *
 * @module
 */
import { blake2bInto } from "../primitives/blake2b.ts";
import { type ByteArena } from "./_arena.ts";
import {
  BRANCH_HASHED_VALUE,
  BRANCH_WITH_VALUE,
  BRANCH_WITHOUT_VALUE,
  decodeNode,
  HASH_LENGTH,
  KIND_BRANCH,
  LEAF_HASHED_VALUE,
  LEAF_PREFIX,
  type TrieNode,
  VALUE_NODE_THRESHOLD,
  valueNode,
} from "./_node.ts";
import { commonNibbles, copyNibbles, nibbleAt } from "./_nibbles.ts";
import { hashHex } from "./_hash_hex.ts";

/** What the batch merge needs from the trie. */
export interface CommitContext {
  readonly arena: ByteArena;
  /** The node that `buf[off, off + len)` refers to: a 32-byte hash or an inline node. */
  load(buf: Uint8Array, off: number, len: number): TrieNode;
  /** Caches a node under the hash at `buf[off, off + 32)`. */
  remember(node: TrieNode, buf: Uint8Array, off: number): void;
}

/** A child slot: none, a reference (`offset * 64 + length`) into the parent's `oldEnc`, or a new node. */
type Kid = null | number | Pending;

/** A node being rebuilt. */
class Pending {
  /** Partial key: nibbles `[pOff, pOff + pLen)` of `pBuf`. */
  pBuf: Uint8Array;
  pOff: number;
  pLen: number;
  /** A new value, or an existing one as bytes of an old encoding (`vLen` bytes, a hash when `vHashed`). */
  vNew: Uint8Array | null = null;
  vBuf: Uint8Array | null = null;
  vOff = 0;
  vLen = 0;
  vHashed = false;
  /** The encoding numeric `kids` refer to. */
  oldEnc: Uint8Array | null = null;
  kids: Kid[] | null = null;
  /** Set by `encode`: where the reference to this node (hash or inline encoding) is. */
  rBuf: Uint8Array | null = null;
  rOff = 0;
  rLen = 0;

  constructor(pBuf: Uint8Array, pOff: number, pLen: number) {
    this.pBuf = pBuf;
    this.pOff = pOff;
    this.pLen = pLen;
  }

  hasValue(): boolean {
    return this.vNew !== null || this.vBuf !== null;
  }
}

const UNCHANGED = Symbol("unchanged");
type Result = Pending | null | typeof UNCHANGED;

function emptyKids(): Kid[] {
  return [
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
  ];
}

function kidsOf(node: TrieNode): Kid[] {
  const out = emptyKids();
  const k = node.kids;
  if (k !== null) { for (let i = 0; i < 16; i++) if (k[i] >= 0) out[i] = k[i]; }
  return out;
}

function compactLength(n: number): number {
  return n < 1 << 6 ? 1 : n < 1 << 14 ? 2 : n < 1 << 30 ? 4 : 5;
}

function writeCompact(out: Uint8Array, pos: number, n: number): number {
  if (n < 1 << 6) {
    out[pos] = n << 2;
    return pos + 1;
  }
  if (n < 1 << 14) {
    const v = (n << 2) | 1;
    out[pos] = v;
    out[pos + 1] = v >> 8;
    return pos + 2;
  }
  if (n < 1 << 30) {
    const v = ((n << 2) | 2) >>> 0;
    out[pos] = v;
    out[pos + 1] = v >>> 8;
    out[pos + 2] = v >>> 16;
    out[pos + 3] = v >>> 24;
    return pos + 4;
  }
  out[pos] = 3;
  out[pos + 1] = n;
  out[pos + 2] = n >>> 8;
  out[pos + 3] = n >>> 16;
  out[pos + 4] = n >>> 24;
  return pos + 5;
}

/** Bytes taken by a header for `nibbles` with `bits` bits of count in the first byte. */
function headerLength(nibbles: number, bits: number): number {
  const max = (1 << bits) - 1;
  if (nibbles < max) return 1;
  return 2 + Math.floor((nibbles - max) / 255);
}

/** `node_header.rs` `size_and_prefix_iterator`. */
function writeHeader(
  out: Uint8Array,
  pos: number,
  prefix: number,
  bits: number,
  nibbles: number,
): number {
  const max = (1 << bits) - 1;
  if (nibbles < max) {
    out[pos] = prefix | nibbles;
    return pos + 1;
  }
  out[pos++] = prefix | max;
  let rem = nibbles - max;
  while (rem >= 255) {
    out[pos++] = 255;
    rem -= 255;
  }
  out[pos++] = rem;
  return pos;
}

/**
 * How a commit changed the references to stored nodes (and stored values),
 * by raw hex hash: how many references the new trie makes to each node it
 * created, and how many the old trie made to each node it no longer does.
 * A hash in both (a node rebuilt as it was) is counted in both. Summed over
 * commits, `added - removed` is exactly how often a node occurs in the
 * latest trie: what a store needs to delete nodes no trie it keeps uses.
 */
export interface NodeRefChanges {
  added: Map<string, number>;
  removed: Map<string, number>;
}

function countRef(map: Map<string, number>, hash: string): void {
  map.set(hash, (map.get(hash) ?? 0) + 1);
}

export class BatchCommit {
  readonly #ctx: CommitContext;
  readonly #keys: Uint8Array[];
  readonly #vals: (Uint8Array | null)[];
  /** New nodes by raw hex hash, for the caller to persist. */
  readonly nodes = new Map<string, Uint8Array>();
  /** References to stored nodes the commit made and dropped. */
  readonly refs: NodeRefChanges = { added: new Map(), removed: new Map() };

  /** `keys` sorted and without duplicates; `vals[i]` null deletes `keys[i]`. */
  constructor(ctx: CommitContext, keys: Uint8Array[], vals: (Uint8Array | null)[]) {
    this.#ctx = ctx;
    this.#keys = keys;
    this.#vals = vals;
  }

  /**
   * Merges the whole batch into the trie whose root node is at `root[0, 32)`
   * (`null` for the empty trie). Returns the new root hash, `null` when the
   * trie ends up empty, or `undefined` when nothing changed.
   */
  run(root: Uint8Array | null): { buf: Uint8Array; off: number } | null | undefined {
    const n = this.#keys.length;
    const r = root === null ? this.#build(0, 0, n) : this.#mergeRef(root, 0, HASH_LENGTH, 0, 0, n);
    if (r === UNCHANGED) return undefined;
    if (r === null) return null;
    this.#encode(r, true);
    return { buf: r.rBuf!, off: r.rOff };
  }

  #mergeRef(
    buf: Uint8Array,
    off: number,
    len: number,
    depth: number,
    lo: number,
    hi: number,
  ): Result {
    const result = this.#merge(this.#ctx.load(buf, off, len), 0, depth, lo, hi);
    // A stored node that changed in any way (even to the same bytes) loses this reference.
    if (result !== UNCHANGED && len === HASH_LENGTH) countRef(this.refs.removed, hashHex(buf, off));
    return result;
  }

  /** Common nibbles of key `i` from `depth` with the partial `enc[pOff, pOff + pLen)`. */
  #lcp(i: number, depth: number, enc: Uint8Array, pOff: number, pLen: number): number {
    const k = this.#keys[i];
    return commonNibbles(k, depth, enc, pOff, Math.min(pLen, k.length * 2 - depth));
  }

  /**
   * Merges keys `[lo, hi)` (all sharing nibbles `[0, depth)`) into `node`
   * whose first `skip` partial nibbles are dropped and which sits at `depth`.
   */
  #merge(node: TrieNode, skip: number, depth: number, lo: number, hi: number): Result {
    const enc = node.enc;
    const pOff = node.pOff + skip;
    const pLen = node.pLen - skip;
    const keys = this.#keys;
    const vals = this.#vals;
    // In sorted order the common prefix with a fixed string rises then falls: the ends bound it.
    const m = Math.min(
      this.#lcp(lo, depth, enc, pOff, pLen),
      this.#lcp(hi - 1, depth, enc, pOff, pLen),
    );
    if (m < pLen) {
      // Some keys leave the partial key at nibble m: [a, b) are those that do not.
      let a = lo;
      while (a < hi && this.#lcp(a, depth, enc, pOff, pLen) <= m) a++;
      let b = a;
      while (b < hi && this.#lcp(b, depth, enc, pOff, pLen) > m) b++;
      let inserts = false;
      for (let i = lo; i < a && !inserts; i++) inserts = vals[i] !== null;
      for (let i = b; i < hi && !inserts; i++) inserts = vals[i] !== null;
      if (!inserts) {
        // Deleting keys that are not there changes nothing.
        if (a === b) return skip === 0 ? UNCHANGED : this.#fromNode(node, skip);
        return this.#merge(node, skip, depth, a, b);
      }
      const split = new Pending(enc, pOff, m);
      split.kids = emptyKids();
      const at = nibbleAt(enc, pOff + m);
      const rest = skip + m + 1;
      // With skip > 0 the merge never answers UNCHANGED: the node's partial key is shorter.
      split.kids[at] = a === b
        ? this.#fromNode(node, rest)
        : this.#merge(node, rest, depth + m + 1, a, b) as Pending | null;
      this.#fill(split, depth + m, lo, a);
      this.#fill(split, depth + m, b, hi);
      return this.#normalize(split);
    }
    const d = depth + pLen;
    let i = lo;
    let changed = false;
    let vNew: Uint8Array | null = null;
    let keepValue = node.vOff >= 0;
    if (keys[i].length * 2 === d) {
      if (vals[i] !== null) {
        vNew = vals[i];
        keepValue = false;
        changed = true;
      } else if (keepValue) {
        keepValue = false;
        changed = true;
      }
      i++;
    }
    let kids: Kid[] | null = null;
    const old = node.kind === KIND_BRANCH ? node.kids : null;
    while (i < hi) {
      const c = nibbleAt(keys[i], d);
      let j = i + 1;
      while (j < hi && nibbleAt(keys[j], d) === c) j++;
      const ref = old === null ? -1 : old[c];
      const r = ref >= 0
        ? this.#mergeRef(enc, ref >> 6, ref & 63, d + 1, i, j)
        : this.#build(d + 1, i, j);
      if (r !== UNCHANGED && (r !== null || ref >= 0)) {
        kids ??= kidsOf(node);
        kids[c] = r;
        changed = true;
      }
      i = j;
    }
    if (!changed) return skip === 0 ? UNCHANGED : this.#fromNode(node, skip);
    if (node.vOff >= 0 && node.vHashed && !keepValue) {
      countRef(this.refs.removed, hashHex(enc, node.vOff));
    }
    const p = new Pending(enc, pOff, pLen);
    p.oldEnc = enc;
    p.kids = kids ?? kidsOf(node);
    if (vNew !== null) p.vNew = vNew;
    else if (keepValue) this.#keepValue(p, node);
    return this.#normalize(p);
  }

  /** Adds keys `[lo, hi)`, which branch at nibble `d`, as a fresh value or fresh children of `p`. */
  #fill(p: Pending, d: number, lo: number, hi: number): void {
    const keys = this.#keys;
    let i = lo;
    if (i < hi && keys[i].length * 2 === d) {
      p.vNew = this.#vals[i];
      i++;
    }
    while (i < hi) {
      const c = nibbleAt(keys[i], d);
      let j = i + 1;
      while (j < hi && nibbleAt(keys[j], d) === c) j++;
      p.kids![c] = this.#build(d + 1, i, j);
      i = j;
    }
  }

  /** A new subtrie at `depth` holding the non-deleted keys of `[lo, hi)`. */
  #build(depth: number, lo: number, hi: number): Pending | null {
    const keys = this.#keys;
    const vals = this.#vals;
    while (lo < hi && vals[lo] === null) lo++;
    while (hi > lo && vals[hi - 1] === null) hi--;
    if (lo === hi) return null;
    const first = keys[lo];
    if (hi - lo === 1) {
      const leaf = new Pending(first, depth, first.length * 2 - depth);
      leaf.vNew = vals[lo];
      return leaf;
    }
    const last = keys[hi - 1];
    const m = commonNibbles(
      first,
      depth,
      last,
      depth,
      Math.min(first.length, last.length) * 2 - depth,
    );
    const p = new Pending(first, depth, m);
    p.kids = emptyKids();
    // `first` and `last` differ at depth + m (or `first` ends there): the branch keeps two entries.
    this.#fill(p, depth + m, lo, hi);
    return p;
  }

  /** `node` as a pending node, with its first `skip` partial nibbles dropped. */
  #fromNode(node: TrieNode, skip: number): Pending {
    const p = new Pending(node.enc, node.pOff + skip, node.pLen - skip);
    this.#keepValue(p, node);
    if (node.kind === KIND_BRANCH) {
      p.oldEnc = node.enc;
      p.kids = kidsOf(node);
    }
    return p;
  }

  #keepValue(p: Pending, node: TrieNode): void {
    if (node.vOff < 0) return;
    p.vBuf = node.enc;
    p.vOff = node.vOff;
    p.vLen = node.vLen;
    p.vHashed = node.vHashed;
  }

  /** `trie-db`'s fix-up: no branch without a child, no branch with one child and no value. */
  #normalize(p: Pending): Pending | null {
    const kids = p.kids!;
    let count = 0;
    let only = -1;
    for (let i = 0; i < 16; i++) {
      if (kids[i] !== null) {
        count++;
        only = i;
      }
    }
    if (count === 0) {
      if (!p.hasValue()) return null;
      p.kids = null;
      p.oldEnc = null;
      return p;
    }
    if (count > 1 || p.hasValue()) return p;
    const kid = kids[only]!;
    let child: Pending;
    if (typeof kid === "number") {
      child = this.#fromNode(this.#ctx.load(p.oldEnc!, kid >> 6, kid & 63), 0);
      // The child is rebuilt with a longer partial key.
      if ((kid & 63) === HASH_LENGTH) countRef(this.refs.removed, hashHex(p.oldEnc!, kid >> 6));
    } else {
      child = kid;
    }
    // The child absorbs this node: partial = ours ++ child index ++ child's.
    const total = p.pLen + 1 + child.pLen;
    const arena = this.#ctx.arena;
    const off = arena.alloc((total + 1) >> 1);
    const buf = arena.buf;
    buf.fill(0, off, off + ((total + 1) >> 1));
    const o = off * 2;
    copyNibbles(p.pBuf, p.pOff, buf, o, p.pLen);
    const k = o + p.pLen;
    buf[k >> 1] |= k & 1 ? only : only << 4;
    copyNibbles(child.pBuf, child.pOff, buf, k + 1, child.pLen);
    child.pBuf = buf;
    child.pOff = o;
    child.pLen = total;
    return child;
  }

  /** Encodes `p` (children first) and sets its reference; stores and caches it when hashed. */
  #encode(p: Pending, isRoot: boolean): void {
    const ctx = this.#ctx;
    const arena = ctx.arena;
    const kids = p.kids;
    let size = 0;
    if (kids !== null) {
      size += 2;
      for (let i = 0; i < 16; i++) {
        const k = kids[i];
        if (k === null) continue;
        if (typeof k === "number") size += 1 + (k & 63);
        else {
          this.#encode(k, false);
          size += 1 + k.rLen;
        }
      }
    }
    // The value: inline bytes or the hash of a value node.
    let hashed = false;
    let vBuf: Uint8Array | null = null;
    let vOff = 0;
    let vLen = 0;
    if (p.vNew !== null) {
      const v = p.vNew;
      if (v.length >= VALUE_NODE_THRESHOLD) {
        hashed = true;
        // A copy that owns its buffer: `Trie.get` hands it out as is, and scale-ts decoders
        // read `bytes.buffer` from 0, ignoring `byteOffset`.
        const stored = v.slice();
        const h = arena.alloc(HASH_LENGTH);
        const buf = arena.buf;
        blake2bInto(stored, 0, stored.length, buf, h, 32);
        this.#created(hashHex(buf, h), stored);
        ctx.remember(valueNode(stored), buf, h);
        vBuf = buf;
        vOff = h;
        vLen = HASH_LENGTH;
      } else {
        vBuf = v;
        vLen = v.length;
      }
    } else if (p.vBuf !== null) {
      hashed = p.vHashed;
      vBuf = p.vBuf;
      vOff = p.vOff;
      vLen = p.vLen;
    }
    const hasValue = vBuf !== null;
    if (hasValue) size += hashed ? HASH_LENGTH : compactLength(vLen) + vLen;
    let prefix: number;
    let bits: number;
    if (kids === null) {
      prefix = hashed ? LEAF_HASHED_VALUE : LEAF_PREFIX;
      bits = hashed ? 5 : 6;
    } else if (!hasValue) {
      prefix = BRANCH_WITHOUT_VALUE;
      bits = 6;
    } else {
      prefix = hashed ? BRANCH_HASHED_VALUE : BRANCH_WITH_VALUE;
      bits = hashed ? 4 : 6;
    }
    const nibbles = p.pLen;
    size += headerLength(nibbles, bits) + ((nibbles + 1) >> 1);
    const start = arena.alloc(size + HASH_LENGTH);
    const out = arena.buf;
    let pos = writeHeader(out, start, prefix, bits, nibbles);
    const pBytes = (nibbles + 1) >> 1;
    out.fill(0, pos, pos + pBytes);
    copyNibbles(p.pBuf, p.pOff, out, pos * 2 + (nibbles & 1), nibbles);
    pos += pBytes;
    let bitmapAt = -1;
    if (kids !== null) {
      bitmapAt = pos;
      pos += 2;
    }
    if (hasValue) {
      if (!hashed) pos = writeCompact(out, pos, vLen);
      const src = vBuf!;
      for (let j = 0; j < vLen; j++) out[pos + j] = src[vOff + j];
      pos += vLen;
    }
    if (kids !== null) {
      let bitmap = 0;
      for (let i = 0; i < 16; i++) {
        const k = kids[i];
        if (k === null) continue;
        bitmap |= 1 << i;
        let src: Uint8Array;
        let off: number;
        let len: number;
        if (typeof k === "number") {
          src = p.oldEnc!;
          off = k >> 6;
          len = k & 63;
        } else {
          src = k.rBuf!;
          off = k.rOff;
          len = k.rLen;
        }
        out[pos++] = len << 2;
        for (let j = 0; j < len; j++) out[pos + j] = src[off + j];
        pos += len;
      }
      out[bitmapAt] = bitmap;
      out[bitmapAt + 1] = bitmap >> 8;
    }
    if (size >= HASH_LENGTH || isRoot) {
      const enc = out.subarray(start, pos);
      blake2bInto(out, start, size, out, pos, 32);
      this.#created(hashHex(out, pos), enc);
      ctx.remember(decodeNode(enc), out, pos);
      p.rBuf = out;
      p.rOff = pos;
      p.rLen = HASH_LENGTH;
    } else {
      p.rBuf = out;
      p.rOff = start;
      p.rLen = size;
    }
  }

  #created(hash: string, enc: Uint8Array): void {
    this.nodes.set(hash, enc);
    countRef(this.refs.added, hash);
  }
}
