/**
 * Finality votes and justifications, with their SCALE layouts.
 *
 * A vote is staking's `Vote` (set id, round, stage, target) signed over
 * staking's `votePayload` (domain tag and genesis hash first), so that two
 * conflicting votes a voter signed are, as they are, a proof the chain can
 * slash. A justification is the set of signed precommits that finalized a
 * block, checkable by anyone who knows the voter set (a light client too).
 *
 * @module
 */
import { decode, encode, t, type ValueOf } from "../../../runtime/codec/types.ts";
import { type Keypair, verifyNative } from "../../../runtime/crypto/mod.ts";
import { type Vote, votePayload, voteType } from "../../../pallets/staking/equivocation.ts";

/** A vote with its voter and signature, as gossiped and kept in justifications. */
export const signedVoteType = t.struct("SignedVote", {
  vote: voteType,
  voter: t.accountId,
  signature: t.signature,
});

/** A signed vote. */
export type SignedVote = ValueOf<typeof signedVoteType>;

/** The precommits that finalized `targetHash`. */
export const justificationType = t.struct("FinalityJustification", {
  round: t.u64,
  setId: t.u64,
  targetHash: t.hash,
  targetNumber: t.u32,
  precommits: t.vec(signedVoteType),
});

/** A justification. */
export type Justification = ValueOf<typeof justificationType>;

export type { Vote };

/** `vote` signed by `voter` for the chain of `genesisHash`. */
export function signVote(vote: Vote, voter: Keypair, genesisHash: Uint8Array): SignedVote {
  return { vote, voter: voter.publicKey, signature: voter.sign(votePayload(vote, genesisHash)) };
}

/** Whether a vote's signature is its voter's, for the chain of `genesisHash`. */
export function voteSignatureValid(signed: SignedVote, genesisHash: Uint8Array): boolean {
  return verifyNative(signed.signature, votePayload(signed.vote, genesisHash), signed.voter);
}

/** SCALE of a signed vote (as gossiped). */
export const encodeVote = (vote: SignedVote): Uint8Array => encode(signedVoteType, vote);

/** Decodes a gossiped vote; throws `DecodeError` on garbage. */
export const decodeVote = (bytes: Uint8Array): SignedVote => decode(signedVoteType, bytes, "vote");

/** SCALE of a justification (as stored and served). */
export const encodeJustification = (j: Justification): Uint8Array => encode(justificationType, j);

/** Decodes a justification; throws `DecodeError` on garbage. */
export const decodeJustification = (bytes: Uint8Array): Justification =>
  decode(justificationType, bytes, "justification");
