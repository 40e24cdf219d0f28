/**
 * The wire form of a batch of signature checks between the pool and its
 * workers: one transferable buffer holding, per check,
 * `variant(1) ++ signature(64 or 65) ++ account(32) ++ u32le(message length) ++ message`,
 * where `variant` is the `MultiSignature` index (0 Ed25519, 1 Sr25519, 2 Ecdsa)
 * and fixes the signature's length.
 *
 * @module
 */
import { SIGNATURE_TYPES, signatureTypeOf } from "../../runtime/crypto/signature_types.ts";
import type { SignatureCheck } from "../../runtime/executive/executive.ts";

/** A batch sent to a worker. */
export interface VerifyRequest {
  id: number;
  packed: Uint8Array<ArrayBuffer>;
}

/** A worker's verdicts, one byte per check in batch order. */
export interface VerifyResponse {
  id: number;
  verdicts: Uint8Array<ArrayBuffer>;
}

/** Bytes of a check besides its signature and message: variant, account, length. */
const FIXED = 1 + 32 + 4;

/**
 * Packs checks into one buffer.
 *
 * @throws {RangeError} when a signature's length is not its kind's or an account is not 32 bytes
 */
export function packChecks(checks: readonly SignatureCheck[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const c of checks) size += FIXED + c.signature.signature.length + c.message.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const { signature: { type, signature }, account, message } of checks) {
    const kind = SIGNATURE_TYPES[type];
    if (signature.length !== kind.length || account.length !== 32) {
      throw new RangeError(
        `a signature check needs a ${kind.length}-byte ${type} signature and a 32-byte account`,
      );
    }
    out[at] = kind.index;
    out.set(signature, at + 1);
    at += 1 + signature.length;
    out.set(account, at);
    view.setUint32(at + 32, message.length, true);
    out.set(message, at + 36);
    at += 36 + message.length;
  }
  return out;
}

/**
 * The checks in a packed buffer, as views into it.
 *
 * @throws {RangeError} on an unknown signature variant
 */
export function unpackChecks(packed: Uint8Array): SignatureCheck[] {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const out: SignatureCheck[] = [];
  for (let at = 0; at < packed.length;) {
    const type = signatureTypeOf(packed[at]);
    if (type === undefined) throw new RangeError(`unknown signature variant ${packed[at]}`);
    const length = SIGNATURE_TYPES[type].length;
    const signature = packed.subarray(at + 1, at + 1 + length);
    at += 1 + length;
    const messageLength = view.getUint32(at + 32, true);
    out.push({
      signature: { type, signature },
      account: packed.subarray(at, at + 32),
      message: packed.subarray(at + 36, at + 36 + messageLength),
    });
    at += 36 + messageLength;
  }
  return out;
}
