/**
 * Applying a block's extrinsics while their signatures are verified on
 * other threads: batches go to the pool up front, and the main thread applies
 * batch k as soon as its verdicts are in, while the workers verify batch k+1.
 *
 * @module
 */
import type { SignatureCheck } from "../../runtime/executive/executive.ts";
import type { SignatureVerifierPool } from "./pool.ts";
import type { VerifiedSignatures } from "./verified.ts";

/** Extrinsics to apply in order, and the signature each will be asked to carry. */
export interface ExtrinsicSteps {
  readonly count: number;
  /** The signature extrinsic `index` must carry, if any. */
  signatureCheck(index: number): SignatureCheck | undefined;
  /** Applies extrinsic `index` (through an executive whose verifier is `verified.verify`). */
  apply(index: number): void;
}

/** Extrinsics per batch: small enough to overlap well, large enough to amortize a message. */
const BATCH = 256;

/**
 * Applies every step in order, with signature verdicts from `pool` recorded
 * in `verified` before each batch is applied. Verdicts left unused (when a
 * step throws) are cleared.
 */
export async function applyWithVerifiedSignatures(
  steps: ExtrinsicSteps,
  pool: SignatureVerifierPool,
  verified: VerifiedSignatures,
): Promise<void> {
  const batches: { start: number; checks: SignatureCheck[]; verdicts: Promise<boolean[]> }[] = [];
  for (let start = 0; start < steps.count; start += BATCH) {
    const checks: SignatureCheck[] = [];
    for (let i = start; i < Math.min(start + BATCH, steps.count); i++) {
      const check = steps.signatureCheck(i);
      if (check) checks.push(check);
    }
    batches.push({ start, checks, verdicts: pool.verify(checks) });
  }
  try {
    for (const { start, checks, verdicts } of batches) {
      const valid = await verdicts;
      checks.forEach((check, i) => verified.record(check, valid[i]));
      for (let i = start; i < Math.min(start + BATCH, steps.count); i++) steps.apply(i);
    }
  } finally {
    verified.clear();
    // Later batches may still be in flight; their failures no longer matter.
    for (const { verdicts } of batches) verdicts.catch(() => {});
  }
}
