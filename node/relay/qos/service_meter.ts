/**
 * The relay's own measure of the service it gives: bytes and seconds served
 * per (era, stream), and the loss and jitter its viewers' RTCP receiver
 * reports show, weighted by packets sent.
 *
 * Each viewer's counters are sampled now and then; what grew since the last
 * sample is credited to the era of the sample, so an era's figures are
 * exact to within one sampling interval.
 *
 * @module
 */
import type { ViewerStats } from "../media/viewer.ts";

/** What a relay served on one stream in one era. */
export interface Service {
  bytes: bigint;
  seconds: number;
  /** Mean loss over the packets sent, in parts per million. */
  lossPermill: number;
  /** Mean jitter over the packets sent, in milliseconds. */
  jitterMs: number;
}

interface Tally {
  bytes: number;
  ms: number;
  packets: number;
  lossSum: number;
  jitterSum: number;
}

interface Tracked {
  stream: bigint;
  stats: () => ViewerStats;
  bytes: number;
  packets: number;
  /** When media started or was last sampled; undefined before it started. */
  since?: number;
}

/** A viewer whose service is being measured. */
export interface MeteredViewer {
  /** Media started reaching the viewer: seconds served count from now. */
  start(): void;
  /** The viewer left: its last counters are credited to `era`. */
  stop(era: number): void;
}

/** Sums the service of every viewer, per (era, stream). */
export class ServiceMeter {
  readonly #now: () => number;
  readonly #viewers = new Set<Tracked>();
  readonly #tallies = new Map<string, Tally>();

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Measures a viewer of `stream` from its counters. */
  track(stream: bigint, stats: () => ViewerStats): MeteredViewer {
    const start = stats();
    const viewer: Tracked = { stream, stats, bytes: start.bytesSent, packets: start.packetsSent };
    this.#viewers.add(viewer);
    return {
      start: () => viewer.since ??= this.#now(),
      stop: (era) => {
        if (!this.#viewers.delete(viewer)) return;
        this.#credit(viewer, era);
      },
    };
  }

  /** Credits what every viewer's counters grew by since the last sample to `era`. */
  sample(era: number): void {
    for (const viewer of this.#viewers) this.#credit(viewer, era);
  }

  /** What was served on `stream` in `era`, as sampled so far. */
  service(era: number, stream: bigint): Service {
    const tally = this.#tallies.get(`${era}:${stream}`);
    if (!tally) return { bytes: 0n, seconds: 0, lossPermill: 0, jitterMs: 0 };
    const mean = (sum: number) => tally.packets === 0 ? 0 : Math.round(sum / tally.packets);
    return {
      bytes: BigInt(tally.bytes),
      seconds: Math.floor(tally.ms / 1000),
      lossPermill: mean(tally.lossSum),
      jitterMs: mean(tally.jitterSum),
    };
  }

  /** Drops the tallies of eras before `era`. */
  pruneBefore(era: number): void {
    for (const key of this.#tallies.keys()) {
      if (Number(key.split(":")[0]) < era) this.#tallies.delete(key);
    }
  }

  #credit(viewer: Tracked, era: number): void {
    const stats = viewer.stats();
    const now = this.#now();
    const key = `${era}:${viewer.stream}`;
    const tally = this.#tallies.get(key) ??
      { bytes: 0, ms: 0, packets: 0, lossSum: 0, jitterSum: 0 };
    const packets = Math.max(0, stats.packetsSent - viewer.packets);
    tally.bytes += Math.max(0, stats.bytesSent - viewer.bytes);
    tally.packets += packets;
    tally.lossSum += stats.lossPermill * packets;
    tally.jitterSum += stats.jitterMs * packets;
    if (viewer.since !== undefined) {
      tally.ms += now - viewer.since;
      viewer.since = now;
    }
    viewer.bytes = stats.bytesSent;
    viewer.packets = stats.packetsSent;
    this.#tallies.set(key, tally);
  }
}
