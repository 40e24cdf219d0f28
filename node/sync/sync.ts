/**
 * Block sync and block gossip over the network.
 *
 * New blocks are announced whole on the `blocks` topic. A block whose parent
 * is unknown, and a periodic tick, make the node ask a peer for the blocks
 * above its best (or, when those do not connect, above its finalized block)
 * on the `sync` protocol; finalized blocks come with their justifications,
 * which the finality gadget checks before finalizing. A peer that sends
 * garbage or an invalid block is reported and, below the threshold, dropped.
 *
 * Finality votes arrive on the `votes` topic and go to the gadget. A vote
 * showing that the voters are rounds ahead (this node missed the votes that
 * finalized some block) makes the node ask that peer for the blocks above its
 * finalized one, whose justifications it then imports.
 *
 * @module
 */
import { blockHash } from "../../runtime/block/header.ts";
import type { ChainClient, ImportedBlock } from "../chain/mod.ts";
import { ImportError } from "../chain/mod.ts";
import { decodeVote, type FinalityGadget, type VoteOutcome } from "../consensus/finality/mod.ts";
import type { Logger } from "../log.ts";
import type { GossipVerdict, Network } from "../network/mod.ts";
import {
  type BlockData,
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
  badVote: 100,
  futureBlock: 10,
};

/** What the syncer needs. */
export interface SyncInit {
  client: ChainClient;
  network: Network;
  finality: FinalityGadget;
  log: Logger;
  /** How often to ask a peer for more blocks (ms). */
  intervalMs?: number;
}

/** Keeps the node's chain up with its peers'. */
export class BlockSync {
  readonly #init: SyncInit;
  #timer: ReturnType<typeof setInterval> | undefined;
  #syncing = false;
  #busy = false;
  #nextPeer = 0;
  /** When the last finality catch-up started (ms). */
  #lastCatchUp = 0;
  /** Whether the last response was full: more blocks are waiting. */
  #behind = false;
  /** The highest block number any peer has shown us. */
  #target = 0;

  constructor(init: SyncInit) {
    this.#init = init;
  }

