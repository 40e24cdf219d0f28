/**
 * What the fault tests measure: every few hundred milliseconds, each live
 * node's best and finalized block; from those samples, how long finality
 * stalled, how far it lagged behind the best block, and whether any node's
 * finalized chain ever went back or changed.
 *
 * @module
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { NodeProcess } from "../_node.ts";
import type { Cluster } from "./_cluster.ts";

/** One node's heads at one moment. */
export interface Sample {
  /** Milliseconds since the epoch. */
  at: number;
  node: string;
  best: number;
  finalized: number;
  finalizedHash: string;
}

/** An RPC that has not answered within this is skipped (a busy or dying node). */
const RPC_TIMEOUT_MS = 3_000;

/** A node's best and finalized block now. */
export async function heads(
  node: NodeProcess,
): Promise<{ best: number; finalized: number; finalizedHash: string }> {
  const finalizedHash = await node.rpc<string>("chain_getFinalizedHead");
  const [best, finalized] = await Promise.all([
    node.rpc<{ number: string }>("chain_getHeader"),
    node.rpc<{ number: string }>("chain_getHeader", [finalizedHash]),
  ]);
  return {
    best: parseInt(best.number, 16),
    finalized: parseInt(finalized.number, 16),
    finalizedHash,
  };
}

/** Samples a cluster's live nodes until stopped. */
export class FinalityWatch {
  readonly samples: Sample[] = [];
  readonly #cluster: Cluster;
  readonly #intervalMs: number;
  #running = true;
  readonly #done: Promise<void>;

  /** Starts sampling `cluster` every `intervalMs`. */
  constructor(cluster: Cluster, intervalMs = 500) {
    this.#cluster = cluster;
    this.#intervalMs = intervalMs;
    this.#done = this.#loop();
  }

  /** Stops sampling. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }

  /**
   * The longest time the network's finalized head (the highest block any
   * node finalized) did not move, between `from` and `to` (ms since the epoch).
   */
  stallMs(from: number, to: number): number {
    let head = -1;
    let since = from;
    let longest = 0;
    for (const s of this.samples) {
      if (s.at < from || s.at > to || s.finalized <= head) continue;
      if (head >= 0) longest = Math.max(longest, s.at - since);
      head = s.finalized;
      since = s.at;
    }
    return Math.max(longest, to - since);
  }

  /** The 95th percentile of best minus finalized over the samples of `nodes` between `from` and `to`. */
  lagP95(nodes: string[], from: number, to: number): number {
    const lags = this.samples
      .filter((s) => nodes.includes(s.node) && s.at >= from && s.at <= to)
      .map((s) => s.best - s.finalized)
      .sort((a, b) => a - b);
    ok(lags.length > 0, "no samples to measure the finality lag on");
    return lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.95))];
  }

  /**
   * No finalized block was lost: each node's finalized number never went
   * down (across restarts too), and every block any node was seen to
   * finalize is, on every live node that reached its height, that same block.
   */
  async assertNoFinalizedLost(): Promise<void> {
    const last = new Map<string, Sample>();
    const seen = new Map<number, Sample>();
    for (const s of this.samples) {
      const before = last.get(s.node);
      ok(
        !before || s.finalized >= before.finalized,
        `${s.node}'s finalized block went back from #${before?.finalized} to #${s.finalized}`,
      );
      last.set(s.node, s);
      const other = seen.get(s.finalized);
      if (other) {
        assertEquals(
          s.finalizedHash,
          other.finalizedHash,
          `#${s.finalized}: ${s.node} and ${other.node} finalized different blocks`,
        );
      }
      seen.set(s.finalized, s);
    }
    for (const { process } of this.#cluster.live) {
      const node = process!;
      const { finalized } = await heads(node);
      for (const [number, sample] of seen) {
        if (number > finalized) continue;
        assertEquals(
          await node.rpc<string>("chain_getBlockHash", [number]),
          sample.finalizedHash,
          `#${number} (finalized by ${sample.node}) is another block on a node now`,
        );
      }
    }
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const tick = Date.now();
      await Promise.all(this.#cluster.live.map(async (member) => {
        const sample = await withTimeout(heads(member.process!), RPC_TIMEOUT_MS).catch(() => {});
        // A node frozen or killed while it was asked answers for a moment that no longer counts.
        if (sample && member.process && !member.frozen) {
          this.samples.push({ at: tick, node: member.name, ...sample });
        }
      }));
      await new Promise((r) => setTimeout(r, Math.max(0, tick + this.#intervalMs - Date.now())));
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`No answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
