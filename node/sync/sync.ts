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
import type { ChainClient, ImportedBlock } from "../chain/mod.ts";
import { ImportError } from "../chain/mod.ts";
import { type FinalityService, JustificationError } from "../consensus/finality/mod.ts";
import type { Logger } from "../log.ts";
import type { GossipVerdict, Network } from "../network/mod.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
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
};

/** What the syncer needs. */
export interface SyncInit {
  client: ChainClient;
  network: Network;
  finality: FinalityService;
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
  /** When each peer was last asked for the justifications above our finalized block (ms). */
  readonly #finalityAsked = new Map<string, number>();
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
      const outcome = await this.#import(block, peer);
      if (outcome !== "ok") return;
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
    if (this.#finalityAsked.size > 1024) {
      this.#finalityAsked.delete(this.#finalityAsked.keys().next().value!);
    }
    await this.#syncFrom(peer, "finalized");
  }

  async #serve(request: Uint8Array): Promise<Uint8Array> {
    const { from, direction, max } = decodeBlockRequest(request);
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
        const blocks = await this.#request(peer, {
          from: { tag: "Number", value: start() },
          direction: { tag: "Ascending" },
          max: MAX_BLOCKS,
        });
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
        if (!(e instanceof JustificationError)) throw e;
        network.report(peer, PENALTY.badJustification, "bad justification");
        log.warn(`❌ Justification from ${peer} refused: ${e.message}`);
        return "invalid";
      }
    }
    return "ok";
  }
}
