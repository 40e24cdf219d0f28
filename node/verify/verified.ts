/**
 * Verdicts reached ahead of time, handed to the executive as its verifier.
 *
 * @module
 */
import type { SignatureCheck } from "../../runtime/executive/executive.ts";
import type { SignatureVerifier } from "../../runtime/executive/runtime.ts";
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
    { message: Uint8Array; publicKey: Uint8Array; valid: boolean }
  >();

  constructor(readonly fallback: SignatureVerifier) {}

  /** Records the verdict on one check. */
  record(check: SignatureCheck, valid: boolean): void {
    this.#verdicts.set(byteString(check.signature), {
      message: check.message,
      publicKey: check.publicKey,
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
  readonly verify: SignatureVerifier = (signature, message, publicKey) => {
    const id = byteString(signature);
    const verdict = this.#verdicts.get(id);
    if (verdict === undefined) return this.fallback(signature, message, publicKey);
    this.#verdicts.delete(id);
    if (!equalBytes(verdict.message, message) || !equalBytes(verdict.publicKey, publicKey)) {
      return this.fallback(signature, message, publicKey);
    }
    return verdict.valid;
  };
}
