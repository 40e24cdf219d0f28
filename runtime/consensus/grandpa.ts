/**
 * GRANDPA's primitives with Substrate's layouts (`sp_consensus_grandpa` and
 * `finality-grandpa`): votes and what their signatures cover, commits and
 * justifications, the `FRNK` consensus log that schedules an authority set
 * change, and equivocation proofs.
 *
 * A vote's signature covers `SCALE((message, round: u64, set_id: u64))`,
 * exactly as Substrate's `localized_payload`, so that Substrate tooling and
 * a light client can check our votes and justifications. As in Substrate,
 * nothing chain-specific is signed beyond the target hash: a session key
 * must not vote on two chains.
 *
 * Every authority weighs one vote, as in Substrate's GRANDPA (its authority
 * lists carry a weight, and our runtime sets it to 1).
 *
 * @module
 */
import { type DigestItem, headerType } from "../block/header.ts";
import { decode, encode, t, type ValueOf } from "../codec/types.ts";
import { equalBytes, utf8 } from "../primitives/bytes.ts";

/** The consensus engine id of GRANDPA's digest items. */
export const GRANDPA_ENGINE_ID = "FRNK";

/** An authority's session key (ed25519). */
const authorityId = t.named(t.fixedBytes(32), "AuthorityId");

/** A vote for a block: its hash and number. */
const targetFields = { targetHash: t.hash, targetNumber: t.u32 };

/** A prevote. */
export const prevoteType = t.struct("Prevote", targetFields);
/** A precommit. */
export const precommitType = t.struct("Precommit", targetFields);
/** A primary's proposal (the last round's estimate, as a hint). */
export const primaryProposeType = t.struct("PrimaryPropose", targetFields);

/** What a voter signs: one of the three kinds of message. */
export const messageType = t.enum("Message", {
  Prevote: prevoteType,
  Precommit: precommitType,
  PrimaryPropose: primaryProposeType,
});

/** A vote's block target. */
export type VoteTarget = ValueOf<typeof prevoteType>;
/** A GRANDPA message. */
export type Message = ValueOf<typeof messageType>;

/** A message with its signature and signer, as gossiped. */
export const signedMessageType = t.struct("SignedMessage", {
  message: messageType,
  signature: t.signature,
  id: authorityId,
});

/** A signed message. */
export type SignedMessage = ValueOf<typeof signedMessageType>;

/** A precommit with its signature and signer, as commits and justifications carry it. */
export const signedPrecommitType = t.struct("SignedPrecommit", {
  precommit: precommitType,
  signature: t.signature,
  id: authorityId,
});

/** A signed precommit. */
export type SignedPrecommit = ValueOf<typeof signedPrecommitType>;

/** A prevote with its signature and signer, as catch-up messages carry it. */
export const signedPrevoteType = t.struct("SignedPrevote", {
  prevote: prevoteType,
  signature: t.signature,
  id: authorityId,
});

/** A signed prevote. */
export type SignedPrevote = ValueOf<typeof signedPrevoteType>;

/** A block and the precommits that finalize it. */
export const commitType = t.struct("Commit", {
  ...targetFields,
  precommits: t.vec(signedPrecommitType),
});

/** A commit. */
export type Commit = ValueOf<typeof commitType>;

/**
 * A justification: the round, its commit, and every header between the
 * commit's target and each precommit's target, so that it is checkable with
 * no other block at hand (`sp_consensus_grandpa::GrandpaJustification`).
 */
export const justificationType = t.struct("GrandpaJustification", {
  round: t.u64,
  commit: commitType,
  votesAncestries: t.vec(headerType),
});

/** A justification. */
export type GrandpaJustification = ValueOf<typeof justificationType>;

/** SCALE of a justification (as stored and served). */
export const encodeJustification = (j: GrandpaJustification): Uint8Array =>
  encode(justificationType, j);

/** Decodes a justification; throws `DecodeError` on garbage. */
export const decodeJustification = (bytes: Uint8Array): GrandpaJustification =>
  decode(justificationType, bytes, "justification");

