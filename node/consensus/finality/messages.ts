/**
 * GRANDPA's network messages, laid out as Substrate's gossip messages
 * (`sc-consensus-grandpa`'s `GossipMessage`): votes, commits and neighbour
 * packets on the `grandpa` gossip topic, and catch-up requests and answers
 * on a request-response protocol. Converts between the wire (bytes, u64
 * rounds) and the voter's own types (hex hashes, number rounds).
 *
 * @module
 */
import {
  messageType,
  precommitType,
  signedMessageType,
  signedPrecommitType,
  signedPrevoteType,
  type VoteTarget,
} from "../../../runtime/consensus/grandpa.ts";
import { decode, DecodeError, encode, t, type ValueOf } from "../../../runtime/codec/types.ts";
import { fromHex, toHexRaw } from "../../../runtime/primitives/hex.ts";
import type { Vote } from "./round.ts";
import type { BlockRef, Stage } from "./vote_graph.ts";
import type { CatchUp, Commit, NeighbourPacket, PrimaryProposal } from "./voter.ts";

const authorityId = t.named(t.fixedBytes(32), "AuthorityId");

/** A commit with its signatures apart from its precommits (Substrate's `CompactCommit`). */
const compactCommitType = t.struct("CompactCommit", {
  targetHash: t.hash,
  targetNumber: t.u32,
  precommits: t.vec(precommitType),
  authData: t.vec(t.tuple(t.signature, authorityId)),
});

/** A gossiped GRANDPA message. */
export const gossipMessageType = t.enum("GossipMessage", {
  Vote: t.struct("VoteMessage", { round: t.u64, setId: t.u64, message: signedMessageType }),
  Commit: t.struct("FullCommitMessage", {
    round: t.u64,
    setId: t.u64,
    message: compactCommitType,
  }),
  Neighbor: t.enum("VersionedNeighborPacket", {
    V1: t.struct("NeighborPacket", {
      round: t.u64,
      setId: t.u64,
      commitFinalizedHeight: t.u32,
    }),
  }, { V1: 1 }),
});

/** A catch-up request: the requester's round and set. */
export const catchUpRequestType = t.struct("CatchUpRequestMessage", { round: t.u64, setId: t.u64 });

/** A catch-up answer: a completed round's votes and base. */
export const catchUpType = t.struct("FullCatchUpMessage", {
  setId: t.u64,
  message: t.struct("CatchUp", {
    roundNumber: t.u64,
    prevotes: t.vec(signedPrevoteType),
    precommits: t.vec(signedPrecommitType),
    baseHash: t.hash,
    baseNumber: t.u32,
  }),
});

/** What arrives on the gossip topic, in the voter's terms. */
export type GossipIn =
  | { kind: "vote"; setId: number; round: number; vote: Vote }
  | { kind: "primary"; setId: number; round: number; proposal: PrimaryProposal }
  | { kind: "commit"; setId: number; commit: Commit }
  | { kind: "neighbour"; packet: NeighbourPacket };

/** The largest round or set id taken from the wire: beyond it a number is not exact. */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function small(value: bigint, what: string): number {
  if (value > MAX_SAFE) throw new DecodeError(`${what} ${value} is out of range`);
  return Number(value);
}

const toRef = (target: VoteTarget): BlockRef => ({
  hash: toHexRaw(target.targetHash),
  number: target.targetNumber,
});
const toTarget = (ref: BlockRef): VoteTarget => ({
  targetHash: fromHex(ref.hash),
  targetNumber: ref.number,
});

/** A vote of `stage` for `target` by `id`, as the voter counts it. */
function toVote(stage: Stage, target: VoteTarget, id: Uint8Array, signature: Uint8Array): Vote {
  return { stage, target: toRef(target), voter: toHexRaw(id), signature };
}

/**
 * Decodes a gossiped message.
 *
 * @throws `DecodeError` on garbage, or on rounds and set ids beyond 2^53
 */
export function decodeGossip(bytes: Uint8Array): GossipIn {
  const message = decode(gossipMessageType, bytes, "GRANDPA message");
  switch (message.tag) {
    case "Vote": {
      const { round, setId, message: signed } = message.value;
      const r = small(round, "round");
      const s = small(setId, "set id");
      const { message: inner, id, signature } = signed;
      if (inner.tag === "PrimaryPropose") {
        const proposal = { target: toRef(inner.value), voter: toHexRaw(id), signature };
        return { kind: "primary", setId: s, round: r, proposal };
      }
      const stage = inner.tag === "Prevote" ? "prevote" : "precommit";
      return { kind: "vote", setId: s, round: r, vote: toVote(stage, inner.value, id, signature) };
    }
    case "Commit": {
      const { round, setId, message: compact } = message.value;
      if (compact.precommits.length !== compact.authData.length) {
        throw new DecodeError("Cannot decode GRANDPA message: a commit's signatures do not match");
      }
      const precommits = compact.precommits.map((p, i) =>
        toVote("precommit", p, compact.authData[i][1], compact.authData[i][0])
      );
      const commit = { round: small(round, "round"), target: toRef(compact), precommits };
      return { kind: "commit", setId: small(setId, "set id"), commit };
    }
    case "Neighbor": {
      const packet = message.value.value;
      return {
        kind: "neighbour",
        packet: {
          setId: small(packet.setId, "set id"),
          round: small(packet.round, "round"),
          finalized: packet.commitFinalizedHeight,
        },
      };
    }
  }
}

