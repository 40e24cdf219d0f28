/**
 * Substrate's trie node codec (`sp-trie` `NodeCodec`, LayoutV1), decoded as a
 * compact view over the encoded bytes.
 *
 * A node is `header ++ partial key ++ [bitmap] ++ [value] ++ children`:
 * - header: a type tag in the high bits of the first byte and the partial key
 *   length in nibbles in the low bits, continued in following bytes when it
 *   does not fit (`node_header.rs`, `size_and_prefix_iterator`);
 * - partial key: nibbles packed two a byte, left-padded with a zero nibble when odd;
 * - branch bitmap: u16 little-endian, bit i set when child i exists;
 * - value: `Compact<u32>` length ++ bytes, or the 32-byte blake2-256 of a value
 *   stored as its own node for the hashed-value variants (values >= 33 bytes);
 * - children: `Compact<u32>` length ++ (32-byte hash, or the child's encoding
 *   when it is shorter than 32 bytes).
 *
 * PERF: the decoded form keeps offsets into the encoding instead of copies, so
 * a cached node costs one small object (plus a child table for branches) and
 * no typed arrays of its own.
 *
 * @module
 */

/** The first byte of each node type (`node_header.rs` trie_constants). */
export const EMPTY_TRIE = 0x00;
export const LEAF_PREFIX = 0x40; // 0b01, 6 bits of nibble count
export const BRANCH_WITHOUT_VALUE = 0x80; // 0b10, 6 bits
export const BRANCH_WITH_VALUE = 0xc0; // 0b11, 6 bits
export const LEAF_HASHED_VALUE = 0x20; // 0b001, 5 bits
export const BRANCH_HASHED_VALUE = 0x10; // 0b0001, 4 bits

/** Values of this many bytes or more are stored as their own node (`TRIE_VALUE_NODE_THRESHOLD`). */
export const VALUE_NODE_THRESHOLD = 33;
/** Hash length: child references of this length are hashes, shorter ones inline nodes. */
export const HASH_LENGTH = 32;

export const KIND_EMPTY = 0;
export const KIND_LEAF = 1;
export const KIND_BRANCH = 2;
/** A stored value (the preimage of a hashed value), not a trie node. */
export const KIND_VALUE = 3;

/** A decoded node: offsets into `enc`, where the node's bytes live. */
export class TrieNode {
  /** The node's encoding (or the raw value for `KIND_VALUE`). */
  enc: Uint8Array;
  kind: number;
  /** Partial key: first nibble as a nibble index into `enc` (2 * byte + padding), and length. */
  pOff: number;
  pLen: number;
  /** Value: byte offset and length in `enc`, -1 when the node has none; a 32-byte hash when `vHashed`. */
  vOff: number;
  vLen: number;
  vHashed: boolean;
  /** Branches: per nibble `offset * 64 + length` of the child reference in `enc`, or -1. */
  kids: number[] | null;
  /** Where this node's own hash is (for cache lookups), when it is cached by hash. */
  hashBuf: Uint8Array | null = null;
  hashOff = 0;
  /** Next node in the same cache bucket. */
  next: TrieNode | null = null;

  constructor(
    enc: Uint8Array,
    kind: number,
    pOff: number,
    pLen: number,
    vOff: number,
    vLen: number,
    vHashed: boolean,
    kids: number[] | null,
  ) {
    this.enc = enc;
    this.kind = kind;
    this.pOff = pOff;
    this.pLen = pLen;
    this.vOff = vOff;
    this.vLen = vLen;
    this.vHashed = vHashed;
    this.kids = kids;
  }
}

/** A raw stored value, wrapped so that it shares the node cache. */
export function valueNode(bytes: Uint8Array): TrieNode {
  return new TrieNode(bytes, KIND_VALUE, 0, 0, 0, bytes.length, false, null);
}

function fail(detail: string): never {
  throw new RangeError(`Cannot decode trie node: ${detail}`);
}

