/**
 * The hash functions of the chain, as Substrate names them.
 *
 * blake2b-256 hashes blocks, extrinsics and trie nodes; twox128 hashes pallet
 * and item names in storage keys; the `*Concat` hashers append the key itself
 * so that keys a user can choose stay iterable; blake3-256 hashes the
 * metadata digest that RFC 78 signers sign.
 *
 * @module
 */
import { Twox128 as twox128Impl } from "@polkadot-api/substrate-bindings";
import { blake3 } from "@noble/hashes/blake3.js";
import { blake2bInto } from "./blake2b.ts";
import { concatBytes } from "./bytes.ts";

/** blake2b with a 32-byte digest: block, extrinsic and trie node hashes. */
export function blake2_256(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  blake2bInto(data, 0, data.length, out, 0, 32);
  return out;
}

/** blake2b with a 16-byte digest. */
export function blake2_128(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  blake2bInto(data, 0, data.length, out, 0, 16);
  return out;
}

/** blake3 with a 32-byte digest: RFC 78's metadata hash and its Merkle tree. */
export function blake3_256(data: Uint8Array): Uint8Array {
  return blake3(data);
}

/** xxhash64 with seeds 0 and 1, concatenated: the storage prefix hasher. */
export function twox128(data: Uint8Array): Uint8Array {
  return twox128Impl(data);
}

/** `blake2_128(key) ++ key`: for map keys that a user can choose. */
export function blake2_128Concat(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  blake2bInto(data, 0, data.length, out, 0, 16);
  out.set(data, 16);
  return out;
}

/** `twox64(key) ++ key`: fast, for keys nobody can choose (block numbers). */
export function twox64Concat(data: Uint8Array): Uint8Array {
  return concatBytes(twox128Impl(data).subarray(0, 8), data);
}

/** The key itself: for keys nobody can choose to unbalance the trie (counters, indices). */
export function identity(data: Uint8Array): Uint8Array {
  return data;
}
