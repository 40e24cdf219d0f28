/**
 * `@noble/ed25519` with its synchronous SHA-512 wired in, so that the rest of
 * the folder can call `sign`, `getPublicKey` and the point arithmetic
 * synchronously. Every file here imports noble through this one.
 *
 * @module
 */
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";

// noble leaves the sync hash slot empty so that it has no dependency; setting
// it is idempotent, so another module doing the same is harmless.
ed.hashes.sha512 = sha512;

export { ed, sha512 };

/** ℓ, the order of the prime-order subgroup (RFC 8032 §5.1). */
export const GROUP_ORDER: bigint = 2n ** 252n + 27742317777372353535851937790883648493n;

/** Little-endian bytes as an unsigned integer. */
export function bytesToNumberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/** An unsigned integer below 2^256 as 32 little-endian bytes. */
export function numberToBytes32LE(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}
