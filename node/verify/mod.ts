/**
 * Signature verification off the main thread: a worker pool, the verdicts it
 * hands the executive, and block application that overlaps the two.
 *
 * @module
 */
export { SignatureVerifierPool } from "./pool.ts";
export { VerifiedSignatures } from "./verified.ts";
export { applyWithVerifiedSignatures, type ExtrinsicSteps } from "./pipeline.ts";
