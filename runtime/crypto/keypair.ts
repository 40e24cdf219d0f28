/**
 * ed25519 keypairs from seeds and from secret URIs, derived exactly as
 * Substrate derives them (so `//Alice` here is `//Alice` in polkadot-js and
 * `subkey inspect --scheme ed25519`).
 *
 * @module
 */
import { concatBytes } from "../primitives/bytes.ts";
import { fromHex } from "../primitives/hex.ts";
import { bytesToNumberLE, ed, GROUP_ORDER, numberToBytes32LE, sha512 } from "./_ed25519.ts";
import { deriveSeed } from "./hdkd.ts";
import { entropyFromPhrase, miniSecretFromEntropy } from "./mnemonic.ts";
import { type DeriveJunction, parseSecretUri } from "./secret_uri.ts";

/** An ed25519 keypair. */
export interface Keypair {
  /** The 32-byte public key, which is also the account id. */
  readonly publicKey: Uint8Array;
  /** The 32-byte RFC 8032 secret seed. */
  readonly seed: Uint8Array;
  /** The 64-byte RFC 8032 signature of `message`; deterministic. */
  sign(message: Uint8Array): Uint8Array;
}

/**
 * The keypair of a 32-byte seed.
 *
 * @throws {TypeError} when the seed is not 32 bytes
 * @example
 * ```ts
 * import { keypairFromSeed } from "./keypair.ts";
 * const pair = keypairFromSeed(new Uint8Array(32));
 * if (pair.sign(new Uint8Array([1])).length !== 64) throw new Error();
 * ```
 */
export function keypairFromSeed(seed: Uint8Array): Keypair {
  if (seed.length !== 32) {
    throw new TypeError(`Cannot make keypair: seed has ${seed.length} bytes, expected 32`);
  }
  const own = seed.slice();
  // PERF: expanding the seed costs a SHA-512 and a base-point multiplication;
  // doing it once here instead of in every `ed.sign` halves the cost of signing.
  const { prefix, scalar, pointBytes } = ed.utils.getExtendedPublicKey(own);
  return {
    publicKey: pointBytes,
    seed: own,
    sign(message: Uint8Array): Uint8Array {
      // RFC 8032 §5.1.6, as noble's `sign` does it.
      const r = bytesToNumberLE(sha512(concatBytes(prefix, message))) % GROUP_ORDER;
      const R = ed.Point.BASE.multiply(r).toBytes();
      const k = bytesToNumberLE(sha512(concatBytes(R, pointBytes, message))) % GROUP_ORDER;
      return concatBytes(R, numberToBytes32LE((r + k * scalar) % GROUP_ORDER));
    },
  };
}

/**
 * The seed a secret URI stands for: a phrase's mini secret (with the URI's
 * password) or a `0x` seed, then the hard junctions applied in order.
 *
 * @throws {TypeError} on a malformed URI, an invalid phrase or seed, or a soft junction
 */
export function seedFromUri(uri: string): Uint8Array {
  const { seed, junctions } = rootSeedFromUri(uri);
  return deriveSeed(seed, junctions);
}

/**
 * A secret URI's root seed (a phrase's mini secret with the URI's password,
 * or a `0x` seed) and its junctions, for each key scheme to derive by its
 * own rules (ed25519 here, sr25519 in `sr25519.ts`).
 *
 * @throws {TypeError} on a malformed URI or an invalid phrase or seed
 */
export function rootSeedFromUri(uri: string): { seed: Uint8Array; junctions: DeriveJunction[] } {
  const { phrase, junctions, password } = parseSecretUri(uri);
  let seed: Uint8Array;
  if (phrase.startsWith("0x")) {
    // A hex seed ignores the password, as in Substrate.
    try {
      seed = fromHex(phrase);
    } catch {
      throw new TypeError("Cannot parse secret URI: the 0x seed is not hex");
    }
    if (seed.length !== 32) {
      throw new TypeError(
        `Cannot parse secret URI: the 0x seed has ${seed.length} bytes, expected 32`,
      );
    }
  } else {
    seed = miniSecretFromEntropy(entropyFromPhrase(phrase), password);
  }
  return { seed, junctions };
}

/**
 * The keypair of a secret URI: `PHRASE[//hard...][///password]`, `0xSEED[//hard...]`
 * or `//hard...` on the dev phrase.
 *
 * @throws {TypeError} on a malformed URI, an invalid phrase or seed, or a soft junction
 * @example
 * ```ts
 * import { keypairFromUri } from "./keypair.ts";
 * import { toHex } from "../primitives/hex.ts";
 * const alice = keypairFromUri("//Alice");
 * if (!toHex(alice.publicKey).startsWith("0x88dc3417")) throw new Error();
 * ```
 */
export function keypairFromUri(uri: string): Keypair {
  return keypairFromSeed(seedFromUri(uri));
}
