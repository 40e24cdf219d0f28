/**
 * The chain as the voter sees it, over the node's chain client: ancestry
 * between known blocks (the unfinalized tree, and the last finalized blocks,
 * which rounds left behind may still name), and the block to vote for: the
 * best chain containing a base, cut at the first block above the finalized
 * one that changes the authority set (the set votes up to that block, and
 * the next set from there on, as Substrate's voters do).
 *
 * @module
 */
import { scheduledChangeOf } from "../../../runtime/consensus/grandpa.ts";
import { toHexRaw } from "../../../runtime/primitives/hex.ts";
import { BoundedMap } from "../../bounded_map.ts";
import type { Header } from "../../../runtime/block/header.ts";
import type { ChainClient, TreeBlock } from "../../chain/mod.ts";
import type { BlockRef } from "./vote_graph.ts";
import type { VoterChain } from "./voter.ts";

/** Finalized blocks remembered for ancestry (rounds left behind name blocks that far back). */
const FINALIZED_KEPT = 1024;

interface Link {
  number: number;
  parent: string;
}

/** The voter's chain, over the chain client. */
export class ClientChain implements VoterChain {
  readonly #client: ChainClient;
  readonly #finalized = new BoundedMap<string, Link>(FINALIZED_KEPT);

  private constructor(client: ChainClient) {
    this.#client = client;
    client.onFinalized((block) => this.#remember(block.hashHex, block.header));
  }

  /**
   * The voter's chain over `client`, remembering the finalized blocks from
   * number `from` (default: the finalized one) up: once a later block is
   * final the client's tree lets them go, yet rounds based on them (the
   * block final when a round began, or one a stored voter record names)
   * still ask for ancestry down to them.
   */
  static async open(
    client: ChainClient,
    from = client.finalized.header.number,
  ): Promise<ClientChain> {
    const chain = new ClientChain(client);
    const top = client.finalized.header.number;
    for (let number = Math.max(from, top - FINALIZED_KEPT + 1, 0); number <= top; number++) {
      const hash = await client.hashAt(number);
      const header = hash && await client.header(hash);
      if (header) chain.#remember(toHexRaw(hash), header);
    }
    return chain;
  }

  has(hash: string): boolean {
    return this.#client.block(hash) !== undefined || this.#finalized.has(hash);
  }

  ancestry(base: BlockRef, block: BlockRef): string[] | undefined {
    const route: string[] = [];
    let hash = block.hash;
    let link = this.#link(hash);
    if (!link || link.number !== block.number) return undefined;
    while (link.number > base.number) {
      route.push(hash);
      hash = link.parent;
      const next = this.#link(hash);
      if (!next) return undefined;
      link = next;
    }
    return hash === base.hash ? route : undefined;
  }

  bestChainContaining(base: BlockRef): BlockRef | undefined {
    const client = this.#client;
    const start = client.block(base.hash) ??
      (this.#finalized.has(base.hash) ? client.finalized : undefined);
    if (!start) return undefined;
    const best = client.bestContaining(start);
    const limit = this.changeAbove(client.finalized, best);
    const target = limit && limit.header.number >= base.number ? limit : best;
    return { hash: target.hashHex, number: target.header.number };
  }

  /**
   * The lowest block above `from` up to `to` (on `to`'s chain) whose header
   * schedules an authority set change, if any.
   */
  changeAbove(from: TreeBlock, to: TreeBlock): TreeBlock | undefined {
    let change: TreeBlock | undefined;
    for (let at: TreeBlock | undefined = to; at && at.header.number > from.header.number;) {
      if (scheduledChangeOf(at.header.digest)) change = at;
      at = this.#client.block(at.header.parentHash);
    }
    return change;
  }

  #link(hash: string): Link | undefined {
    const block = this.#client.block(hash);
    if (block) return { number: block.header.number, parent: parentHex(block) };
    return this.#finalized.get(hash);
  }

  #remember(hash: string, header: Header): void {
    this.#finalized.set(hash, { number: header.number, parent: toHexRaw(header.parentHash) });
  }
}

function parentHex(block: TreeBlock): string {
  return toHexRaw(block.header.parentHash);
}
