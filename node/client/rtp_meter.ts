/**
 * What a receiver measures on one RTP stream: packets, payload bytes,
 * complete frames (marker bit), VP8 keyframes, loss from sequence gaps and
 * interarrival jitter, both as RFC 3550 defines them (§A.3, §A.8).
 *
 * @example
 * ```ts
 * import { RtpMeter } from "./rtp_meter.ts";
 * const meter = new RtpMeter({ clockRate: 90_000, vp8: true });
 * meter.add({ sequenceNumber: 1, timestamp: 0, marker: true }, new Uint8Array(100), 0);
 * meter.add({ sequenceNumber: 3, timestamp: 3000, marker: true }, new Uint8Array(100), 33);
 * const r = meter.read();
 * if (r.packets !== 2 || r.lost !== 1 || r.frames !== 2) throw new Error("meter");
 * ```
 *
 * @module
 */
import { startsVp8Frame, startsVp8Keyframe } from "../relay/media/keyframe.ts";
import { sentAtOf, wallClockMs } from "../relay/testing/vp8.ts";

/** The RTP header fields a meter reads. */
export interface RtpFields {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
}

/** A meter's reading; counts are totals since it started. */
export interface RtpReading {
  packets: number;
  /** RTP payload bytes. */
  bytes: number;
  /** Packets with the marker bit: frames received to their end. */
  frames: number;
  /** Frame starts that are VP8 keyframes (0 unless the meter reads VP8). */
  keyframes: number;
  /** Packets missing from the sequence so far (RFC 3550 §A.3), never negative. */
  lost: number;
  /** Interarrival jitter, milliseconds (RFC 3550 §A.8). */
  jitterMs: number;
}

/** One frame's one-way delay: its send time (its key across viewers) and how long it took. */
export interface FrameDelay {
  /** The send time stamped in the frame, ms (`wallClockMs`). */
  sentAt: number;
  delayMs: number;
}

/** What a meter reads. */
export interface RtpMeterOptions {
  /** The stream's RTP clock rate, Hz. */
  clockRate: number;
  /** The payloads are VP8: count keyframes. */
  vp8?: boolean;
  /**
   * Keep the one-way delay of each VP8 frame start that carries a synthetic
   * send time (see `sentAtOf`), for benchmarks.
   */
  latencies?: boolean;
}

/** Counts one RTP stream as packets arrive. */
export class RtpMeter {
  #packets = 0;
  #bytes = 0;
  #frames = 0;
  #keyframes = 0;
  #firstSeq = -1;
  #maxSeq = 0; // extended: cycles * 65536 + seq
  #jitter = 0; // in clock units
  #lastTransit: number | undefined;
  #latencies: FrameDelay[] | undefined;
  readonly #clockRate: number;
  readonly #vp8: boolean;

  /** A meter for a stream with RTP clock `clockRate` (90 kHz video, 48 kHz Opus). */
  constructor(options: RtpMeterOptions) {
    this.#clockRate = options.clockRate;
    this.#vp8 = options.vp8 ?? false;
    if (options.latencies) this.#latencies = [];
  }

  /** Counts a packet that arrived at `arrivalMs` (a `performance.now()`-like clock). */
  add(header: RtpFields, payload: Uint8Array, arrivalMs: number): void {
    this.#packets++;
    this.#bytes += payload.length;
    if (header.marker) this.#frames++;
    const frameStart = this.#vp8 && startsVp8Frame(payload);
    if (frameStart && startsVp8Keyframe(payload)) this.#keyframes++;
    this.#trackSequence(header.sequenceNumber);
    const transit = arrivalMs * this.#clockRate / 1000 - header.timestamp;
    if (this.#lastTransit !== undefined) {
      let d = Math.abs(transit - this.#lastTransit);
      if (d > 0x7fffffff) d = Math.abs(d - 0x1_0000_0000); // timestamp wrapped
      this.#jitter += (d - this.#jitter) / 16;
    }
    this.#lastTransit = transit;
    if (this.#latencies && frameStart) {
      const sentAt = sentAtOf(payload);
      if (sentAt !== undefined) this.#latencies.push({ sentAt, delayMs: wallClockMs() - sentAt });
    }
  }

  #trackSequence(seq: number): void {
    if (this.#firstSeq < 0) {
      this.#firstSeq = this.#maxSeq = seq;
      return;
    }
    const cycles = this.#maxSeq - (this.#maxSeq & 0xffff);
    const delta = (seq - (this.#maxSeq & 0xffff)) & 0xffff;
    // Ahead by less than half the sequence space is new; otherwise a late, reordered packet.
    if (delta !== 0 && delta < 0x8000) {
      this.#maxSeq = seq < (this.#maxSeq & 0xffff) ? cycles + 0x10000 + seq : cycles + seq;
    }
  }

  /** The counts so far. */
  read(): RtpReading {
    const expected = this.#firstSeq < 0 ? 0 : this.#maxSeq - this.#firstSeq + 1;
    return {
      packets: this.#packets,
      bytes: this.#bytes,
      frames: this.#frames,
      keyframes: this.#keyframes,
      lost: Math.max(0, expected - this.#packets),
      jitterMs: this.#jitter * 1000 / this.#clockRate,
    };
  }

  /** One-way delays recorded so far, emptied by the call; [] unless asked for. */
  takeLatencies(): FrameDelay[] {
    const taken = this.#latencies ?? [];
    if (this.#latencies) this.#latencies = [];
    return taken;
  }
}
