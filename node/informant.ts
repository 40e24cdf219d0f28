/**
 * The informant: every few seconds one line of what the node is doing
 * (Syncing, Authoring or Idle), its peers, best and finalized blocks,
 * transaction pool, streams and bandwidth (gossip, requests and relayed
 * media), as Substrate's informant prints it; and a WARN line as soon as
 * something is wrong that an operator must act on: no peers left, finality
 * lagging behind the best block, a slot of this validator missed.
 *
 * @module
 */

import { toHex } from "../runtime/primitives/hex.ts";
import type { ChainClient } from "./chain/mod.ts";
import type { Logger } from "./log.ts";
import type { PeerEvent } from "./network/mod.ts";

/** Bytes in and out so far. */
export interface Traffic {
  inBytes: number;
  outBytes: number;
}

/** What the informant reads. */
export interface InformantInit {
  log: Logger;
  client: Pick<ChainClient, "best" | "finalized">;
  network: {
    readonly peerCount: number;
    bandwidth(): Traffic;
    onPeer(event: PeerEvent, handler: (peerId: string) => void): () => void;
  };
  sync: { readonly isSyncing: boolean; readonly target: number };
  pool: { status(): { ready: number; future: number } };
  relay: { streams(): unknown[]; mediaTraffic(): Traffic };
  /** Whether this node authors blocks in its slots now (a validator in the authority set). */
  isAuthoring: () => boolean;
  /** Whether the chain expects peers (not a lone development node): only then is 0 peers wrong. */
  shouldHavePeers: boolean;
  /** Between two lines. Default 5 s. */
  intervalMs?: number;
  /** How far finality may lag the best block before a warning. Default 5 blocks. */
  maxFinalityLag?: number;
  /** A node that never had a peer is warned after this long. Default 30 s. */
  alonePatienceMs?: number;
}

/** The informant; `start` it once the node runs, `stop` it on shutdown. */
export class Informant {
  readonly #init: InformantInit;
  readonly #intervalMs: number;
  readonly #maxLag: number;
  #timer?: ReturnType<typeof setInterval>;
  #unsubscribe?: () => void;
  #startedAt = 0;
  #last = { best: 0, traffic: { inBytes: 0, outBytes: 0 } };
  #hadPeers = false;
  #warnedAlone = false;
  #warnedLag = false;

  constructor(init: InformantInit) {
    this.#init = init;
    this.#intervalMs = init.intervalMs ?? 5_000;
    this.#maxLag = init.maxFinalityLag ?? 5;
  }

  /** Prints a line every interval and watches for the last peer leaving. */
  start(): void {
    this.#startedAt = Date.now();
    this.#last = { best: this.#init.client.best.header.number, traffic: this.#traffic() };
    this.#unsubscribe = this.#init.network.onPeer("disconnect", () => this.#checkPeers());
    // A throw in a timer would end the process: the informant only ever logs it.
    this.#timer = setInterval(() => {
      try {
        this.#inform();
      } catch (e) {
        this.#init.log.error(`informant: ${(e as Error)?.stack ?? e}`);
      }
    }, this.#intervalMs);
  }

  /** Stops the lines and the watching. */
  stop(): void {
    clearInterval(this.#timer);
    this.#unsubscribe?.();
  }

  /** This validator owned `slot` and authored no block in it. */
  slotMissed(slot: bigint, reason: string): void {
    this.#init.log.warn(`⚠️  Missed this validator's slot ${slot}: ${reason}`);
  }

  #inform(): void {
    const { client, network, sync, pool, relay, log } = this.#init;
    const seconds = this.#intervalMs / 1000;
    const best = client.best.header.number;
    const traffic = this.#traffic();
    const rate = (now: number, then: number) =>
      `${((now - then) / seconds / 1024).toFixed(1)}kiB/s`;
    const bps = (best - this.#last.best) / seconds;
    const state = sync.isSyncing
      ? `⚙️  Syncing ${bps.toFixed(1)} bps, target=#${sync.target}` +
        (bps > 0 ? `, ~${Math.ceil((sync.target - best) / bps)} s left` : "")
      : this.#init.isAuthoring()
      ? "🔨 Authoring"
      : "💤 Idle";
    const { ready, future } = pool.status();
    log.info(
      `${state} (${network.peerCount} peers), ` +
        `best: #${best} (${shortHash(client.best.hash)}), ` +
        `finalized #${client.finalized.header.number} (${shortHash(client.finalized.hash)}), ` +
        `txpool: ${ready} ready, ${future} future, ` +
        `📺 ${relay.streams().length} streams, ` +
        `⬇ ${rate(traffic.inBytes, this.#last.traffic.inBytes)} ` +
        `⬆ ${rate(traffic.outBytes, this.#last.traffic.outBytes)}`,
    );
    this.#last = { best, traffic };
    this.#checkPeers();
    this.#checkFinality();
  }

  /** Warns once each time the node is left without peers (or never found any). */
  #checkPeers(): void {
    const { network, shouldHavePeers, log } = this.#init;
    if (network.peerCount > 0) {
      this.#hadPeers = true;
      this.#warnedAlone = false;
      return;
    }
    const patience = this.#init.alonePatienceMs ?? 30_000;
    if (!shouldHavePeers || this.#warnedAlone) return;
    if (!this.#hadPeers && Date.now() - this.#startedAt < patience) return;
    this.#warnedAlone = true;
    log.warn(
      `⚠️  No peers: this node ${this.#hadPeers ? "lost its last peer" : "found no peer"}; ` +
        "it can neither sync nor finalize until one connects (check --bootnodes and that peers are up)",
    );
  }

  /** Warns once each time finality falls more than the allowed lag behind the best block. */
  #checkFinality(): void {
    const { client, sync, log } = this.#init;
    const best = client.best.header.number;
    const finalized = client.finalized.header.number;
    const lag = best - finalized;
    if (lag <= this.#maxLag) {
      if (this.#warnedLag) {
        log.info(`✅ Finality caught up: finalized #${finalized}, best #${best}`);
      }
      this.#warnedLag = false;
      return;
    }
    // A syncing node's best runs ahead of the justifications it has yet to fetch.
    if (this.#warnedLag || sync.isSyncing) return;
    this.#warnedLag = true;
    log.warn(
      `⚠️  Finality lags: finalized #${finalized} is ${lag} blocks behind best #${best}; ` +
        "finality needs votes from more than two thirds of the validators, connected to each other",
    );
  }

  #traffic(): Traffic {
    const chain = this.#init.network.bandwidth();
    const media = this.#init.relay.mediaTraffic();
    return { inBytes: chain.inBytes + media.inBytes, outBytes: chain.outBytes + media.outBytes };
  }
}

/** A hash as the log shows it: `0x1234…abcd`. */
export function shortHash(hash: Uint8Array): string {
  const hex = toHex(hash);
  return `${hex.slice(0, 6)}…${hex.slice(-4)}`;
}
