/**
 * Signature verification in pure JavaScript, for places without native
 * crypto (the browser, the light client). Implements THE signature rule of
 * `signature_rule.ts` on `@noble/ed25519`'s point arithmetic; `verifyNative`
 * accepts exactly the same signatures.
 *
 * @module
 */
import { concatBytes, equalBytes } from "../primitives/bytes.ts";
import { bytesToNumberLE, ed, GROUP_ORDER, sha512 } from "./_ed25519.ts";
import { passesSignaturePrechecks } from "./signature_rule.ts";

/**
 * Whether `signature` is `publicKey`'s signature of `message` under THE
 * signature rule. Never throws; wrong lengths are simply invalid.
 *
 * @example
 * ```ts
 * import { keypairFromUri } from "./keypair.ts";
 * import { verifyPortable } from "./verify_portable.ts";
 * const alice = keypairFromUri("//Alice");
 * const message = new Uint8Array([1, 2, 3]);
 * if (!verifyPortable(alice.sign(message), message, alice.publicKey)) throw new Error();
 * ```
 */
export function verifyPortable(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (!passesSignaturePrechecks(signature, publicKey)) return false;
  let A: InstanceType<typeof ed.Point>;
  try {
    A = ed.Point.fromBytes(publicKey, false); // strict RFC 8032 decoding
  } catch {
    return false;
  }
  const r = signature.subarray(0, 32);
  const s = bytesToNumberLE(signature.subarray(32)); // < ℓ by the prechecks
  const k = bytesToNumberLE(sha512(concatBytes(r, publicKey, message))) % GROUP_ORDER;
  // Variable-time arithmetic is fine: everything here is public.
  const check = ed.Point.BASE.multiply(s, false).subtract(A.multiply(k, false));
  return equalBytes(check.toBytes(), r);
}
