/**
 * THE signature rule: which ed25519 signatures Sutantra accepts.
 *
 * Verification is consensus-critical: a block is valid on one node only if it
 * is valid on all of them, whether they verify with the host's native crypto
 * (`verifyNative`) or in pure JavaScript (`verifyPortable`, for the browser and
 * the light client). Ed25519 implementations disagree on edge cases (Chalkias,
 * Garillot, Nikolaenko, "Taming the many EdDSAs", 2020), so the rule is spelled
 * out here and both verifiers implement exactly it.
 *
 * A signature `R ‖ S` (64 bytes) on message `M` by public key `A` (32 bytes) is
 * valid iff
 *
 * 1. `S < ℓ` as a little-endian integer (no malleable `S + ℓ`);
 * 2. `A` is canonically encoded: its y coordinate is below p = 2^255 − 19;
 * 3. `A` is not of small order: its encoding is none of the 8 points of the
 *    torsion subgroup, nor the two non-canonical x = 0 encodings of them;
 * 4. `A` decodes to a curve point;
 * 5. with `k = SHA-512(R ‖ A ‖ M) mod ℓ` over the bytes as given, the point
 *    `[S]B − [k]A` encodes to exactly the 32 bytes `R` (cofactorless, and `R`
 *    is therefore canonical).
 *
 * Why this rule: it is what the native path does, measured on Deno 2.9 with
 * the Chalkias et al. vectors and with systematically built edge cases
 * (`verify_test.ts`): the native verifier rejects `S ≥ ℓ` and every
 * non-canonical `A` or `R` we could build, compares `R` by bytes, and checks
 * the cofactorless equation (a mixed-order `A` verifies only when the torsion
 * parts cancel). It does accept small-order `A`, for which signatures are
 * forgeable without any secret; rules 2 and 3 run before both verifiers, so
 * such keys are refused everywhere and non-canonical keys never reach a
 * decoder whose leniency we could not test. This is stricter than Substrate,
 * which verifies with ed25519-zebra (ZIP-215: cofactored, non-canonical
 * encodings allowed); every signature an honest signer makes is valid under
 * both.
 *
 * @module
 */
import { GROUP_ORDER, numberToBytes32LE } from "./_ed25519.ts";
import { fromHex } from "../primitives/hex.ts";

/** Verifies an ed25519 signature under THE signature rule; never throws. */
export type SignatureVerifier = (
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
) => boolean;

const L_BYTES = numberToBytes32LE(GROUP_ORDER);

/**
 * Encodings of small-order points that are not caught by the canonical-y test:
 * the 8 torsion points, and the identity and (0, −1) with the x sign bit set.
 */
const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = [
  "0100000000000000000000000000000000000000000000000000000000000000", // identity
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
  "0000000000000000000000000000000000000000000000000000000000000000", // order 4
  "0000000000000000000000000000000000000000000000000000000000000080", // order 4
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
  "0100000000000000000000000000000000000000000000000000000000000080", // identity, x sign set
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // order 2, x sign set
].map(fromHex);

/**
 * Rules 1–3 and the lengths: the checks both verifiers run before any curve
 * arithmetic. Cheap (byte comparisons only).
 */
export function passesSignaturePrechecks(signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  return isScalarCanonical(signature.subarray(32)) && isYCanonical(publicKey) &&
    !isSmallOrderEncoding(publicKey);
}

/** Whether 32 little-endian bytes are an integer below ℓ. */
export function isScalarCanonical(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i] !== L_BYTES[i]) return s[i] < L_BYTES[i];
  }
  return false;
}

/** Whether a point encoding's y (the low 255 bits) is below p = 2^255 − 19. */
export function isYCanonical(point: Uint8Array): boolean {
  // y ≥ p exactly when the bytes are ed..ff ff..ff 7f (ignoring the sign bit).
  if ((point[31] & 0x7f) !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (point[i] !== 0xff) return true;
  return point[0] < 0xed;
}

/** Whether `point` is one of the small-order encodings with a canonical y. */
export function isSmallOrderEncoding(point: Uint8Array): boolean {
  outer: for (const bad of SMALL_ORDER_ENCODINGS) {
    for (let i = 0; i < 32; i++) if (point[i] !== bad[i]) continue outer;
    return true;
  }
  return false;
}
