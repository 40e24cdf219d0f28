/**
 * The voter's record as the database keeps it (SCALE): its set, round, base
 * and own votes, the last completed round with its state and votes, and the
 * round's prevotes at hand.
 *
 * @module
 */
import { decode, encode, t, type Type, type ValueOf } from "../../../runtime/codec/types.ts";
import { fromHex, toHexRaw } from "../../../runtime/primitives/hex.ts";
import type { RoundState, Vote } from "./round.ts";
import type { BlockRef } from "./vote_graph.ts";
import type { VoterRecord } from "./voter.ts";

const blockRefType = t.struct("BlockRef", { hash: t.hash, number: t.u32 });

const voteType = t.struct("RecordedVote", {
  stage: t.enum("Stage", { Prevote: null, Precommit: null }),
  target: blockRefType,
  voter: t.named(t.fixedBytes(32), "AuthorityId"),
  signature: t.signature,
});

const votesType = t.vec(voteType);

/**
 * The round's prevotes, last in the record: a record written before they
 * were kept ends without them and reads as holding none, so that a node
 * upgraded in the middle of a round still knows its own votes.
 */
const prevotesType: Type<ValueOf<typeof votesType>> = {
  desc: votesType.desc,
  encodeTo: (w, votes) => votesType.encodeTo(w, votes),
  decodeFrom: (r) => r.remaining === 0 ? [] : votesType.decodeFrom(r),
};

const roundStateType = t.struct("RoundState", {
  prevoteGhost: t.option(blockRefType),
  finalized: t.option(blockRefType),
  estimate: t.option(blockRefType),
  completable: t.bool,
});

const recordType = t.struct("VoterRecord", {
  setId: t.u64,
  round: t.u64,
  base: blockRefType,
  mine: votesType,
  completed: t.struct("CompletedRound", {
    round: t.u64,
    base: blockRefType,
    state: roundStateType,
    votes: votesType,
  }),
  prevotes: prevotesType,
});

type StoredRef = ValueOf<typeof blockRefType>;

const refOut = (ref: BlockRef): StoredRef => ({ hash: fromHex(ref.hash), number: ref.number });
const refIn = (ref: StoredRef): BlockRef => ({ hash: toHexRaw(ref.hash), number: ref.number });
const optOut = (ref: BlockRef | undefined) => ref && refOut(ref);

const voteOut = (vote: Vote): ValueOf<typeof voteType> => ({
  stage: { tag: vote.stage === "prevote" ? "Prevote" : "Precommit" },
  target: refOut(vote.target),
  voter: fromHex(vote.voter),
  signature: vote.signature,
});
const voteIn = (vote: ValueOf<typeof voteType>): Vote => ({
  stage: vote.stage.tag === "Prevote" ? "prevote" : "precommit",
  target: refIn(vote.target),
  voter: toHexRaw(vote.voter),
  signature: vote.signature,
});

function stateIn(state: ValueOf<typeof roundStateType>): RoundState {
  const out: RoundState = { completable: state.completable };
  if (state.prevoteGhost) out.prevoteGhost = refIn(state.prevoteGhost);
  if (state.finalized) out.finalized = refIn(state.finalized);
  if (state.estimate) out.estimate = refIn(state.estimate);
  return out;
}

/** SCALE of a voter record. */
export function encodeRecord(record: VoterRecord): Uint8Array {
  const { completed } = record;
  return encode(recordType, {
    setId: BigInt(record.setId),
    round: BigInt(record.round),
    base: refOut(record.base),
    mine: record.mine.map(voteOut),
    completed: {
      round: BigInt(completed.round),
      base: refOut(completed.base),
      state: {
        prevoteGhost: optOut(completed.state.prevoteGhost),
        finalized: optOut(completed.state.finalized),
        estimate: optOut(completed.state.estimate),
        completable: completed.state.completable,
      },
      votes: completed.votes.map(voteOut),
    },
    prevotes: record.prevotes.map(voteOut),
  });
}

/** Decodes a voter record; throws `DecodeError` on garbage. */
export function decodeRecord(bytes: Uint8Array): VoterRecord {
  const record = decode(recordType, bytes, "voter record");
  return {
    setId: Number(record.setId),
    round: Number(record.round),
    base: refIn(record.base),
    mine: record.mine.map(voteIn),
    completed: {
      round: Number(record.completed.round),
      base: refIn(record.completed.base),
      state: stateIn(record.completed.state),
      votes: record.completed.votes.map(voteIn),
    },
    prevotes: record.prevotes.map(voteIn),
  };
}
