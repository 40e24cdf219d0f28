/**
 * Finality votes and justifications, with their SCALE layouts.
 *
 * A vote is a voter's signature over `("sutantra-finality", kind, target
 * hash, target number, round, set id)`; a justification is the set of
 * precommits that finalized a block, checkable by anyone who knows the voter
 * set (a light client included).
 *
 * @module
 */
import { decode, encode, t, type ValueOf } from "../../../runtime/codec/types.ts";
import { concatBytes } from "../../../runtime/primitives/bytes.ts";
import { type Keypair, verifyNative } from "../../../runtime/crypto/mod.ts";

/** A voter's vote in a round. */
export const voteType = t.struct("FinalityVote", {
  kind: t.enum("VoteKind", { Prevote: null, Precommit: null }),
  targetHash: t.hash,
  targetNumber: t.u32,
  round: t.u64,
  setId: t.u64,
  voter: t.accountId,
  signature: t.signature,
});

/** A signed vote. */
export type Vote = ValueOf<typeof voteType>;

/** The precommits that finalized `targetHash`. */
export const justificationType = t.struct("FinalityJustification", {
  round: t.u64,
  setId: t.u64,
  targetHash: t.hash,
  targetNumber: t.u32,
  precommits: t.vec(voteType),
});

/** A justification. */
export type Justification = ValueOf<typeof justificationType>;

const DOMAIN = new TextEncoder().encode("sutantra-finality");

/** The bytes a voter signs. */
export function votePayload(vote: Omit<Vote, "voter" | "signature">): Uint8Array {
  const unsigned = { ...vote, voter: new Uint8Array(32), signature: new Uint8Array(64) };
  return concatBytes(DOMAIN, encode(voteType, unsigned).subarray(0, -(32 + 64)));
}

/** A vote signed by `voter`. */
export function signVote(
  vote: Omit<Vote, "voter" | "signature">,
  voter: Keypair,
): Vote {
  return { ...vote, voter: voter.publicKey, signature: voter.sign(votePayload(vote)) };
}

/** Whether a vote's signature is its voter's. */
export function voteSignatureValid(vote: Vote): boolean {
  return verifyNative(vote.signature, votePayload(vote), vote.voter);
}

/** SCALE of a vote (as gossiped). */
export const encodeVote = (vote: Vote): Uint8Array => encode(voteType, vote);

/** Decodes a gossiped vote; throws `DecodeError` on garbage. */
export const decodeVote = (bytes: Uint8Array): Vote => decode(voteType, bytes, "vote");

/** SCALE of a justification (as stored and served). */
export const encodeJustification = (j: Justification): Uint8Array => encode(justificationType, j);

/** Decodes a justification; throws `DecodeError` on garbage. */
export const decodeJustification = (bytes: Uint8Array): Justification =>
  decode(justificationType, bytes, "justification");
