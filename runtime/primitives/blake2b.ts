/**
 * blake2b (RFC 7693) with a 1..64-byte digest and no key, without
 * allocation for inputs of one block: reads from and writes into
 * caller-owned buffers.
 *
 * PERF: `@noble/hashes` allocates a hasher (several typed arrays) per call,
 * and on Deno a fresh typed array costs ~0.7 µs; hashing an 80-byte trie node
 * took ~12 µs that way against ~1 µs here. The trie hashes every new node and
 * storage keys hash every map key, so this is on the block hot path. Checked
 * byte for byte against `@noble/hashes` in `blake2b_test.ts`.
 *
 * @module
 */
import { createBLAKE2b } from "hash-wasm";

// Initialization vector, RFC 7693 §2.6, as (low, high) 32-bit halves.
const IV = new Uint32Array([
  0xf3bcc908,
  0x6a09e667,
  0x84caa73b,
  0xbb67ae85,
  0xfe94f82b,
  0x3c6ef372,
  0x5f1d36f1,
  0xa54ff53a,
  0xade682d1,
  0x510e527f,
  0x2b3e6c1f,
  0x9b05688c,
  0xfb41bd6b,
  0x1f83d9ab,
  0x137e2179,
  0x5be0cd19,
]);

// Message schedule, RFC 7693 §2.7, pre-multiplied by 2 (word pairs); rounds 10 and 11 reuse 0 and 1.
const SIGMA = new Uint8Array(
  [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  ].flat().map((x) => x * 2),
);

const h = new Uint32Array(16);
const m = new Uint32Array(32);
const block = new Uint8Array(128);
const S = SIGMA;