/**
 * The bytes a vote's signature covers: `SCALE((message, round, setId))`.
 *
 * @example
 * ```ts
 * import { localizedPayload } from "./grandpa.ts";
 * const message = {
 *   tag: "Precommit" as const,
 *   value: { targetHash: new Uint8Array(32), targetNumber: 7 },
 * };
 * // 1 (variant) + 32 (hash) + 4 (number) + 8 (round) + 8 (set id)
 * if (localizedPayload(message, 1n, 0n).length !== 53) throw new Error();
 * ```
 */
export function localizedPayload(message: Message, round: bigint, setId: bigint): Uint8Array {
  const body = encode(messageType, message);
  const out = new Uint8Array(body.length + 16);
  out.set(body);
  const view = new DataView(out.buffer);
  view.setBigUint64(body.length, round, true);
  view.setBigUint64(body.length + 8, setId, true);
  return out;
}

/** An authority list: session keys with their weights (always 1 here). */
export const authorityListType = t.vec(
  t.tuple(authorityId, t.named(t.u64, "AuthorityWeight")),
);

/** A change of authority set, enacted `delay` blocks after the block that signals it. */
export const scheduledChangeType = t.struct("ScheduledChange", {
  nextAuthorities: authorityListType,
  delay: t.u32,
});

/** A scheduled change. */
export type ScheduledChange = ValueOf<typeof scheduledChangeType>;

/** GRANDPA's consensus log (`sp_consensus_grandpa::ConsensusLog`); only standard changes are used. */
export const consensusLogType = t.enum("ConsensusLog", {
  ScheduledChange: scheduledChangeType,
  ForcedChange: t.tuple(t.u32, scheduledChangeType),
  OnDisabled: t.u64,
  Pause: t.u32,
  Resume: t.u32,
}, { ScheduledChange: 1, ForcedChange: 2, OnDisabled: 3, Pause: 4, Resume: 5 });

/** The digest item that schedules a change to `authorities` (each of weight 1). */
export function scheduledChangeLog(authorities: Uint8Array[], delay = 0): DigestItem {
  const log = encode(consensusLogType, {
    tag: "ScheduledChange",
    value: { nextAuthorities: authorities.map((key): [Uint8Array, bigint] => [key, 1n]), delay },
  });
  return { tag: "Consensus", value: [utf8(GRANDPA_ENGINE_ID), log] };
}

/**
 * The standard change a header's digest schedules, if any.
 *
 * @throws `DecodeError` when a `FRNK` consensus item does not decode
 */
export function scheduledChangeOf(digest: DigestItem[]): ScheduledChange | undefined {
  const engine = utf8(GRANDPA_ENGINE_ID);
  for (const item of digest) {
    if (item.tag !== "Consensus" || !equalBytes(item.value[0], engine)) continue;
    const log = decode(consensusLogType, item.value[1], "GRANDPA consensus log");
    if (log.tag === "ScheduledChange") return log.value;
  }
  return undefined;
}

/** Two different votes of one stage, signed by `identity` in one round. */
function equivocationType(name: string, vote: typeof prevoteType) {
  return t.struct(name, {
    roundNumber: t.u64,
    identity: authorityId,
    first: t.tuple(vote, t.signature),
    second: t.tuple(vote, t.signature),
  });
}

/**
 * Proof that an authority signed two different prevotes, or precommits, in
 * one round of one set (`sp_consensus_grandpa::EquivocationProof`).
 */
export const grandpaEquivocationProofType = t.struct("GrandpaEquivocationProof", {
  setId: t.u64,
  equivocation: t.enum("GrandpaEquivocation", {
    Prevote: equivocationType("PrevoteEquivocation", prevoteType),
    Precommit: equivocationType("PrecommitEquivocation", precommitType),
  }),
});

/** A GRANDPA equivocation proof. */
export type GrandpaEquivocationProof = ValueOf<typeof grandpaEquivocationProofType>;
