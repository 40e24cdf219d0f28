/**
 * One GRANDPA round: its prevotes and precommits and what they decide, as
 * the paper (Stewart & Kokoris-Kogia, §3.2) and `finality-grandpa` define
 * them, with every voter weighing one vote:
 *
 * - the **prevote-GHOST** `g`: the highest block with a supermajority of
 *   prevotes (on it or its descendants);
 * - **finalized**: the highest block with a supermajority of precommits;
 * - the **estimate** `E`: the highest ancestor of `g` that could still get a
 *   supermajority of precommits, counting every voter not yet heard from as
 *   voting for it and the equivocations still possible;
 * - **completable**: `E` is strictly below `g`, or no child of `g` could
 *   still get a supermajority of precommits.
 *
 * An equivocator (two different votes of one stage) keeps its first vote in
 * the graph and is counted for every block from then on; its second vote is
 * evidence. A vote for a block below the round's base, or off its chain,
 * counts as the voter's participation but supports no block of the round; a
 * vote for a block above the base the chain does not know yet is left to the
 * caller to retry.
 *
 * @module
 */
import { type Ancestry, type BlockRef, type Stage, VoteGraph } from "./vote_graph.ts";
import type { VoterSet } from "./voter_set.ts";

/** A vote whose signature has been checked: who voted for what, in which stage. */
export interface Vote {
  stage: Stage;
  target: BlockRef;
  /** The voter's session key, raw hex. */
  voter: string;
  signature: Uint8Array;
}

/** What a round has decided so far. */
export interface RoundState {
  prevoteGhost?: BlockRef;
  finalized?: BlockRef;
  estimate?: BlockRef;
  completable: boolean;
}

/** Two different votes of one stage by one voter in one round. */
export interface Equivocation {
  round: number;
  first: Vote;
  second: Vote;
}

/**
 * What became of a vote: counted, a repeat, evidence of an equivocation, not
 * from a voter of the set, or for a block above the base the chain does not
 * know (`unknown`, to retry once it does).
 */
export type ImportOutcome =
  | { kind: "counted" }
  | { kind: "repeat" }
  | { kind: "equivocation"; equivocation: Equivocation }
  | { kind: "not-voter" }
  | { kind: "unknown" };

/** Per stage: each voter's first vote and, if it equivocated, its second. */
class StageVotes {
  readonly first = new Map<number, Vote>();
  readonly second = new Map<number, Vote>();
  /** Equivocators, in the order they were caught. */
  readonly equivocators: number[] = [];

  all(): Vote[] {
    return [...this.first.values(), ...this.second.values()];
  }
}

/** The votes of one round of one authority set, and what they decide. */
export class Round {
  readonly number: number;
  readonly voters: VoterSet;
  readonly #graph: VoteGraph;
  readonly #stages = { prevote: new StageVotes(), precommit: new StageVotes() };
  #state: RoundState = { completable: false };

  constructor(number: number, voters: VoterSet, base: BlockRef) {
    this.number = number;
    this.voters = voters;
    this.#graph = new VoteGraph(base, voters.size);
  }

  /** The block every vote of this round must be on or above. */
  get base(): BlockRef {
    return this.#graph.base;
  }

  /** What the round has decided so far. */
  get state(): RoundState {
    return this.#state;
  }

  /** The primary of this round: it proposes the last round's estimate. */
  get primary(): string {
    return this.voters.ids[this.number % this.voters.size];
  }

  /** How many distinct voters have cast a vote of `stage`. */
  participants(stage: Stage): number {
    return this.#stages[stage].first.size;
  }

