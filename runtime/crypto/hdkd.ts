/**
 * Hard derivation of ed25519 seeds (`sp_core::ed25519::Pair::derive`).
 *
 * ed25519 has no soft derivation: a child public key cannot be computed from a
 * parent public key, so a soft junction in a path is an error.
 *
 * @module
 */
import { str } from "scale-ts";
import { concatBytes } from "../primitives/bytes.ts";
import { blake2_256 } from "../primitives/hashing.ts";
import type { DeriveJunction } from "./secret_uri.ts";

const HDKD_TAG = str.enc("Ed25519HDKD");

/**
 * The child seed of `seed` under a hard junction's chain code:
 * `blake2-256(SCALE("Ed25519HDKD") ++ seed ++ chainCode)`.
 */
export function deriveHardSeed(seed: Uint8Array, chainCode: Uint8Array): Uint8Array {
  return blake2_256(concatBytes(HDKD_TAG, seed, chainCode));
}

/**
 * The seed at the end of a derivation path.
 *
 * @throws {TypeError} `Cannot derive ed25519 key: …` at the first soft junction
 */
export function deriveSeed(seed: Uint8Array, junctions: readonly DeriveJunction[]): Uint8Array {
  let acc = seed;
  for (const junction of junctions) {
    if (!junction.hard) {
      throw new TypeError(
        `Cannot derive ed25519 key: soft junction /${junction.code} is not possible, use //${junction.code}`,
      );
    }
    acc = deriveHardSeed(acc, junction.chainCode);
  }
  return acc;
}
