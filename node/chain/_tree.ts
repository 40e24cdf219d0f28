/**
 * The tree of known blocks above the last finalized one, with the fork
 * choice: the longest chain that contains the finalized block (on a tie the
 * block seen first stays best).
 *
 * @module
 */
import type { Header } from "../../runtime/block/header.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";

/** A block in the tree. */
export interface TreeBlock {
  hash: Uint8Array;
  hashHex: string;
  header: Header;
}

/** What changes on the best chain when the best block moves. */
export interface Route {
  /** Blocks leaving the best chain, newest first. */
  retracted: TreeBlock[];
  /** Blocks joining it, oldest first. */
  enacted: TreeBlock[];
}

/** Known blocks by hash, with their parent links. */
export class BlockTree {
  readonly #blocks = new Map<string, TreeBlock>();

  /** Adds a block whose parent is known (or the first block, the root). */
  add(hash: Uint8Array, header: Header): TreeBlock {
    const block = { hash, hashHex: toHexRaw(hash), header };
    this.#blocks.set(block.hashHex, block);
    return block;
  }

  /** Forgets one block (one whose storing failed). */
  remove(block: TreeBlock): void {
    this.#blocks.delete(block.hashHex);
  }

  /** The block `hash` (raw hex or bytes), if known. */
  get(hash: Uint8Array | string): TreeBlock | undefined {
    return this.#blocks.get(typeof hash === "string" ? hash : toHexRaw(hash));
  }

  /** The parent of `block`, if known. */
  parent(block: TreeBlock): TreeBlock | undefined {
    return this.#blocks.get(toHexRaw(block.header.parentHash));
  }

  /** Whether `block` is `ancestor` or descends from it. */
  descendsFrom(block: TreeBlock, ancestor: TreeBlock): boolean {
    let at: TreeBlock | undefined = block;
    while (at && at.header.number > ancestor.header.number) at = this.parent(at);
    return at?.hashHex === ancestor.hashHex;
  }

  /** Every block at height `number`, on any fork. */
  atHeight(number: number): TreeBlock[] {
    return [...this.#blocks.values()].filter((b) => b.header.number === number);
  }

  /** The ancestor of `block` at `number` (the block itself at its own number). */
  ancestorAt(block: TreeBlock, number: number): TreeBlock | undefined {
    let at: TreeBlock | undefined = block;
    while (at && at.header.number > number) at = this.parent(at);
    return at?.header.number === number ? at : undefined;
  }

  /** How the best chain changes from `from` to `to`. */
  route(from: TreeBlock, to: TreeBlock): Route {
    const retracted: TreeBlock[] = [];
    const enacted: TreeBlock[] = [];
    let a: TreeBlock | undefined = from;
    let b: TreeBlock | undefined = to;
    while (a && b && a.hashHex !== b.hashHex) {
      if (a.header.number >= b.header.number) {
        retracted.push(a);
        a = this.parent(a);
      } else {
        enacted.push(b);
        b = this.parent(b);
      }
    }
    return { retracted, enacted: enacted.reverse() };
  }

  /** The best block: the highest block that descends from `finalized`; `current` wins ties. */
  best(finalized: TreeBlock, current: TreeBlock): TreeBlock {
    let best = this.descendsFrom(current, finalized) ? current : finalized;
    for (const block of this.#blocks.values()) {
      if (block.header.number > best.header.number && this.descendsFrom(block, finalized)) {
        best = block;
      }
    }
    return best;
  }

  /**
   * Forgets every block that does not descend from `finalized`, its
   * ancestors included: the tree keeps the finalized block and those above.
   */
  prune(finalized: TreeBlock): void {
    for (const block of this.outside(finalized)) this.#blocks.delete(block.hashHex);
  }

  /** The blocks that do not descend from `finalized`: its ancestors and the forks beside them. */
  outside(finalized: TreeBlock): TreeBlock[] {
    return [...this.#blocks.values()].filter((b) => !this.descendsFrom(b, finalized));
  }

  /** How many blocks the tree holds. */
  get size(): number {
    return this.#blocks.size;
  }
}
