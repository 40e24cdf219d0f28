/**
 * The simulator's block tree: every block any author made, and each node's
 * view of it (the blocks it has received, always with their ancestors), which
 * is what that node's voter sees as the chain.
 *
 * @module
 */
import type { BlockRef } from "../vote_graph.ts";
import type { VoterChain } from "../voter.ts";

/** A block of the simulated chain. */
export interface SimBlock extends BlockRef {
  parent: string | undefined;
  author: number;
}

/** Every block made in a run. */
export class BlockTree {
  readonly genesis: SimBlock = { hash: "g", number: 0, parent: undefined, author: -1 };
  readonly #blocks = new Map<string, SimBlock>([["g", this.genesis]]);

  /** Makes a block on `parent` by node `author`. */
  add(parent: SimBlock, author: number): SimBlock {
    const block = {
      hash: `b${this.#blocks.size}`,
      number: parent.number + 1,
      parent: parent.hash,
      author,
    };
    this.#blocks.set(block.hash, block);
    return block;
  }

  /** The block `hash`. */
  get(hash: string): SimBlock {
    const block = this.#blocks.get(hash);
    if (!block) throw new RangeError(`Unknown simulated block ${hash}`);
    return block;
  }

  /** Whether `block` is `ancestor` or above it. */
  descends(block: BlockRef, ancestor: BlockRef): boolean {
    let at: SimBlock | undefined = this.get(block.hash);
    while (at && at.number > ancestor.number) at = at.parent ? this.get(at.parent) : undefined;
    return at?.hash === ancestor.hash;
  }
}

/** One node's view of the tree: what its voter sees. */
export class ChainView implements VoterChain {
  readonly #tree: BlockTree;
  readonly #known = new Set<string>(["g"]);
  /** Known blocks without known children. */
  readonly #leaves = new Set<string>(["g"]);
  /** Blocks above this one are not voted for (an authority set change's limit). */
  #best: SimBlock;

  constructor(tree: BlockTree) {
    this.#tree = tree;
    this.#best = tree.genesis;
  }

  /** The highest known block (the first seen at its height). */
  get best(): SimBlock {
    return this.#best;
  }

  /** Receives `block` and its ancestors; true when anything was new. */
  receive(block: SimBlock): boolean {
    if (this.#known.has(block.hash)) return false;
    const added: SimBlock[] = [];
    for (let at: SimBlock | undefined = block; at && !this.#known.has(at.hash);) {
      added.push(at);
      at = at.parent ? this.#tree.get(at.parent) : undefined;
    }
    for (const b of added.reverse()) {
      this.#known.add(b.hash);
      this.#leaves.delete(b.parent!);
      this.#leaves.add(b.hash);
      if (b.number > this.#best.number) this.#best = b;
    }
    return true;
  }

  /** Every block this view knows. */
  get known(): ReadonlySet<string> {
    return this.#known;
  }

  has(hash: string): boolean {
    return this.#known.has(hash);
  }

  ancestry(base: BlockRef, block: BlockRef): string[] | undefined {
    if (!this.#known.has(block.hash) || block.number < base.number) return undefined;
    const route: string[] = [];
    let at = this.#tree.get(block.hash);
    while (at.number > base.number) {
      route.push(at.hash);
      at = this.#tree.get(at.parent!);
    }
    return at.hash === base.hash ? route : undefined;
  }

  bestChainContaining(base: BlockRef): BlockRef | undefined {
    if (!this.#known.has(base.hash)) return undefined;
    if (this.#tree.descends(this.#best, base)) return this.#best;
    let best: SimBlock | undefined;
    for (const leaf of this.#leaves) {
      const block = this.#tree.get(leaf);
      if ((!best || block.number > best.number) && this.#tree.descends(block, base)) best = block;
    }
    return best ?? this.#tree.get(base.hash);
  }
}
