/**
 * `sp_runtime::MultiSignature`: the three kinds of signature an account may
 * sign with, and THE place that dispatches verification by kind.
 *
 * | variant | kind    | bytes | verified with                         | account is        |
 * |---------|---------|-------|---------------------------------------|-------------------|
 * | 0       | Ed25519 | 64    | THE ed25519 rule (`signature_rule.ts`) | the public key    |
 * | 1       | Sr25519 | 64    | `schnorrkel` (`sr25519.ts`)            | the public key    |
 * | 2       | Ecdsa   | 65    | secp256k1 recovery (`ecdsa.ts`)        | blake2-256 of key |
 *
 * The ed25519 verifier is passed in ({@link multiVerifier}) because it comes
 * in two implementations of one rule, native and portable; the other two
 * kinds have one implementation each, which runs everywhere.
 *
 * @module
 */
import { verifyEcdsa } from "./ecdsa.ts";
import type { MultiSignatureValue } from "./signature_types.ts";
import type { SignatureVerifier } from "./signature_rule.ts";
import { verifySr25519 } from "./sr25519.ts";
import { verifyPortable } from "./verify_portable.ts";

export { SIGNATURE_TYPES, signatureTypeOf } from "./signature_types.ts";
export type { MultiSignatureValue, SignatureType } from "./signature_types.ts";

/**
 * Verifies a `MultiSignature` of `message` by `account` (a 32-byte
 * AccountId32); never throws.
 */
export type MultiVerifier = (
  signature: MultiSignatureValue,
  message: Uint8Array,
  account: Uint8Array,
) => boolean;

/**
 * THE dispatch by kind, over the given ed25519 verifier: ed25519 and sr25519
 * keys are their accounts; an ecdsa account is the hash of the key recovered
 * from the signature.
 *
 * @example
 * ```ts
 * import { multiVerifier } from "./multi_signature.ts";
 * import { verifyPortable } from "./verify_portable.ts";
 * import { sr25519FromUri } from "./sr25519.ts";
 * const verify = multiVerifier(verifyPortable);
 * const bob = sr25519FromUri("//Bob");
 * const message = new Uint8Array([7]);
 * const signature = { type: "Sr25519" as const, signature: bob.sign(message) };
 * if (!verify(signature, message, bob.publicKey)) throw new Error();
 * if (verify({ ...signature, type: "Ed25519" }, message, bob.publicKey)) throw new Error();
 * ```
 */
export function multiVerifier(ed25519: SignatureVerifier): MultiVerifier {
  return ({ type, signature }, message, account) => {
    switch (type) {
      case "Ed25519":
        return ed25519(signature, message, account);
      case "Sr25519":
        return verifySr25519(signature, message, account);
      case "Ecdsa":
        return verifyEcdsa(signature, message, account);
      default:
        return false;
    }
  };
}

/** {@link multiVerifier} over the portable ed25519 verifier: for the browser and the light client. */
export const verifyMultiPortable: MultiVerifier = multiVerifier(verifyPortable);
