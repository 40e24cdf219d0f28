/**
 * SS58 addresses: how Substrate shows a 32-byte account id.
 *
 * `base58(prefix ++ accountId ++ checksum)`, where the prefix is one byte for
 * network ids 0..63 and two bytes for 64..16383, and the checksum is the first
 * two bytes of `blake2b-512("SS58PRE" ++ prefix ++ accountId)`
 * (https://docs.substrate.io/reference/address-formats/).
 *
 * @module
 */
import { base58 } from "@scure/base";
import { blake2b } from "@noble/hashes/blake2.js";
import { concatBytes, utf8 } from "../primitives/bytes.ts";

/** The generic Substrate network id, used when a chain spec does not set one. */
export const DEFAULT_SS58_PREFIX = 42;

const SS58_PRE = utf8("SS58PRE");
const CHECKSUM_LENGTH = 2;
const ACCOUNT_ID_LENGTH = 32;
const MAX_PREFIX = 16383;

/** An address taken apart: the account id and the network id it was written for. */
export interface Ss58Address {
  /** The 32-byte account id (for Sutantra: the ed25519 public key). */
  publicKey: Uint8Array;
  /** The network id (SS58 prefix), 0..16383. */
  prefix: number;
}

/**
 * The SS58 address of a 32-byte account id on network `prefix`.
 *
 * @throws {RangeError} when the prefix is not an integer in 0..16383
 * @throws {TypeError} when the account id is not 32 bytes
 * @example
 * ```ts
 * import { ss58Encode } from "./ss58.ts";
 * import { fromHex } from "../primitives/hex.ts";
 * const alice = fromHex("0x88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee");
 * if (ss58Encode(alice) !== "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu") throw new Error();
 * ```
 */
export function ss58Encode(publicKey: Uint8Array, prefix: number = DEFAULT_SS58_PREFIX): string {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > MAX_PREFIX) {
    throw new RangeError(`Cannot encode address: prefix ${prefix} is not in 0..${MAX_PREFIX}`);
  }
  if (publicKey.length !== ACCOUNT_ID_LENGTH) {
    throw new TypeError(
      `Cannot encode address: account id has ${publicKey.length} bytes, expected ${ACCOUNT_ID_LENGTH}`,
    );
  }
  const body = concatBytes(prefixBytes(prefix), publicKey);
  return base58.encode(concatBytes(body, checksum(body)));
}

/**
 * The account id and network id of an SS58 address.
 *
 * @throws {TypeError} `Cannot decode address: bad base58`, `… bad prefix`,
 *   `… bad length` or `… bad checksum`
 * @example
 * ```ts
 * import { ss58Decode } from "./ss58.ts";
 * const { prefix, publicKey } = ss58Decode("146SvjUZXoMaemdeiecyxgALeYMm8ZWh1yrGo8RtpoPfe7WL");
 * if (prefix !== 0 || publicKey[0] !== 0x88) throw new Error();
 * ```
 */
export function ss58Decode(address: string): Ss58Address {
  let data: Uint8Array;
  try {
    data = base58.decode(address);
  } catch {
    throw new TypeError("Cannot decode address: bad base58");
  }
  if (data.length === 0) throw new TypeError("Cannot decode address: bad length 0");
  let prefix: number;
  let prefixLength: number;
  if (data[0] < 64) {
    prefix = data[0];
    prefixLength = 1;
  } else if (data[0] < 128) {
    if (data.length < 2) throw new TypeError("Cannot decode address: bad length 1");
    // Two-byte form: the low 8 bits of the id are spread over both bytes.
    const lower = ((data[0] << 2) | (data[1] >> 6)) & 0xff;
    const upper = data[1] & 0b0011_1111;
    prefix = lower | (upper << 8);
    prefixLength = 2;
  } else {
    throw new TypeError(`Cannot decode address: bad prefix byte ${data[0]}`);
  }
  const expected = prefixLength + ACCOUNT_ID_LENGTH + CHECKSUM_LENGTH;
  if (data.length !== expected) {
    throw new TypeError(
      `Cannot decode address: bad length ${data.length} bytes, expected ${expected}`,
    );
  }
  const body = data.subarray(0, prefixLength + ACCOUNT_ID_LENGTH);
  const sum = checksum(body);
  const given = data.subarray(prefixLength + ACCOUNT_ID_LENGTH);
  if (sum[0] !== given[0] || sum[1] !== given[1]) {
    throw new TypeError("Cannot decode address: bad checksum");
  }
  return { publicKey: data.slice(prefixLength, prefixLength + ACCOUNT_ID_LENGTH), prefix };
}

function prefixBytes(prefix: number): Uint8Array {
  if (prefix < 64) return Uint8Array.of(prefix);
  // Substrate's layout: 0b01 ++ bits 2..7 of the id, then bits 0..1 ++ bits 8..13.
  return Uint8Array.of(
    ((prefix & 0b1111_1100) >> 2) | 0b0100_0000,
    (prefix >> 8) | ((prefix & 0b11) << 6),
  );
}

function checksum(body: Uint8Array): Uint8Array {
  return blake2b(concatBytes(SS58_PRE, body), { dkLen: 64 }).subarray(0, CHECKSUM_LENGTH);
}