// PERF: the 16 state words live in 32 local int32 halves so that the rounds
// never touch memory; this is ~4x faster than a typed-array state here.
function compress(buf: Uint8Array, off: number, count: number, last: boolean): void {
  for (let i = 0; i < 32; i++) {
    const p = off + 4 * i;
    m[i] = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24);
  }
  let v0l = h[0] | 0,
    v0h = h[1] | 0,
    v1l = h[2] | 0,
    v1h = h[3] | 0,
    v2l = h[4] | 0,
    v2h = h[5] | 0,
    v3l = h[6] | 0,
    v3h = h[7] | 0,
    v4l = h[8] | 0,
    v4h = h[9] | 0,
    v5l = h[10] | 0,
    v5h = h[11] | 0,
    v6l = h[12] | 0,
    v6h = h[13] | 0,
    v7l = h[14] | 0,
    v7h = h[15] | 0;
  let v8l = IV[0] | 0,
    v8h = IV[1] | 0,
    v9l = IV[2] | 0,
    v9h = IV[3] | 0,
    v10l = IV[4] | 0,
    v10h = IV[5] | 0,
    v11l = IV[6] | 0,
    v11h = IV[7] | 0,
    v12l = IV[8] | 0,
    v12h = IV[9] | 0,
    v13l = IV[10] | 0,
    v13h = IV[11] | 0,
    v14l = IV[12] | 0,
    v14h = IV[13] | 0,
    v15l = IV[14] | 0,
    v15h = IV[15] | 0;
  // The byte counter fits in 53 bits: lengths are JS numbers.
  v12l ^= count | 0;
  v12h ^= Math.floor(count / 4294967296) | 0;
  if (last) {
    v14l = ~v14l;
    v14h = ~v14h;
  }
  let t = 0, u = 0, x = 0, y = 0;
  for (let s = 0; s < 192; s += 16) {
    // G(v0, v4, v8, v12, m[s0], m[s1])
    x = S[s + 0];
    y = S[s + 1];
    t = (v0l >>> 0) + (v4l >>> 0) + (m[x] >>> 0);
    v0h = (v0h + v4h + m[x + 1] + ((t / 4294967296) | 0)) | 0;
    v0l = t | 0;
    t = v12l ^ v0l;
    v12l = v12h ^ v0h;
    v12h = t;
    t = (v8l >>> 0) + (v12l >>> 0);
    v8h = (v8h + v12h + ((t / 4294967296) | 0)) | 0;
    v8l = t | 0;
    t = v4l ^ v8l;
    u = v4h ^ v8h;
    v4l = (t >>> 24) | (u << 8);
    v4h = (u >>> 24) | (t << 8);
    t = (v0l >>> 0) + (v4l >>> 0) + (m[y] >>> 0);
    v0h = (v0h + v4h + m[y + 1] + ((t / 4294967296) | 0)) | 0;
    v0l = t | 0;
    t = v12l ^ v0l;
    u = v12h ^ v0h;
    v12l = (t >>> 16) | (u << 16);
    v12h = (u >>> 16) | (t << 16);
    t = (v8l >>> 0) + (v12l >>> 0);
    v8h = (v8h + v12h + ((t / 4294967296) | 0)) | 0;
    v8l = t | 0;
    t = v4l ^ v8l;
    u = v4h ^ v8h;
    v4l = (u >>> 31) | (t << 1);
    v4h = (t >>> 31) | (u << 1);
    // G(v1, v5, v9, v13, m[s2], m[s3])
    x = S[s + 2];
    y = S[s + 3];
    t = (v1l >>> 0) + (v5l >>> 0) + (m[x] >>> 0);
    v1h = (v1h + v5h + m[x + 1] + ((t / 4294967296) | 0)) | 0;
    v1l = t | 0;
    t = v13l ^ v1l;
    v13l = v13h ^ v1h;
    v13h = t;
    t = (v9l >>> 0) + (v13l >>> 0);
    v9h = (v9h + v13h + ((t / 4294967296) | 0)) | 0;
    v9l = t | 0;
    t = v5l ^ v9l;
    u = v5h ^ v9h;
    v5l = (t >>> 24) | (u << 8);
    v5h = (u >>> 24) | (t << 8);
    t = (v1l >>> 0) + (v5l >>> 0) + (m[y] >>> 0);
    v1h = (v1h + v5h + m[y + 1] + ((t / 4294967296) | 0)) | 0;
    v1l = t | 0;
    t = v13l ^ v1l;
    u = v13h ^ v1h;
    v13l = (t >>> 16) | (u << 16);
    v13h = (u >>> 16) | (t << 16);
    t = (v9l >>> 0) + (v13l >>> 0);
    v9h = (v9h + v13h + ((t / 4294967296) | 0)) | 0;
    v9l = t | 0;
    t = v5l ^ v9l;
    u = v5h ^ v9h;
    v5l = (u >>> 31) | (t << 1);
    v5h = (t >>> 31) | (u << 1);
    // G(v2, v6, v10, v14, m[s4], m[s5])
    x = S[s + 4];
    y = S[s + 5];
    t = (v2l >>> 0) + (v6l >>> 0) + (m[x] >>> 0);
    v2h = (v2h + v6h + m[x + 1] + ((t / 4294967296) | 0)) | 0;
    v2l = t | 0;
    t = v14l ^ v2l;
    v14l = v14h ^ v2h;
    v14h = t;
    t = (v10l >>> 0) + (v14l >>> 0);
    v10h = (v10h + v14h + ((t / 4294967296) | 0)) | 0;
    v10l = t | 0;
    t = v6l ^ v10l;
    u = v6h ^ v10h;
    v6l = (t >>> 24) | (u << 8);
    v6h = (u >>> 24) | (t << 8);
    t = (v2l >>> 0) + (v6l >>> 0) + (m[y] >>> 0);
    v2h = (v2h + v6h + m[y + 1] + ((t / 4294967296) | 0)) | 0;
    v2l = t | 0;
    t = v14l ^ v2l;
    u = v14h ^ v2h;
    v14l = (t >>> 16) | (u << 16);
    v14h = (u >>> 16) | (t << 16);
    t = (v10l >>> 0) + (v14l >>> 0);
    v10h = (v10h + v14h + ((t / 4294967296) | 0)) | 0;
    v10l = t | 0;
    t = v6l ^ v10l;
    u = v6h ^ v10h;
    v6l = (u >>> 31) | (t << 1);
    v6h = (t >>> 31) | (u << 1);
    // G(v3, v7, v11, v15, m[s6], m[s7])
    x = S[s + 6];
    y = S[s + 7];
    t = (v3l >>> 0) + (v7l >>> 0) + (m[x] >>> 0);
    v3h = (v3h + v7h + m[x + 1] + ((t / 4294967296) | 0)) | 0;
    v3l = t | 0;
    t = v15l ^ v3l;
    v15l = v15h ^ v3h;
    v15h = t;
    t = (v11l >>> 0) + (v15l >>> 0);
    v11h = (v11h + v15h + ((t / 4294967296) | 0)) | 0;
    v11l = t | 0;
    t = v7l ^ v11l;
    u = v7h ^ v11h;
    v7l = (t >>> 24) | (u << 8);
    v7h = (u >>> 24) | (t << 8);
    t = (v3l >>> 0) + (v7l >>> 0) + (m[y] >>> 0);
    v3h = (v3h + v7h + m[y + 1] + ((t / 4294967296) | 0)) | 0;
    v3l = t | 0;
    t = v15l ^ v3l;
    u = v15h ^ v3h;
    v15l = (t >>> 16) | (u << 16);
    v15h = (u >>> 16) | (t << 16);
    t = (v11l >>> 0) + (v15l >>> 0);
    v11h = (v11h + v15h + ((t / 4294967296) | 0)) | 0;
    v11l = t | 0;
    t = v7l ^ v11l;
    u = v7h ^ v11h;
    v7l = (u >>> 31) | (t << 1);
    v7h = (t >>> 31) | (u << 1);
    // G(v0, v5, v10, v15, m[s8], m[s9])
    x = S[s + 8];
    y = S[s + 9];
    t = (v0l >>> 0) + (v5l >>> 0) + (m[x] >>> 0);
    v0h = (v0h + v5h + m[x + 1] + ((t / 4294967296) | 0)) | 0;
    v0l = t | 0;
    t = v15l ^ v0l;
    v15l = v15h ^ v0h;
    v15h = t;
    t = (v10l >>> 0) + (v15l >>> 0);
    v10h = (v10h + v15h + ((t / 4294967296) | 0)) | 0;
    v10l = t | 0;
    t = v5l ^ v10l;
    u = v5h ^ v10h;
    v5l = (t >>> 24) | (u << 8);
    v5h = (u >>> 24) | (t << 8);
    t = (v0l >>> 0) + (v5l >>> 0) + (m[y] >>> 0);
    v0h = (v0h + v5h + m[y + 1] + ((t / 4294967296) | 0)) | 0;
    v0l = t | 0;
    t = v15l ^ v0l;
    u = v15h ^ v0h;
    v15l = (t >>> 16) | (u << 16);
    v15h = (u >>> 16) | (t << 16);
    t = (v10l >>> 0) + (v15l >>> 0);
    v10h = (v10h + v15h + ((t / 4294967296) | 0)) | 0;
    v10l = t | 0;
    t = v5l ^ v10l;
    u = v5h ^ v10h;
    v5l = (u >>> 31) | (t << 1);
    v5h = (t >>> 31) | (u << 1);
    // G(v1, v6, v11, v12, m[s10], m[s11])
    x = S[s + 10];
    y = S[s + 11];
    t = (v1l >>> 0) + (v6l >>> 0) + (m[x] >>> 0);
    v1h = (v1h + v6h + m[x + 1] + ((t / 4294967296) | 0)) | 0;
    v1l = t | 0;
    t = v12l ^ v1l;
    v12l = v12h ^ v1h;
    v12h = t;
    t = (v11l >>> 0) + (v12l >>> 0);
    v11h = (v11h + v12h + ((t / 4294967296) | 0)) | 0;
    v11l = t | 0;
    t = v6l ^ v11l;
    u = v6h ^ v11h;
    v6l = (t >>> 24) | (u << 8);
    v6h = (u >>> 24) | (t << 8);
    t = (v1l >>> 0) + (v6l >>> 0) + (m[y] >>> 0);
    v1h = (v1h + v6h + m[y + 1] + ((t / 4294967296) | 0)) | 0;
    v1l = t | 0;
    t = v12l ^ v1l;
    u = v12h ^ v1h;
    v12l = (t >>> 16) | (u << 16);
    v12h = (u >>> 16) | (t << 16);
    t = (v11l >>> 0) + (v12l >>> 0);
    v11h = (v11h + v12h + ((t / 4294967296) | 0)) | 0;
    v11l = t | 0;
    t = v6l ^ v11l;
    u = v6h ^ v11h;
    v6l = (u >>> 31) | (t << 1);
    v6h = (t >>> 31) | (u << 1);
    // G(v2, v7, v8, v13, m[s12], m[s13])
    x = S[s + 12];
    y = S[s + 13];
    t = (v2l >>> 0) + (v7l >>> 0) + (m[x] >>> 0);
    v2h = (v2h + v7h + m[x + 1] + ((t / 4294967296) | 0)) | 0;
    v2l = t | 0;
    t = v13l ^ v2l;
    v13l = v13h ^ v2h;
    v13h = t;
    t = (v8l >>> 0) + (v13l >>> 0);
    v8h = (v8h + v13h + ((t / 4294967296) | 0)) | 0;
    v8l = t | 0;
    t = v7l ^ v8l;
    u = v7h ^ v8h;
    v7l = (t >>> 24) | (u << 8);
    v7h = (u >>> 24) | (t << 8);
    t = (v2l >>> 0) + (v7l >>> 0) + (m[y] >>> 0);
    v2h = (v2h + v7h + m[y + 1] + ((t / 4294967296) | 0)) | 0;
    v2l = t | 0;
    t = v13l ^ v2l;
    u = v13h ^ v2h;
    v13l = (t >>> 16) | (u << 16);
    v13h = (u >>> 16) | (t << 16);
    t = (v8l >>> 0) + (v13l >>> 0);
    v8h = (v8h + v13h + ((t / 4294967296) | 0)) | 0;
    v8l = t | 0;
    t = v7l ^ v8l;
    u = v7h ^ v8h;
    v7l = (u >>> 31) | (t << 1);
    v7h = (t >>> 31) | (u << 1);
    // G(v3, v4, v9, v14, m[s14], m[s15])
    x = S[s + 14];
    y = S[s + 15];
    t = (v3l >>> 0) + (v4l >>> 0) + (m[x] >>> 0);
    v3h = (v3h + v4h + m[x + 1] + ((t / 4294967296) | 0)) | 0;
    v3l = t | 0;
    t = v14l ^ v3l;
    v14l = v14h ^ v3h;
    v14h = t;
    t = (v9l >>> 0) + (v14l >>> 0);
    v9h = (v9h + v14h + ((t / 4294967296) | 0)) | 0;
    v9l = t | 0;
    t = v4l ^ v9l;
    u = v4h ^ v9h;
    v4l = (t >>> 24) | (u << 8);
    v4h = (u >>> 24) | (t << 8);
    t = (v3l >>> 0) + (v4l >>> 0) + (m[y] >>> 0);
    v3h = (v3h + v4h + m[y + 1] + ((t / 4294967296) | 0)) | 0;
    v3l = t | 0;
    t = v14l ^ v3l;
    u = v14h ^ v3h;
    v14l = (t >>> 16) | (u << 16);
    v14h = (u >>> 16) | (t << 16);
    t = (v9l >>> 0) + (v14l >>> 0);
    v9h = (v9h + v14h + ((t / 4294967296) | 0)) | 0;
    v9l = t | 0;
    t = v4l ^ v9l;
    u = v4h ^ v9h;
    v4l = (u >>> 31) | (t << 1);
    v4h = (t >>> 31) | (u << 1);
  }
  h[0] ^= v0l ^ v8l;
  h[1] ^= v0h ^ v8h;
  h[2] ^= v1l ^ v9l;
  h[3] ^= v1h ^ v9h;
  h[4] ^= v2l ^ v10l;
  h[5] ^= v2h ^ v10h;
  h[6] ^= v3l ^ v11l;
  h[7] ^= v3h ^ v11h;
  h[8] ^= v4l ^ v12l;
  h[9] ^= v4h ^ v12h;
  h[10] ^= v5l ^ v13l;
  h[11] ^= v5h ^ v13h;
  h[12] ^= v6l ^ v14l;
  h[13] ^= v6h ^ v14h;
  h[14] ^= v7l ^ v15l;
  h[15] ^= v7h ^ v15h;
}