  /** Serves and follows: starts answering requests, listening to gossip and polling peers. */
  async start(): Promise<void> {
    const { network } = this.#init;
    await network.handle(SYNC_PROTOCOL, (request) => this.#serve(request));
    network.subscribe("blocks", (data, from) => this.#onGossip(data, from));
    network.subscribe("votes", (data, from) => this.#onVote(data, from));
    network.onPeer("connect", (peer) => void this.#syncFrom(peer));
    this.#timer = setInterval(() => void this.#tick(), this.#init.intervalMs ?? 2000);
  }

  /** Whether the node is catching up with a peer. */
  get isSyncing(): boolean {
    return this.#behind || this.#target > this.#init.client.best.header.number + 1;
  }

  /** The highest block number seen from peers (gossip or sync). */
  get target(): number {
    return this.#target;
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

  /** Stops polling (the network is the caller's to stop). */
  stop(): void {
    clearInterval(this.#timer);
  }

  async #serve(request: Uint8Array): Promise<Uint8Array> {
    const { from, count } = decodeBlockRequest(request);
    const { client } = this.#init;
    const blocks: BlockData[] = [];
    let bytes = 0;
    for (let n = from; n < from + Math.min(count, MAX_BLOCKS); n++) {
      const hash = await client.hashAt(n);
      if (!hash) break;
      const header = await client.header(hash);
      const extrinsics = await client.body(hash);
      if (!header || !extrinsics) break;
      const justification = await client.justification(hash);
      blocks.push({ header, extrinsics, justification });
      bytes += extrinsics.reduce((sum, x) => sum + x.length, 200);
      if (bytes > MAX_RESPONSE_BYTES) break;
    }
    return encodeBlockResponse(blocks);
  }

  /** A gossiped block: forwarded only when it imported (or was already known and valid). */
  async #onGossip(data: Uint8Array, from: string): Promise<GossipVerdict> {
    const { network } = this.#init;
    let block: BlockData;
    try {
      block = decodeBlockData(data);
    } catch {
      network.report(from, PENALTY.garbage, "undecodable block gossip");
      return "reject";
    }
    if (this.#init.client.block(blockHash(block.header))) return "ignore";
    this.#target = Math.max(this.#target, block.header.number);
    const outcome = await this.#import(block, from);
    if (outcome === "unknown-parent") void this.#syncFrom(from);
    return outcome === "ok" ? "accept" : outcome === "invalid" ? "reject" : "ignore";
  }

  /** A gossiped vote: counted by the gadget; forwarded only when it could be checked. */
  #onVote(data: Uint8Array, from: string): GossipVerdict {
    const { network, finality } = this.#init;
    let outcome: VoteOutcome;
    try {
      outcome = finality.onVote(decodeVote(data));
    } catch {
      network.report(from, PENALTY.garbage, "undecodable vote");
      return "reject";
    }
    if (outcome === "invalid") {
      network.report(from, PENALTY.badVote, "vote with a bad signature");
      return "reject";
    }
    if (outcome === "behind" || outcome === "later-set") void this.#catchUpFinality(from);
    return outcome === "accepted" || outcome === "behind" ? "accept" : "ignore";
  }

  /**
   * Asks `peer` for the blocks above our finalized one and imports the
   * justifications among them: how a node that missed a round's votes
   * finalizes again. At most once per sync interval.
   */
  async #catchUpFinality(peer: string): Promise<void> {
    const now = Date.now();
    if (this.#busy || now - this.#lastCatchUp < (this.#init.intervalMs ?? 2000)) return;
    this.#lastCatchUp = now;
    await this.#syncFrom(peer, "finalized");
  }

  async #tick(): Promise<void> {
    const peers = this.#init.network.peers();
    if (!peers.length) return;
    await this.#syncFrom(peers[this.#nextPeer++ % peers.length].peerId);
  }

  /**
   * Asks `peer` for the blocks above our best, and above our finalized block
   * if those do not connect; or, for `above: "finalized"`, right away above
   * our finalized block.
   */
  async #syncFrom(peer: string, above: "best" | "finalized" = "best"): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { client } = this.#init;
      const starts = [() => client.finalized.header.number + 1];
      if (above === "best") starts.unshift(() => client.best.header.number + 1);
      for (const start of starts) {
        const blocks = await this.#request(peer, start());
        if (!blocks) return;
        this.#behind = blocks.length === MAX_BLOCKS;
        const last = blocks.at(-1);
        if (last) this.#target = Math.max(this.#target, last.header.number);
        let connected = true;
        for (const block of blocks) {
          const outcome = await this.#import(block, peer);
          if (outcome === "unknown-parent") {
            connected = false;
            break;
          }
          if (outcome === "invalid") return;
        }
        // Otherwise a fork below our best: start again from the finalized block.
        if (connected) return;
      }
    } finally {
      this.#busy = false;
    }
  }

  async #request(peer: string, from: number): Promise<BlockData[] | undefined> {
    const { network, log } = this.#init;
    try {
      const response = await network.request(
        peer,
        SYNC_PROTOCOL,
        encodeBlockRequest({ from, count: MAX_BLOCKS }),
        { timeoutMs: 10_000 },
      );
      return decodeBlockResponse(response);
    } catch (e) {
      if (e instanceof RangeError) network.report(peer, PENALTY.garbage, "undecodable blocks");
      log.debug(`sync: no blocks from ${peer}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** Imports one block (and finalizes by its justification); reports the peer when it is invalid. */
  async #import(
    block: BlockData,
    peer: string,
  ): Promise<"ok" | "unknown-parent" | "invalid"> {
    const { client, network, finality, log } = this.#init;
    try {
      if (!client.block(blockHash(block.header))) {
        if (block.header.number <= client.finalized.header.number) return "ok";
        await client.importBlock({ header: block.header, extrinsics: block.extrinsics });
      }
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      if (e.code === "IMPORT_ERROR_UNKNOWN_PARENT") return "unknown-parent";
      if (e.code === "IMPORT_ERROR_BELOW_FINALIZED") return "ok";
      const penalty = e.code === "IMPORT_ERROR_FUTURE_SLOT"
        ? PENALTY.futureBlock
        : PENALTY.invalidBlock;
      network.report(peer, penalty, e.code);
      log.warn(`❌ Block #${block.header.number} from ${peer} refused: ${e.message}`);
      return "invalid";
    }
    if (block.justification) {
      try {
        await finality.importJustification(block.justification);
      } catch (e) {
        network.report(peer, PENALTY.badJustification, "bad justification");
        log.warn(`❌ Justification from ${peer} refused: ${(e as Error).message}`);
        return "invalid";
      }
    }
    return "ok";
  }
}
