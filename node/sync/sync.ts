/**
 * Block sync and block gossip over the network.
 *
 * New blocks are announced whole on the `blocks` topic. A block whose parent
 * is unknown, and a periodic tick, make the node ask a peer for the blocks
 * above its best (or, when those do not connect, above its finalized block)
 * on the `sync` protocol, and for more while full responses keep coming;
 * finalized blocks come with their justifications, which the finality
 * gadget checks before finalizing. A peer that sends garbage or an invalid
 * block is reported and, below the threshold, dropped.
 *
 * Where each peer's chain is comes from its handshake and from blocks it
 * proved it has ({@link PeerViews}); the sync target and the peers worth
 * asking come from those views, never from a header nobody checked. Each
 * peer asking this node for blocks spends a budget ({@link ServeBudgets});
 * past it, requests are refused and the peer is reported.
 *
 * Nothing that goes wrong in a handler, a timer or an import escapes as an
 * unhandled rejection: it is logged, and sync goes on.
 *
 * The finality service asks sync for what it misses: a block a vote names
 * and its unknown ancestors ({@link BlockSync.fetchBlock}, by hash, down the
 * chain), and the justifications above the finalized block from a peer that
 * is ahead ({@link BlockSync.fetchFinality}). A justification that does not
 * check is the sender's fault; one past an authority set change this node has
 * not finalized yet is nobody's.
 *
 * @module
 */
import { blockHash } from "../../runtime/block/header.ts";
import type { ChainClient, ImportedBlock, TreeBlock } from "../chain/mod.ts";
import { ImportError } from "../chain/mod.ts";
import { type FinalityService, JustificationError } from "../consensus/finality/mod.ts";
import type { Logger } from "../log.ts";
import type { ChainHead, GossipVerdict, Network } from "../network/mod.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import { BoundedMap } from "../bounded_map.ts";
import { ServeBudgets } from "./_budget.ts";
import { type PeerView, PeerViews } from "./_peers.ts";
import {
  type BlockData,
  type BlockRequest,
  decodeBlockData,
  decodeBlockRequest,
  decodeBlockResponse,
  encodeBlockData,
  encodeBlockRequest,
  encodeBlockResponse,
} from "./messages.ts";

/** The request-response protocol name (scoped by genesis on the wire). */
export const SYNC_PROTOCOL = "sync";

/** Blocks per response, at most. */
const MAX_BLOCKS = 128;
/** Stop adding blocks to a response past this many bytes (the limit is 16 MiB). */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Penalties reported to the network (the ban threshold is 100). */
const PENALTY = {
  garbage: 100,
  invalidBlock: 100,
  badJustification: 100,
  futureBlock: 10,
  /**
   * Per refused request: a burst over the budget costs little and decays
   * (half-life one minute), a peer that keeps flooding is banned after
   * about twenty refusals.
   */
  overBudget: 5,
};

/** What an import from a peer came to. */
type Outcome =
  /** Imported now. */
  | "imported"
  /** Already in the tree: valid. */
  | "known"
  /** At or below the finalized block and not ours: neither checked nor needed. */
  | "stale"
  | "unknown-parent"
  /** Refused: the peer was reported. */
  | "invalid"
  /** Import failed for a reason that is not the block's (logged). */
  | "failed";

/** Whether an import leaves the way open for the blocks after it. */
const goesOn = (outcome: Outcome) =>
  outcome === "imported" || outcome === "known" || outcome === "stale";

/** What the syncer needs. */
export interface SyncInit {
  client: ChainClient;
  network: Network;
  finality: FinalityService;
  log: Logger;
  /** How often to ask a peer for more blocks (ms). */
  intervalMs?: number;
}

/** What a node's handshake says of its chain: its best and finalized blocks. */
export function chainHead(client: ChainClient): ChainHead {
  const ref = (block: TreeBlock) => ({ number: block.header.number, hash: block.hash });
  return { best: ref(client.best), finalized: ref(client.finalized) };
}

/** Keeps the node's chain up with its peers'. */
export class BlockSync {
  readonly #init: SyncInit;
  readonly #views = new PeerViews();
  readonly #budgets = new ServeBudgets();
  readonly #unsubscribe: (() => void)[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #busy = false;
  #nextPeer = 0;
  /** When each peer was last asked for the justifications above our finalized block (ms). */
  readonly #finalityAsked = new BoundedMap<string, number>(1024);
  /** Whether sync is importing a run of full responses: more blocks are waiting. */
  #behind = false;

  constructor(init: SyncInit) {
    this.#init = init;
  }

