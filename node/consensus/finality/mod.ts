/**
 * Finality: votes, justifications and the gadget that finalizes blocks.
 *
 * @module
 */
export { FinalityGadget, type FinalityInit, type VoteOutcome } from "./gadget.ts";
export {
  decodeJustification,
  decodeVote,
  encodeJustification,
  encodeVote,
  type Justification,
  type SignedVote,
  signVote,
  type Vote,
  voteSignatureValid,
} from "./vote.ts";
export type { Equivocation } from "./_tally.ts";
