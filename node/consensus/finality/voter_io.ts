/**
 * What goes into the GRANDPA voter and what comes out of it: the chain and
 * key it is given, the messages it sends and takes, the actions it asks its
 * host for, the record it persists and the report it gives.
 *
 * @module
 */
import type { CatchUp, Commit } from "./_proofs.ts";
import type { Equivocation, RoundState, Vote } from "./round.ts";
import type { Ancestry, BlockRef, Stage } from "./vote_graph.ts";
import type { VoterSet } from "./voter_set.ts";

export type { CatchUp, Commit };

/** What the voter needs of the chain. */
export interface VoterChain extends Ancestry {
  /**
   * The block to vote for on the chain containing `base`: the best
   * descendant of `base` this set may vote for (not past a block that
   * enacts an authority set change), or `undefined` when `base` is unknown.
   */
  bestChainContaining(base: BlockRef): BlockRef | undefined;
}

/** This node's voting key. */
export interface VoterKey {
  /** Its session key, raw hex. */
  id: string;
  /** Signs a message of `stage` for `target` in `round` of set `setId`. */
  sign(stage: Stage | "primary", target: BlockRef, round: number, setId: number): Uint8Array;
}

/** A primary's proposal: the last round's estimate, as a hint to prevote on. */
export interface PrimaryProposal {
  target: BlockRef;
  voter: string;
  signature: Uint8Array;
}

/** A round's completed state, kept for the next round and for catch-ups. */
export interface CompletedRound {
  round: number;
  base: BlockRef;
  state: RoundState;
  votes: Vote[];
}

/** What the voter persists before it sends a vote: enough to resume safely. */
export interface VoterRecord {
  setId: number;
  /** The round the voter is in, its base and the votes it cast in it. */
  round: number;
  base: BlockRef;
  mine: Vote[];
  /**
   * The round's prevotes at hand, its own and its peers': those its
   * precommit rests on. Peers that never saw them (an equivocator's, sent
   * to some only) need them to see the round completable; after a restart
   * the voter alone may still hold them.
   */
  prevotes: Vote[];
  /** The last round it completed (round 0 with the set's base at the start of a set). */
  completed: CompletedRound;
}

/** A voter's view, sent to neighbours: its set, round and last finalized number. */
export interface NeighbourPacket {
  setId: number;
  round: number;
  finalized: number;
}

/** A message for the other voters. */
export type Outgoing =
  | { kind: "vote"; setId: number; round: number; vote: Vote }
  | { kind: "primary"; setId: number; round: number; proposal: PrimaryProposal }
  | { kind: "commit"; setId: number; commit: Commit }
  | { kind: "neighbour"; packet: NeighbourPacket };

/** What the voter asks of its host, in order. */
export type VoterAction =
  | { kind: "persist"; record: VoterRecord }
  | { kind: "send"; message: Outgoing }
  | { kind: "finalize"; commit: Commit }
  | { kind: "equivocation"; setId: number; equivocation: Equivocation }
  | { kind: "catch-up"; peer: string; setId: number; round: number }
  | { kind: "behind"; peer: string };

/**
 * Where a vote of a round went: counted (or a repeat, or evidence) in a
 * live round, kept for a round soon to come, waiting for its block, or
 * dropped as stale or not a voter's.
 */
export type VoteFate = "live" | "future" | "waiting" | "stale" | "not-voter";

/** One round's participation and decisions. */
export interface RoundReport {
  round: number;
  /** Who prevoted and who precommitted (session keys, raw hex). */
  prevoted: string[];
  precommitted: string[];
  state: RoundState;
}

/** The voter's rounds, for logs and RPC. */
export interface VoterReport {
  setId: number;
  threshold: number;
  /** The set's voters (session keys, raw hex). */
  voters: readonly string[];
  phase: string;
  best: RoundReport;
  background: RoundReport[];
  finalized: BlockRef;
}

/** Timing, in milliseconds. */
export interface VoterTiming {
  /** `T`: how long a message takes to reach the other voters. */
  gossipMs: number;
  /** How often own votes (and the neighbour packet) are sent again. Default `4T`. */
  rebroadcastMs?: number;
  /** How long a catch-up request may stay unanswered before another. Default `10T`. */
  catchUpTimeoutMs?: number;
  /** How often one peer may be reported `behind`. Default `10T`. */
  behindIntervalMs?: number;
}

/** How a voter starts. */
export interface VoterInit {
  set: VoterSet;
  chain: VoterChain;
  timing: VoterTiming;
  /** The chain's last finalized block. */
  finalized: BlockRef;
  /** This node's key, when it is one of the voters. */
  key?: VoterKey;
  /** The record the voter persisted last, for this set. */
  record?: VoterRecord;
  now: number;
}
