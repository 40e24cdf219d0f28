/**
 * ECDSA on secp256k1 as Substrate's `MultiSignature::Ecdsa` uses it: a
 * 65-byte recoverable signature `r ‖ s ‖ v` over the blake2-256 of the
 * message, and an account id that is the blake2-256 of the 33-byte
 * compressed public key (the key itself is never sent: it is recovered from
 * the signature). Verified with `@noble/curves` in pure JavaScript, so the
 * node and the browser run the same code.
 *
 * The rule, stated because implementations differ on edge cases: `r` and `s`
 * are in [1, n) as 32-byte big-endian integers; `s` is at most n/2 (low S,
 * as every honest signer since BIP 62 makes it; Substrate's libsecp256k1
 * recovery would also take the high-S twin, we do not, so a signature is
 * not malleable); `v` is 0–3, or 27–30 as Ethereum writes it; and the key
 * recovered from `(r, s, v)` and `blake2-256(message)` must hash to the
 * account.
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { str } from "scale-ts";
import { concatBytes } from "../primitives/bytes.ts";
import { blake2_256 } from "../primitives/hashing.ts";
import { fromHex } from "../primitives/hex.ts";
import { entropyFromPhrase, miniSecretFromEntropy } from "./mnemonic.ts";
import { parseSecretUri } from "./secret_uri.ts";

/** An ecdsa keypair: its account id is the blake2-256 of its compressed public key. */
export interface EcdsaKeypair {
  /** Which `MultiSignature` variant this key signs with. */
  readonly signatureType: "Ecdsa";
  /** The 33-byte compressed public key. */
  readonly publicKey: Uint8Array;
  /** The 32-byte account id: `blake2-256(publicKey)`. */
  readonly account: Uint8Array;
  /** The 65-byte `r ‖ s ‖ v` signature of `blake2-256(message)`; deterministic (RFC 6979). */
  sign(message: Uint8Array): Uint8Array;
}

/** The account id of a 33-byte compressed secp256k1 public key. */
export function ecdsaAccount(compressedPublicKey: Uint8Array): Uint8Array {
  return blake2_256(compressedPublicKey);
}

/**
 * The compressed public key that signed `blake2-256(message)` with the
 * 65-byte `signature`, or `undefined` when the signature breaks the rule.
 * Never throws.
 */
export function recoverEcdsa(signature: Uint8Array, message: Uint8Array): Uint8Array | undefined {
  if (signature.length !== 65) return undefined;
  const v = signature[64] >= 27 ? signature[64] - 27 : signature[64];
  if (v > 3) return undefined;
  try {
    // noble's "recovered" layout puts the recovery byte first.
    const sig = secp256k1.Signature.fromBytes(
      concatBytes(new Uint8Array([v]), signature.subarray(0, 64)),
      "recovered",
    );
    if (sig.r === 0n || sig.s === 0n || sig.hasHighS()) return undefined;
    return sig.recoverPublicKey(blake2_256(message)).toBytes(true);
  } catch {
    return undefined;
  }
}

/**
 * Whether `signature` signs `message` for `account` under the rule above.
 * Never throws.
 *
 * @example
 * ```ts
 * import { ecdsaFromUri, verifyEcdsa } from "./ecdsa.ts";
 * const alice = ecdsaFromUri("//Alice");
 * const message = new Uint8Array([1, 2, 3]);
 * if (!verifyEcdsa(alice.sign(message), message, alice.account)) throw new Error();
 * if (verifyEcdsa(alice.sign(message), message, alice.publicKey.subarray(1))) throw new Error();
 * ```
 */
export function verifyEcdsa(
  signature: Uint8Array,
  message: Uint8Array,
  account: Uint8Array,
): boolean {
  if (account.length !== 32) return false;
  const key = recoverEcdsa(signature, message);
  if (key === undefined) return false;
  const hashed = ecdsaAccount(key);
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= hashed[i] ^ account[i];
  return diff === 0;
}

const HDKD_TAG = str.enc("Secp256k1HDKD");

/**
 * The ecdsa keypair of a secret URI, derived as `sp_core::ecdsa` derives:
 * the phrase's mini secret (or a `0x` seed) is the secret key, and each hard
 * junction replaces it by `blake2-256(SCALE("Secp256k1HDKD") ‖ secret ‖ chainCode)`.
 *
 * @throws {TypeError} on a malformed URI, an invalid phrase or seed, or a soft junction
 */
export function ecdsaFromUri(uri: string): EcdsaKeypair {
  const { phrase, junctions, password } = parseSecretUri(uri);
  let secret: Uint8Array;
  if (phrase.startsWith("0x")) {
    try {
      secret = fromHex(phrase);
    } catch {
      throw new TypeError("Cannot parse secret URI: the 0x seed is not hex");
    }
    if (secret.length !== 32) {
      throw new TypeError(
        `Cannot parse secret URI: the 0x seed has ${secret.length} bytes, expected 32`,
      );
    }
  } else {
    secret = miniSecretFromEntropy(entropyFromPhrase(phrase), password);
  }
  for (const j of junctions) {
    if (!j.hard) {
      throw new TypeError(
        `Cannot derive ecdsa key: soft junction /${j.code} is not possible, use //${j.code}`,
      );
    }
    secret = blake2_256(concatBytes(HDKD_TAG, secret, j.chainCode));
  }
  const own = secret.slice();
  const publicKey = secp256k1.getPublicKey(own, true);
  return {
    signatureType: "Ecdsa",
    publicKey,
    account: ecdsaAccount(publicKey),
    sign(message: Uint8Array): Uint8Array {
      const recovered = secp256k1.sign(blake2_256(message), own, {
        prehash: false,
        format: "recovered",
      });
      // noble gives v ‖ r ‖ s; Substrate sends r ‖ s ‖ v.
      return concatBytes(recovered.subarray(1), recovered.subarray(0, 1));
    },
  };
}
