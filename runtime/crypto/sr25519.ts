/**
 * sr25519 (Schnorr signatures on Ristretto255, the `schnorrkel` crate):
 * verification and keypairs from secret URIs, derived as Substrate derives
 * them, so `//Alice` here is polkadot.js Apps' default `//Alice`.
 *
 * Both run in `@polkadot-labs/schnorrkel-wasm`, the `schnorrkel` crate that
 * Substrate itself verifies with, compiled to WebAssembly (inlined in the
 * module, instantiated synchronously), so the node, its worker threads and
 * the browser accept exactly the same signatures. Signatures use
 * Substrate's signing context `b"substrate"`.
 *
 * The WebAssembly module panics (a trap that skips Rust's epilogues, leaking
 * its stack and heap) on a public key that is not a Ristretto point and on a
 * signature schnorrkel cannot parse. Anyone can send those, so
 * {@link verifySr25519} refuses them before the call: a signature without
 * schnorrkel's marker bit or with `s ≥ ℓ`, a key that does not decode
 * (checked with `@noble/curves`' ristretto255; valid keys are cached).
 *
 * @module
 */
import {
  sr25519_derive_keypair_hard,
  sr25519_derive_keypair_soft,
  sr25519_keypair_from_seed,
  sr25519_sign,
  sr25519_verify,
} from "@polkadot-labs/schnorrkel-wasm";
import { ristretto255 } from "@noble/curves/ed25519.js";
import { toHexRaw } from "../primitives/hex.ts";
import { isScalarCanonical } from "./signature_rule.ts";
import { rootSeedFromUri } from "./keypair.ts";

/** An sr25519 keypair: its public key is its account id. */
export interface Sr25519Keypair {
  /** Which `MultiSignature` variant this key signs with. */
  readonly signatureType: "Sr25519";
  /** The 32-byte public key, which is also the account id. */
  readonly publicKey: Uint8Array;
  /** A 64-byte signature of `message` (randomized: two calls give different bytes). */
  sign(message: Uint8Array): Uint8Array;
}

/**
 * Whether `signature` is `publicKey`'s sr25519 signature of `message` (signing
 * context `substrate`). Never throws; wrong lengths are simply invalid.
 *
 * @example
 * ```ts
 * import { sr25519FromUri, verifySr25519 } from "./sr25519.ts";
 * const alice = sr25519FromUri("//Alice");
 * const message = new Uint8Array([1, 2, 3]);
 * if (!verifySr25519(alice.sign(message), message, alice.publicKey)) throw new Error();
 * if (verifySr25519(alice.sign(message), new Uint8Array([1]), alice.publicKey)) throw new Error();
 * ```
 */
export function verifySr25519(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (!passesSr25519Prechecks(signature, publicKey)) return false;
  try {
    return sr25519_verify(publicKey, message, signature);
  } catch {
    // Points that do not decode, signatures without schnorrkel's marker bit.
    return false;
  }
}

/**
 * What `schnorrkel` would otherwise panic on: lengths, the marker bit
 * (bit 7 of byte 63) and a canonical `s` (`Signature::from_bytes`), and a
 * public key that decodes as a Ristretto point (`PublicKey::from_bytes`).
 */
export function passesSr25519Prechecks(signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if ((signature[63] & 0x80) === 0) return false;
  // A copy, made as Uint8Array's: the signature may be a Node Buffer (from
  // the network or LevelDB), whose slice() is a view, and clearing the
  // marker bit there would change the caller's signature.
  const s = Uint8Array.prototype.slice.call(signature, 32);
  s[31] &= 0x7f;
  return isScalarCanonical(s) && isRistrettoPoint(publicKey);
}

/** PERF: decoding a key costs a square root; signers repeat, and the cache is bounded. */
const KEY_CACHE_LIMIT = 4096;
const validKeys = new Map<string, boolean>();

function isRistrettoPoint(publicKey: Uint8Array): boolean {
  const id = toHexRaw(publicKey);
  let valid = validKeys.get(id);
  if (valid !== undefined) return valid;
  try {
    ristretto255.Point.fromBytes(publicKey);
    valid = true;
  } catch {
    valid = false;
  }
  if (validKeys.size >= KEY_CACHE_LIMIT) validKeys.delete(validKeys.keys().next().value!);
  validKeys.set(id, valid);
  return valid;
}

/**
 * The sr25519 keypair of a secret URI (`PHRASE[//hard|/soft...][///password]`,
 * `0xSEED...`, or `//Alice` on the dev phrase): the phrase's mini secret
 * expanded as Substrate expands it (ed25519 mode), then each junction.
 *
 * @throws {TypeError} on a malformed URI, an invalid phrase, or a seed that is not 32 bytes
 * @example
 * ```ts
 * import { sr25519FromUri } from "./sr25519.ts";
 * import { toHex } from "../primitives/hex.ts";
 * const alice = sr25519FromUri("//Alice");
 * if (!toHex(alice.publicKey).startsWith("0xd43593c7")) throw new Error();
 * ```
 */
export function sr25519FromUri(uri: string): Sr25519Keypair {
  const { seed, junctions } = rootSeedFromUri(uri);
  // 96 bytes: the 64-byte secret key (scalar ++ nonce) and the 32-byte public key.
  let pair = sr25519_keypair_from_seed(seed);
  for (const j of junctions) {
    pair = j.hard
      ? sr25519_derive_keypair_hard(pair, j.chainCode)
      : sr25519_derive_keypair_soft(pair, j.chainCode);
  }
  const secret = pair.slice(0, 64);
  const publicKey = pair.slice(64, 96);
  return {
    signatureType: "Sr25519",
    publicKey,
    sign: (message) => sr25519_sign(publicKey, secret, message),
  };
}
