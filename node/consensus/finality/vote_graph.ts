/**
 * The vote graph of one round: the blocks between the round's base and the
 * blocks voted for, each with the voters whose prevote or precommit
 * supports it (a vote supports its target and every ancestor down to the
 * base). GRANDPA's questions (the GHOST of the votes, the highest ancestor
 * with enough weight) are walks over it.
 *
 * Every voter weighs one vote. Equivocators are counted by the caller: the
 * graph holds each voter's first vote only, and {@link VoteGraph.weight}
 * adds the equivocators of a stage to every block.
 *
 * PERF: a vote costs its depth above the base, a few dozen blocks while
 * finality keeps up; the walks cost the graph's size.
 *
 * @module
 */

/** A block as GRANDPA names it: its raw hex hash and its number. */
export interface BlockRef {
  hash: string;
  number: number;
}

/** What GRANDPA needs of the chain: ancestry between known blocks. */
export interface Ancestry {
  /** Whether the chain knows block `hash`. */
  has(hash: string): boolean;
  /**
   * The hashes from `block` down to the child of `base` (`[]` when they are
   * the same block), or `undefined` when `block` is unknown or does not
   * descend from `base`.
   */
  ancestry(base: BlockRef, block: BlockRef): string[] | undefined;
}

/** The two voting stages of a round. */
export type Stage = "prevote" | "precommit";

const STAGE = { prevote: 0, precommit: 1 } as const;

interface Node {
  number: number;
  parent: string | undefined;
  children: string[];
  /** Per stage: which voters (by index) support this block, and how many. */
  supporters: [Uint8Array, Uint8Array];
  counts: [number, number];
}

/** The blocks a round's votes touch, with the weight on each. */
export class VoteGraph {
  readonly base: BlockRef;
  readonly #voters: number;
  readonly #nodes = new Map<string, Node>();

  constructor(base: BlockRef, voters: number) {
    this.base = base;
    this.#voters = voters;
    this.#nodes.set(base.hash, this.#node(base.number, undefined));
  }

  /**
   * Adds voter `voter`'s vote of `stage` for `target`; false (and nothing
   * changes) when the target is unknown to `chain` or not above the base.
   */
  insert(target: BlockRef, stage: Stage, voter: number, chain: Ancestry): boolean {
    if (!this.#nodes.has(target.hash)) {
      const route = chain.ancestry(this.base, target);
      if (!route) return false;
      // Link the route in from the base up, reusing what is already there.
      let parent = this.base.hash;
      for (let i = route.length - 1; i >= 0; i--) {
        const hash = route[i];
        if (!this.#nodes.has(hash)) {
          this.#nodes.set(hash, this.#node(target.number - i, parent));
          this.#nodes.get(parent)!.children.push(hash);
        }
        parent = hash;
      }
    }
    const s = STAGE[stage];
    for (let hash: string | undefined = target.hash; hash !== undefined;) {
      const node: Node = this.#nodes.get(hash)!;
      // An ancestor already holding this voter's vote holds it all the way down.
      if (node.supporters[s][voter]) break;
      node.supporters[s][voter] = 1;
      node.counts[s] += 1;
      hash = node.parent;
    }
    return true;
  }

  /** Whether the graph holds `hash`. */
  has(hash: string): boolean {
    return this.#nodes.has(hash);
  }

  /**
   * Votes of `stage` supporting block `hash`, counting every voter in
   * `equivocators` (they are counted for every block); 0 for a block the
   * graph does not hold.
   */
  weight(hash: string, stage: Stage, equivocators: readonly number[]): number {
    const node = this.#nodes.get(hash);
    if (!node) return 0;
    const s = STAGE[stage];
    let weight = node.counts[s];
    for (const voter of equivocators) if (!node.supporters[s][voter]) weight += 1;
    return weight;
  }

  /**
   * The highest block at or above `from` (default: the base) that meets
   * `condition`, walking down from `from` into the first child that meets
   * it; `undefined` when `from` does not. With a supermajority condition at
   * most one child can meet it (fewer than a third of the voters
   * equivocate), so this is the GHOST of the votes.
   */
  ghost(condition: (hash: string) => boolean, from: BlockRef = this.base): BlockRef | undefined {
    let at = this.#nodes.get(from.hash);
    if (!at || !condition(from.hash)) return undefined;
    let ref = from;
    for (;;) {
      const next: string | undefined = at.children.find(condition);
      if (next === undefined) return ref;
      at = this.#nodes.get(next)!;
      ref = { hash: next, number: at.number };
    }
  }

  /** The highest block from `block` down to the base that meets `condition`. */
  ancestorWhere(block: BlockRef, condition: (hash: string) => boolean): BlockRef | undefined {
    for (let hash: string | undefined = block.hash; hash !== undefined;) {
      const node: Node | undefined = this.#nodes.get(hash);
      if (!node) return undefined;
      if (condition(hash)) return { hash, number: node.number };
      hash = node.parent;
    }
    return undefined;
  }

  /** The blocks directly above `hash` that the graph holds. */
  children(hash: string): readonly string[] {
    return this.#nodes.get(hash)?.children ?? [];
  }

  /** Whether `block` is `ancestor` or above it, as far as the graph knows. */
  descends(block: string, ancestor: string): boolean {
    for (let hash: string | undefined = block; hash !== undefined;) {
      if (hash === ancestor) return true;
      hash = this.#nodes.get(hash)?.parent;
    }
    return false;
  }

  #node(number: number, parent: string | undefined): Node {
    return {
      number,
      parent,
      children: [],
      supporters: [new Uint8Array(this.#voters), new Uint8Array(this.#voters)],
      counts: [0, 0],
    };
  }
}