/** Reads a SCALE `Compact<u32>` at `pos`; returns `value * 8 + bytes read` to stay allocation-free. */
export function readCompact(b: Uint8Array, pos: number): number {
  if (pos >= b.length) fail("unexpected end of input");
  const first = b[pos];
  switch (first & 3) {
    case 0:
      return (first >> 2) * 8 + 1;
    case 1:
      if (pos + 2 > b.length) fail("unexpected end of input");
      {
        const n = (first | (b[pos + 1] << 8)) >>> 2;
        if (n < 1 << 6) fail("non-canonical compact length");
        return n * 8 + 2;
      }
    case 2:
      if (pos + 4 > b.length) fail("unexpected end of input");
      {
        const n = (first | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24)) >>> 2;
        if (n < 1 << 14) fail("non-canonical compact length");
        return n * 8 + 4;
      }
    default: {
      // Big-integer mode: only lengths that fit in u32 make sense here.
      if ((first >> 2) !== 0 || pos + 5 > b.length) fail("compact length out of range");
      const n = (b[pos + 1] | (b[pos + 2] << 8) | (b[pos + 3] << 16) | (b[pos + 4] << 24)) >>> 0;
      if (n < 1 << 30) fail("non-canonical compact length");
      return n * 8 + 5;
    }
  }
}

/**
 * Decodes one node. Throws a `RangeError` ("Cannot decode trie node: ...") on
 * malformed input, including trailing bytes, so that garbage from a proof never
 * passes as a node.
 */
export function decodeNode(enc: Uint8Array): TrieNode {
  const len = enc.length;
  if (len === 0) fail("unexpected end of input");
  const first = enc[0];
  let kind: number;
  let valueKind: 0 | 1 | 2; // none, inline, hashed
  let mask: number;
  if (first >= 0x40) {
    mask = 0x3f;
    const tag = first & 0xc0;
    kind = tag === LEAF_PREFIX ? KIND_LEAF : KIND_BRANCH;
    valueKind = tag === BRANCH_WITHOUT_VALUE ? 0 : 1;
  } else if (first >= 0x20) {
    mask = 0x1f;
    kind = KIND_LEAF;
    valueKind = 2;
  } else if (first >= 0x10) {
    mask = 0x0f;
    kind = KIND_BRANCH;
    valueKind = 2;
  } else if (first === EMPTY_TRIE) {
    if (len !== 1) fail("trailing bytes after empty node");
    return new TrieNode(enc, KIND_EMPTY, 0, 0, -1, 0, false, null);
  } else {
    fail(`reserved header 0x${first.toString(16).padStart(2, "0")}`);
  }
  let pos = 1;
  let nibbles = first & mask;
  if (nibbles === mask) {
    for (;;) {
      if (pos >= len) fail("unexpected end of input");
      const b = enc[pos++];
      nibbles += b;
      if (b !== 255) break;
    }
  }
  const pad = nibbles & 1;
  const pBytes = (nibbles + 1) >> 1;
  if (pos + pBytes > len) fail("unexpected end of input");
  if (pad && enc[pos] >> 4 !== 0) fail("non-zero partial key padding");
  const pOff = pos * 2 + pad;
  pos += pBytes;
  let kids: number[] | null = null;
  let bitmap = 0;
  if (kind === KIND_BRANCH) {
    if (pos + 2 > len) fail("unexpected end of input");
    bitmap = enc[pos] | (enc[pos + 1] << 8);
    if (bitmap === 0) fail("branch without children");
    pos += 2;
  }
  let vOff = -1;
  let vLen = 0;
  if (valueKind === 1) {
    const c = readCompact(enc, pos);
    vLen = Math.floor(c / 8);
    vOff = pos + (c & 7);
    if (vOff + vLen > len) fail("unexpected end of input");
    pos = vOff + vLen;
  } else if (valueKind === 2) {
    if (pos + HASH_LENGTH > len) fail("unexpected end of input");
    vOff = pos;
    vLen = HASH_LENGTH;
    pos += HASH_LENGTH;
  }
  if (kind === KIND_BRANCH) {
    kids = [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1];
    for (let i = 0; i < 16; i++) {
      if ((bitmap >> i) & 1) {
        if (pos >= len) fail("unexpected end of input");
        const n = enc[pos] >> 2; // a child reference is at most 32 bytes: one compact byte
        if ((enc[pos] & 3) !== 0 || n === 0 || n > HASH_LENGTH) fail("bad child reference length");
        if (pos + 1 + n > len) fail("unexpected end of input");
        kids[i] = (pos + 1) * 64 + n;
        pos += 1 + n;
      }
    }
  }
  if (pos !== len) fail("trailing bytes");
  return new TrieNode(enc, kind, pOff, nibbles, vOff, vLen, valueKind === 2, kids);
}