  /** Serves and follows: starts answering requests, listening to gossip and polling peers. */
  async start(): Promise<void> {
    const { network } = this.#init;
    await network.handle(SYNC_PROTOCOL, (request, from) => this.#serve(request, from));
    this.#unsubscribe.push(
      network.subscribe("blocks", (data, from) => this.#onGossip(data, from)),
      network.onPeer("connect", (peer) => this.#connected(peer)),
      network.onPeer("disconnect", (peer) => this.#views.disconnected(peer)),
    );
    // Peers that connected while the node was starting.
    for (const { peerId } of network.peers()) this.#connected(peerId);
    this.#timer = setInterval(
      () => this.#spawn("sync tick", this.#tick()),
      this.#init.intervalMs ?? 2000,
    );
  }

  /** Whether the node is catching up with its peers. */
  get isSyncing(): boolean {
    return this.#behind || this.#views.target > this.#init.client.best.header.number + 1;
  }

  /** The highest best block number connected peers have shown (handshake or proven blocks). */
  get target(): number {
    return this.#views.target;
  }

  /** What this node believes of `peer`'s chain, if it is connected. */
  peer(peer: string): Readonly<PeerView> | undefined {
    return this.#views.get(peer);
  }

  /** Gossips a block this node imported (its own, mostly). */
  async announce(imported: ImportedBlock): Promise<void> {
    const { client, network } = this.#init;
    const extrinsics = (await client.body(imported.block.hash)) ?? [];
    await network.publish(
      "blocks",
      encodeBlockData({ header: imported.block.header, extrinsics, justification: undefined }),
    );
  }

  /** Stops polling and listening (the network is the caller's to stop). */
  stop(): void {
    clearInterval(this.#timer);
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  /**
   * Fetches block `hash` and its ancestors this node lacks from `peer`, and
   * imports them (a fork block a finality vote names, which range sync along
   * the best chain never brings).
   */
  async fetchBlock(peer: string, hash: Uint8Array): Promise<void> {
    if (this.#init.client.block(hash)) return;
    const blocks = await this.#request(peer, {
      from: { tag: "Hash", value: hash },
      direction: { tag: "Descending" },
      max: MAX_BLOCKS,
    });
    for (const block of (blocks ?? []).reverse()) {
      if (!goesOn(await this.#import(block, peer))) return;
    }
  }

  /**
   * Asks `peer` for the blocks above our finalized one and imports their
   * justifications: how a node that missed the votes or commits of a
   * finalization, or a set change, finalizes again. Once per sync interval
   * per peer at most.
   */
  async fetchFinality(peer: string): Promise<void> {
    const now = Date.now();
    if (now - (this.#finalityAsked.get(peer) ?? -Infinity) < (this.#init.intervalMs ?? 2000)) {
      return;
    }
    this.#finalityAsked.set(peer, now);
    await this.#syncFrom(peer, "finalized");
  }

  /** A peer passed the handshake: note where it is, and catch up with it if it is ahead. */
  #connected(peer: string): void {
    const info = this.#init.network.peer(peer);
    if (!info) return;
    this.#views.connected(peer, info);
    if (info.best.number > this.#init.client.best.header.number) {
      this.#spawn(`sync from ${peer}`, this.#syncFrom(peer));
    }
  }

  /** Answers a block request within the asking peer's budget. */
  async #serve(request: Uint8Array, from: string): Promise<Uint8Array> {
    const refused = this.#budgets.admit(from);
    if (refused) {
      this.#init.network.report(from, PENALTY.overBudget, "block requests over budget");
      throw new Error(`Request refused: ${refused}`);
    }
    let bytes = 0;
    try {
      const response = await this.#blocksFor(decodeBlockRequest(request));
      bytes = response.length;
      return response;
    } catch (e) {
      // The error goes back to the requester; one that is not its garbage is ours to see.
      if (!(e instanceof RangeError)) this.#init.log.warn(`sync: serving ${from} failed: ${e}`);
      throw e;
    } finally {
      this.#budgets.done(from, bytes);
    }
  }

  async #blocksFor({ from, direction, max }: BlockRequest): Promise<Uint8Array> {
    const { client } = this.#init;
    const count = Math.min(max, MAX_BLOCKS);
    const blocks: BlockData[] = [];
    let bytes = 0;
    const add = async (hash: Uint8Array): Promise<BlockData | undefined> => {
      const header = await client.header(hash);
      const extrinsics = await client.body(hash);
      if (!header || !extrinsics || bytes > MAX_RESPONSE_BYTES) return undefined;
      const block = { header, extrinsics, justification: await client.justification(hash) };
      blocks.push(block);
      bytes += extrinsics.reduce((sum, x) => sum + x.length, 200);
      return block;
    };
    if (direction.tag === "Ascending") {
      const start = from.tag === "Number" ? from.value : await this.#numberOnBest(from.value);
      for (let n = start ?? -1; n >= 0 && blocks.length < count; n++) {
        const hash = await client.hashAt(n);
        if (!hash || !(await add(hash))) break;
      }
    } else {
      let hash = from.tag === "Hash" ? from.value : await client.hashAt(from.value);
      while (hash && blocks.length < count) {
        const block = await add(hash);
        if (!block || block.header.number === 0) break;
        hash = block.header.parentHash;
      }
    }
    return encodeBlockResponse(blocks);
  }

  /** The number of block `hash` if it is on the best chain. */
  async #numberOnBest(hash: Uint8Array): Promise<number | undefined> {
    const header = await this.#init.client.header(hash);
    if (!header) return undefined;
    const onBest = await this.#init.client.hashAt(header.number);
    return onBest && toHexRaw(onBest) === toHexRaw(hash) ? header.number : undefined;
  }

  /**
   * A gossiped block: forwarded only when it imported. Its number says
   * nothing of the sender's chain until then: a forged header can claim any.
   */
  async #onGossip(data: Uint8Array, from: string): Promise<GossipVerdict> {
    const { network } = this.#init;
    let block: BlockData;
    try {
      block = decodeBlockData(data);
    } catch {
      network.report(from, PENALTY.garbage, "undecodable block gossip");
      return "reject";
    }
    const outcome = await this.#import(block, from);
    if (outcome === "unknown-parent") this.#spawn(`sync from ${from}`, this.#syncFrom(from));
    return outcome === "imported" ? "accept" : outcome === "invalid" ? "reject" : "ignore";
  }

  /** Asks a peer that is ahead, each in turn. */
  async #tick(): Promise<void> {
    const ahead = this.#views.ahead(this.#init.client.best.header.number);
    if (!ahead.length) return;
    await this.#syncFrom(ahead[this.#nextPeer++ % ahead.length]);
  }

