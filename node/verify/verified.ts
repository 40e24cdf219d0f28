/**
 * Verdicts reached ahead of time, handed to the executive as its verifier.
 *
 * @module
 */
import type { SignatureCheck } from "../../runtime/executive/executive.ts";
import type { SignatureVerifier } from "../../runtime/executive/runtime.ts";
import type { SignatureType } from "../../runtime/crypto/multi_signature.ts";
import { byteString, equalBytes } from "../../runtime/primitives/bytes.ts";

/**
 * Signature verdicts reached on worker threads, consumed once each by the
 * executive. A question that was not asked ahead of time, or was asked about
 * other bytes, goes to the fallback verifier, so a wrong guess of a payload
 * costs time, never correctness.
 */
export class VerifiedSignatures {
  readonly #verdicts = new Map<
    string,
    { type: SignatureType; message: Uint8Array; account: Uint8Array; valid: boolean }
  >();

  constructor(readonly fallback: SignatureVerifier) {}

  /** Records the verdict on one check. */
  record(check: SignatureCheck, valid: boolean): void {
    this.#verdicts.set(byteString(check.signature.signature), {
      type: check.signature.type,
      message: check.message,
      account: check.account,
      valid,
    });
  }

  /** Verdicts recorded and not consumed yet. */
  get size(): number {
    return this.#verdicts.size;
  }

  /** Forgets every verdict not consumed (after a block, used or not). */
  clear(): void {
    this.#verdicts.clear();
  }

  /** The executive's verifier: a recorded verdict on exactly these bytes, else the fallback. */
  readonly verify: SignatureVerifier = (signature, message, account) => {
    const id = byteString(signature.signature);
    const verdict = this.#verdicts.get(id);
    if (verdict === undefined) return this.fallback(signature, message, account);
    this.#verdicts.delete(id);
    if (
      verdict.type !== signature.type || !equalBytes(verdict.message, message) ||
      !equalBytes(verdict.account, account)
    ) {
      return this.fallback(signature, message, account);
    }
    return verdict.valid;
  };
}
