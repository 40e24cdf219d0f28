/**
 * What a peer's commit or catch-up proves, checked against the voter set
 * and the chain (their signatures are the host's to check first). Pure:
 * the voter acts on the verdicts.
 *
 * @module
 */
import { type Equivocation, Round, type Vote } from "./round.ts";
import type { Ancestry, BlockRef } from "./vote_graph.ts";
import type { VoterSet } from "./voter_set.ts";

/** A commit: a block and precommits that finalize it. */
export interface Commit {
  round: number;
  target: BlockRef;
  precommits: Vote[];
}

/** A completed round handed to a lagging voter. */
export interface CatchUp {
  setId: number;
  round: number;
  base: BlockRef;
  prevotes: Vote[];
  precommits: Vote[];
}

/**
 * Whether `commit` finalizes its target (`finality-grandpa`'s
 * `validate_commit`): a supermajority of the set precommitted to the target
 * or above it, an equivocator counting for every block. `known` when the
 * target is final already; `unknown` when the blocks it names are not here.
 */
export function commitVerdict(
  commit: Commit,
  set: VoterSet,
  chain: Ancestry,
  finalizedNumber: number,
): "valid" | "known" | "invalid" | "unknown" {
  if (commit.target.number <= finalizedNumber) return "known";
  if (!chain.has(commit.target.hash)) return "unknown";
  const byVoter = new Map<string, Vote[]>();
  for (const vote of commit.precommits) {
    if (vote.stage !== "precommit" || !set.has(vote.voter)) return "invalid";
    byVoter.set(vote.voter, [...byVoter.get(vote.voter) ?? [], vote]);
  }
  let support = 0;
  let unknown = 0;
  for (const votes of byVoter.values()) {
    if (votes.length > 2 || (votes.length === 2 && votes[0].target.hash === votes[1].target.hash)) {
      return "invalid";
    }
    const target = votes[0].target;
    if (votes.length === 2) support++;
    else if (!chain.has(target.hash)) unknown++;
    else if (target.hash === commit.target.hash || chain.ancestry(commit.target, target)) support++;
    else return "invalid";
  }
  if (support >= set.threshold) return "valid";
  return support + unknown >= set.threshold ? "unknown" : "invalid";
}

/** A round a catch-up proves completable, with the votes it could not place yet. */
export interface ProvenRound {
  round: Round;
  /** Votes for blocks not here: counted as silence, to count once the blocks come. */
  waiting: Vote[];
  equivocations: Equivocation[];
}

/**
 * The round `catchUp` proves: more than two thirds of the set prevoted and
 * precommitted in it, and its votes make it completable. `bad` when its
 * votes cannot be a round's (too few voters, a vote of the wrong stage or
 * of no voter); `incomplete` when they do not show the round completable (an
 * honest peer may hold too few); `unknown` when blocks it names are missing.
 */
export function provenRound(
  catchUp: CatchUp,
  set: VoterSet,
  chain: Ancestry,
): ProvenRound | "bad" | "incomplete" | "unknown" {
  const distinct = (votes: Vote[]) => new Set(votes.map((v) => v.voter)).size;
  if (
    catchUp.prevotes.some((v) => v.stage !== "prevote") ||
    catchUp.precommits.some((v) => v.stage !== "precommit") ||
    distinct(catchUp.prevotes) < set.threshold || distinct(catchUp.precommits) < set.threshold
  ) return "bad";
  if (!chain.has(catchUp.base.hash)) return "unknown";
  const round = new Round(catchUp.round, set, catchUp.base);
  const equivocations: Equivocation[] = [];
  const waiting: Vote[] = [];
  for (const vote of [...catchUp.prevotes, ...catchUp.precommits]) {
    const outcome = round.import(vote, chain);
    if (outcome.kind === "not-voter") return "bad";
    // Votes for blocks not here count as silence: that only makes the
    // estimate higher and completability harder, never unsafe.
    if (outcome.kind === "unknown") waiting.push(vote);
    if (outcome.kind === "equivocation") equivocations.push(outcome.equivocation);
  }
  if (!round.state.completable) return waiting.length ? "unknown" : "incomplete";
  return { round, waiting, equivocations };
}
