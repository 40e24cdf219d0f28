/**
 * The wire form of a batch of signature checks between the pool and its
 * workers: one transferable buffer of `signature(64) ++ publicKey(32) ++
 * u32le(message length) ++ message` per check.
 *
 * @module
 */
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

const FIXED = 64 + 32 + 4;

/** Packs checks into one buffer. */
export function packChecks(checks: readonly SignatureCheck[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const c of checks) size += FIXED + c.message.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const { signature, publicKey, message } of checks) {
    if (signature.length !== 64 || publicKey.length !== 32) {
      throw new RangeError("a signature check needs a 64-byte signature and a 32-byte key");
    }
    out.set(signature, at);
    out.set(publicKey, at + 64);
    view.setUint32(at + 96, message.length, true);
    out.set(message, at + FIXED);
    at += FIXED + message.length;
  }
  return out;
}

/** The checks in a packed buffer, as views into it. */
export function unpackChecks(packed: Uint8Array): SignatureCheck[] {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const out: SignatureCheck[] = [];
  for (let at = 0; at < packed.length;) {
    const length = view.getUint32(at + 96, true);
    out.push({
      signature: packed.subarray(at, at + 64),
      publicKey: packed.subarray(at + 64, at + 96),
      message: packed.subarray(at + FIXED, at + FIXED + length),
    });
    at += FIXED + length;
  }
  return out;
}
