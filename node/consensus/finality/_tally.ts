/**
 * The votes of one round and what they decide: the highest block that more
 * than two thirds of the voters voted for (directly or through a
 * descendant). Equivocations (two different votes of one kind from one voter)
 * are kept aside as evidence and count once.
 *
 * @module
 */
import { toHexRaw } from "../../../runtime/primitives/hex.ts";
import type { SignedVote } from "./vote.ts";

/** What a tally needs of the chain: the ancestry of a block, down to a floor. */
export interface Ancestry {
  /** Hex hashes of `hash` and its ancestors above `floorNumber`, if `hash` is known. */
  chain(hashHex: string): { hashHex: string; number: number }[] | undefined;
}

/** Two conflicting votes of one voter in one round. */
export interface Equivocation {
  first: SignedVote;
  second: SignedVote;
}

/** Prevotes or precommits of one round. */
export class VoteTally {
  readonly #votes = new Map<string, SignedVote>();
  readonly equivocations: Equivocation[] = [];

  /** Adds a vote; returns false when it is a repeat or an equivocation. */
  add(vote: SignedVote): boolean {
    const voter = toHexRaw(vote.voter);
    const first = this.#votes.get(voter);
    if (!first) {
      this.#votes.set(voter, vote);
      return true;
    }
    if (toHexRaw(first.vote.targetHash) !== toHexRaw(vote.vote.targetHash)) {
      this.equivocations.push({ first, second: vote });
    }
    return false;
  }

  /** How many voters voted. */
  get count(): number {
    return this.#votes.size;
  }

  /** The votes, one per voter. */
  votes(): SignedVote[] {
    return [...this.#votes.values()];
  }

  /**
   * The highest block supported by at least `threshold` votes (a vote
   * supports its target and every ancestor), with the votes that support it.
   */
  supermajority(
    threshold: number,
    ancestry: Ancestry,
  ): { hashHex: string; number: number; votes: SignedVote[] } | undefined {
    const support = new Map<string, { number: number; votes: SignedVote[] }>();
    for (const vote of this.#votes.values()) {
      for (const block of ancestry.chain(toHexRaw(vote.vote.targetHash)) ?? []) {
        const entry = support.get(block.hashHex) ?? { number: block.number, votes: [] };
        entry.votes.push(vote);
        support.set(block.hashHex, entry);
      }
    }
    let best: { hashHex: string; number: number; votes: SignedVote[] } | undefined;
    for (const [hashHex, entry] of support) {
      if (entry.votes.length < threshold) continue;
      if (!best || entry.number > best.number) best = { hashHex, ...entry };
    }
    return best;
  }
}

/** SignedVotes needed out of `voters`: more than two thirds. */
export function supermajorityOf(voters: number): number {
  return Math.floor((2 * voters) / 3) + 1;
}