  /**
   * Asks `peer` for the blocks above our best, and above our finalized block
   * if those do not connect; or, for `above: "finalized"`, right away above
   * our finalized block. Asks again while full responses move the best
   * block on. A peer that serves nothing above what we asked for has shown
   * nothing higher, whatever it claimed.
   */
  async #syncFrom(peer: string, above: "best" | "finalized" = "best"): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { client } = this.#init;
      const afterFinalized = () => client.finalized.header.number + 1;
      let start = above === "best" ? client.best.header.number + 1 : afterFinalized();
      for (;;) {
        const best = client.best.header.number;
        const blocks = await this.#request(peer, {
          from: { tag: "Number", value: start },
          direction: { tag: "Ascending" },
          max: MAX_BLOCKS,
        });
        if (!blocks?.length) return this.#views.showedNothingAbove(peer, start - 1);
        this.#behind = blocks.length === MAX_BLOCKS;
        let outcome: Outcome = "known";
        for (const block of blocks) {
          outcome = await this.#import(block, peer);
          if (!goesOn(outcome)) break;
        }
        if (outcome === "unknown-parent" && start > afterFinalized()) {
          // A fork below our best: start again from the finalized block.
          start = afterFinalized();
          continue;
        }
        if (!goesOn(outcome) || !this.#behind || client.best.header.number <= best) return;
        start = client.best.header.number + 1;
      }
    } finally {
      this.#busy = false;
      this.#behind = false;
    }
  }

  async #request(peer: string, request: BlockRequest): Promise<BlockData[] | undefined> {
    const { network, log } = this.#init;
    try {
      const response = await network.request(peer, SYNC_PROTOCOL, encodeBlockRequest(request), {
        timeoutMs: 10_000,
      });
      return decodeBlockResponse(response);
    } catch (e) {
      if (e instanceof RangeError) network.report(peer, PENALTY.garbage, "undecodable blocks");
      log.debug(`sync: no blocks from ${peer}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /**
   * Imports one block (and finalizes by its justification); reports the
   * peer when it is invalid. A block that imported, or was known, shows the
   * peer has it.
   */
  async #import(block: BlockData, peer: string): Promise<Outcome> {
    const { client, network, finality, log } = this.#init;
    const hash = blockHash(block.header);
    const { number } = block.header;
    let outcome: Outcome = "known";
    try {
      if (!client.block(hash)) {
        if (number <= client.finalized.header.number) return "stale";
        await client.importBlock({ header: block.header, extrinsics: block.extrinsics });
        outcome = "imported";
      }
    } catch (e) {
      if (!(e instanceof ImportError)) {
        log.error(`sync: importing #${number} from ${peer} failed: ${(e as Error)?.stack ?? e}`);
        return "failed";
      }
      if (e.code === "IMPORT_ERROR_UNKNOWN_PARENT") return "unknown-parent";
      if (e.code === "IMPORT_ERROR_BELOW_FINALIZED") return "stale";
      const penalty = e.code === "IMPORT_ERROR_FUTURE_SLOT"
        ? PENALTY.futureBlock
        : PENALTY.invalidBlock;
      network.report(peer, penalty, e.code);
      log.warn(`❌ Block #${number} from ${peer} refused: ${e.message}`);
      return "invalid";
    }
    this.#views.has(peer, number, toHexRaw(hash));
    if (block.justification) {
      try {
        const finalized = await finality.importJustification(block.justification);
        if (finalized === "finalized") this.#views.finalizedAt(peer, number);
      } catch (e) {
        if (!(e instanceof JustificationError)) {
          log.error(`sync: justification #${number} from ${peer} failed: ${e}`);
          return "failed";
        }
        network.report(peer, PENALTY.badJustification, "bad justification");
        log.warn(`❌ Justification from ${peer} refused: ${e.message}`);
        return "invalid";
      }
    }
    return outcome;
  }

  /** Runs `work` in the background: a failure is logged, never an unhandled rejection. */
  #spawn(what: string, work: Promise<unknown>): void {
    work.catch((e) => this.#init.log.error(`sync: ${what} failed: ${(e as Error)?.stack ?? e}`));
  }
}
