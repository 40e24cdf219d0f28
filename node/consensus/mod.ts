/**
 * Consensus: slot authorship (Aura-style seals), block authoring, and
 * finality.
 *
 * @module
 */
export { AuraVerifier, sealHeader, slotAt, slotAuthor, slotDigest } from "./aura.ts";
export { type AuthorInit, BlockAuthor, type SealMode } from "./author.ts";
export { EquivocationReporter } from "./equivocation.ts";
export {
  type Proposal,
  proposeBlock,
  type RejectedTransaction,
  type TransactionSource,
} from "./proposer.ts";