  /** The voters (session keys, raw hex) who cast a vote of `stage`. */
  voted(stage: Stage): string[] {
    return [...this.#stages[stage].first.keys()].map((i) => this.voters.ids[i]);
  }

  /** Every vote counted or kept as evidence, prevotes first. */
  votes(): Vote[] {
    return [...this.#stages.prevote.all(), ...this.#stages.precommit.all()];
  }

  /** The first vote of `stage` by `voter`, if any. */
  voteOf(voter: string, stage: Stage): Vote | undefined {
    const index = this.voters.indexOf(voter);
    return index === undefined ? undefined : this.#stages[stage].first.get(index);
  }

  /** Counts a vote (its signature already checked) and updates the round's state. */
  import(vote: Vote, chain: Ancestry): ImportOutcome {
    const index = this.voters.indexOf(vote.voter);
    if (index === undefined) return { kind: "not-voter" };
    const stage = this.#stages[vote.stage];
    const first = stage.first.get(index);
    if (first && (sameTarget(first, vote) || stage.second.has(index))) return { kind: "repeat" };
    // A vote below the base, or off its chain, supports no block the round
    // can decide, but its voter has spoken: it is not silent, so it counts
    // for participation with no weight. (Rounds of one set start from
    // different bases on different nodes; ignoring such votes would make
    // their estimates differ, and a voter could then wait forever for a
    // GHOST above an estimate no one else has.)
    const above = vote.target.number >= this.base.number;
    if (above && !chain.has(vote.target.hash)) return { kind: "unknown" };
    if (first) {
      stage.second.set(index, vote);
      stage.equivocators.push(index);
      this.#update();
      return { kind: "equivocation", equivocation: { round: this.number, first, second: vote } };
    }
    if (above) this.#graph.insert(vote.target, vote.stage, index, chain);
    stage.first.set(index, vote);
    this.#update();
    return { kind: "counted" };
  }

  /**
   * The precommits that justify the round's finalized block: every voter's
   * precommit on it or above it, and both votes of each equivocator.
   */
  finalizingPrecommits(): Vote[] {
    const finalized = this.#state.finalized;
    if (!finalized) return [];
    const { first, second } = this.#stages.precommit;
    const out: Vote[] = [];
    for (const [voter, vote] of first) {
      if (second.has(voter)) out.push(vote, second.get(voter)!);
      else if (this.#graph.descends(vote.target.hash, finalized.hash)) out.push(vote);
    }
    return out;
  }

  #weight(stage: Stage): (hash: string) => number {
    const equivocators = this.#stages[stage].equivocators;
    return (hash) => this.#graph.weight(hash, stage, equivocators);
  }

  /** Recomputes the round's state after a vote (`finality-grandpa`'s `Round::update`). */
  #update(): void {
    const threshold = this.voters.threshold;
    const total = this.voters.size;
    const prevoteWeight = this.#weight("prevote");
    const precommitWeight = this.#weight("precommit");
    const prevoted = this.#stages.prevote.first.size;
    const precommitted = this.#stages.precommit.first.size;
    const state: RoundState = { ...this.#state };

    if (precommitted >= threshold) {
      state.finalized = this.#graph.ghost((hash) => precommitWeight(hash) >= threshold);
    }
    if (prevoted < threshold) return void (this.#state = state);
    state.prevoteGhost = this.#graph.ghost((hash) => prevoteWeight(hash) >= threshold);
    const ghost = state.prevoteGhost;
    if (!ghost) return void (this.#state = state);
    if (precommitted < threshold) {
      state.estimate = ghost;
      return void (this.#state = state);
    }

    // Could a block still reach a supermajority of precommits? Everyone not
    // heard from may vote for it, and voters heard from elsewhere may yet
    // equivocate, up to the number of equivocations the set tolerates.
    const tolerated = total - threshold;
    const equivocated = this.#stages.precommit.equivocators.length;
    const moreEquivocations = Math.max(0, tolerated - equivocated);
    const silent = total - precommitted;
    const possible = (hash: string) => {
      const weight = precommitWeight(hash);
      return weight + silent + Math.min(precommitted - weight, moreEquivocations) >= threshold;
    };
    state.estimate = this.#graph.ancestorWhere(ghost, possible);
    const estimate = state.estimate;
    state.completable = estimate !== undefined &&
      (estimate.hash !== ghost.hash || !this.#graph.children(ghost.hash).some(possible));
    this.#state = state;
  }
}

function sameTarget(a: Vote, b: Vote): boolean {
  return a.target.hash === b.target.hash && a.target.number === b.target.number;
}