/**
 * Inputs longer than one block are hashed by `hash-wasm` (32-byte digests):
 * WebAssembly has 64-bit integers and runs about 5x faster on bulk input
 * (350 against 40 MB/s here), while for a single block its call and copy
 * overhead cost as much as the code above.
 */
const WASM_ABOVE_BYTES = 128;

const wasm256 = await createBLAKE2b(256);

/**
 * Writes the `outLen`-byte blake2b of `input[off, off + len)` into
 * `out[outOff, outOff + outLen)`. `out` may be `input`.
 */
export function blake2bInto(
  input: Uint8Array,
  off: number,
  len: number,
  out: Uint8Array,
  outOff: number,
  outLen: number,
): void {
  if (len > WASM_ABOVE_BYTES && outLen === 32) {
    wasm256.init();
    wasm256.update(input.subarray(off, off + len));
    out.set(wasm256.digest("binary"), outOff);
    return;
  }
  h.set(IV);
  h[0] ^= 0x01010000 | outLen; // parameter block: digest length, no key, fanout 1, depth 1
  let pos = 0;
  // Every block but the last is compressed straight from the input.
  while (len - pos > 128) {
    compress(input, off + pos, pos + 128, false);
    pos += 128;
  }
  const rest = len - pos;
  for (let i = 0; i < rest; i++) block[i] = input[off + pos + i];
  block.fill(0, rest);
  compress(block, 0, len, true);
  for (let i = 0; i < outLen; i++) out[outOff + i] = h[i >> 2] >>> (8 * (i & 3));
}
