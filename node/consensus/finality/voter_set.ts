/**
 * An authority set as GRANDPA counts it: its id, its voters in a fixed order
 * (by session key), each weighing one vote, and the supermajority threshold.
 *
 * @module
 */
import { supermajority } from "../../../runtime/consensus/justification.ts";

/** The voters of one authority set. */
export class VoterSet {
  /** The authority set id: votes are signed for one set. */
  readonly setId: number;
  /** Session keys (raw hex), sorted: a voter's index is its place here. */
  readonly ids: readonly string[];
  /** Votes that make a supermajority (more than two thirds). */
  readonly threshold: number;
  readonly #index: Map<string, number>;

  /**
   * @throws {RangeError} on an empty set or a repeated voter
   */
  constructor(setId: number, ids: readonly string[]) {
    const sorted = [...ids].sort();
    this.#index = new Map(sorted.map((id, i) => [id, i]));
    if (sorted.length === 0 || this.#index.size !== sorted.length) {
      throw new RangeError(`Invalid voter set ${setId}: empty or with a repeated voter`);
    }
    this.setId = setId;
    this.ids = sorted;
    this.threshold = supermajority(sorted.length);
  }

  /** How many voters there are. */
  get size(): number {
    return this.ids.length;
  }

  /** The index of voter `id`, if it is one. */
  indexOf(id: string): number | undefined {
    return this.#index.get(id);
  }

  /** Whether `id` is a voter. */
  has(id: string): boolean {
    return this.#index.has(id);
  }
}