/** The signed message a vote's signature covers (its `Message`). */
export function voteMessage(
  stage: Stage | "primary",
  target: BlockRef,
): ValueOf<typeof messageType> {
  const value = toTarget(target);
  return stage === "prevote"
    ? { tag: "Prevote", value }
    : stage === "precommit"
    ? { tag: "Precommit", value }
    : { tag: "PrimaryPropose", value };
}

/** Encodes a vote of `round` for gossip. */
export function encodeVote(setId: number, round: number, vote: Vote): Uint8Array {
  return encodeSigned(setId, round, vote.stage, vote.target, vote.signature, vote.voter);
}

/** Encodes a primary's proposal for gossip (a `Vote` message carrying `PrimaryPropose`). */
export function encodePrimary(setId: number, round: number, proposal: PrimaryProposal): Uint8Array {
  const { target, signature, voter } = proposal;
  return encodeSigned(setId, round, "primary", target, signature, voter);
}

function encodeSigned(
  setId: number,
  round: number,
  stage: Stage | "primary",
  target: BlockRef,
  signature: Uint8Array,
  voter: string,
): Uint8Array {
  return encode(gossipMessageType, {
    tag: "Vote",
    value: {
      round: BigInt(round),
      setId: BigInt(setId),
      message: { message: voteMessage(stage, target), signature, id: fromHex(voter) },
    },
  });
}

/** Encodes a commit for gossip. */
export function encodeCommit(setId: number, commit: Commit): Uint8Array {
  return encode(gossipMessageType, {
    tag: "Commit",
    value: {
      round: BigInt(commit.round),
      setId: BigInt(setId),
      message: {
        ...toTarget(commit.target),
        precommits: commit.precommits.map((v) => toTarget(v.target)),
        authData: commit.precommits.map((v): [Uint8Array, Uint8Array] => [
          v.signature,
          fromHex(v.voter),
        ]),
      },
    },
  });
}

/** Encodes a neighbour packet for gossip. */
export function encodeNeighbour(packet: NeighbourPacket): Uint8Array {
  return encode(gossipMessageType, {
    tag: "Neighbor",
    value: {
      tag: "V1",
      value: {
        round: BigInt(packet.round),
        setId: BigInt(packet.setId),
        commitFinalizedHeight: packet.finalized,
      },
    },
  });
}

/** The precommits of a commit as a justification carries them. */
export function signedPrecommits(votes: Vote[]): ValueOf<typeof signedPrecommitType>[] {
  return votes.map((v) => ({
    precommit: toTarget(v.target),
    signature: v.signature,
    id: fromHex(v.voter),
  }));
}

/** Encodes a catch-up request. */
export function encodeCatchUpRequest(setId: number, round: number): Uint8Array {
  return encode(catchUpRequestType, { setId: BigInt(setId), round: BigInt(round) });
}

/** Decodes a catch-up request; throws `DecodeError` on garbage. */
export function decodeCatchUpRequest(bytes: Uint8Array): { setId: number; round: number } {
  const request = decode(catchUpRequestType, bytes, "catch-up request");
  return { setId: small(request.setId, "set id"), round: small(request.round, "round") };
}

/** Encodes a catch-up answer. */
export function encodeCatchUp(catchUp: CatchUp): Uint8Array {
  return encode(catchUpType, {
    setId: BigInt(catchUp.setId),
    message: {
      roundNumber: BigInt(catchUp.round),
      prevotes: catchUp.prevotes.map((v) => ({
        prevote: toTarget(v.target),
        signature: v.signature,
        id: fromHex(v.voter),
      })),
      precommits: signedPrecommits(catchUp.precommits),
      baseHash: fromHex(catchUp.base.hash),
      baseNumber: catchUp.base.number,
    },
  });
}

/** Decodes a catch-up answer; throws `DecodeError` on garbage. */
export function decodeCatchUp(bytes: Uint8Array): CatchUp {
  const { setId, message } = decode(catchUpType, bytes, "catch-up");
  return {
    setId: small(setId, "set id"),
    round: small(message.roundNumber, "round"),
    base: { hash: toHexRaw(message.baseHash), number: message.baseNumber },
    prevotes: message.prevotes.map((p) => toVote("prevote", p.prevote, p.id, p.signature)),
    precommits: message.precommits.map((p) => toVote("precommit", p.precommit, p.id, p.signature)),
  };
}
