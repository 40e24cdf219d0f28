/**
 * The RTCP a media worker writes itself for a simulcast publisher, whose
 * track has no libdatachannel handler: libdatachannel's receiving session
 * follows one SSRC (its PLI goes to whichever layer spoke last, its receiver
 * reports mix the layers, and it swallows the sender reports), so the
 * worker keeps per-SSRC receive statistics and builds the receiver reports,
 * REMB and PLI on its own. Pure: tests import it without the addon.
 *
 * @module
 */
import { readU32, writeU32 } from "./rtp.ts";

const SR = 200;
const RR = 201;
const PSFB = 206;

/**
 * A picture loss indication (RFC 4585 §6.3.1): `sender` asks the sender of
 * `media` for a keyframe.
 *
 * @example
 * ```ts
 * import { pli } from "./rtcp.ts";
 * const packet = pli(1, 2);
 * if (packet.length !== 12 || packet[1] !== 206 || packet[11] !== 2) throw new Error();
 * ```
 */
export function pli(sender: number, media: number): Uint8Array {
  const packet = new Uint8Array(12);
  packet[0] = 0x81; // V=2, FMT=1
  packet[1] = PSFB;
  packet[3] = 2;
  writeU32(packet, 4, sender);
  writeU32(packet, 8, media);
  return packet;
}

/**
 * A receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03 §2):
 * `bitrate` bit/s for the streams `ssrcs` together.
 */
export function remb(sender: number, bitrate: number, ssrcs: readonly number[]): Uint8Array {
  const packet = new Uint8Array(20 + 4 * ssrcs.length);
  packet[0] = 0x8f; // V=2, FMT=15: application layer feedback
  packet[1] = PSFB;
  const words = packet.length / 4 - 1;
  packet[2] = words >> 8;
  packet[3] = words & 0xff;
  writeU32(packet, 4, sender);
  packet.set([0x52, 0x45, 0x4d, 0x42], 12); // "REMB"
  // An 18-bit mantissa and a 6-bit exponent.
  let exponent = 0;
  let mantissa = Math.max(0, Math.floor(bitrate));
  while (mantissa > 0x3ffff) {
    mantissa = Math.floor(mantissa / 2);
    exponent++;
  }
  packet[16] = ssrcs.length;
  packet[17] = (exponent << 2) | (mantissa >>> 16);
  packet[18] = (mantissa >>> 8) & 0xff;
  packet[19] = mantissa & 0xff;
  ssrcs.forEach((ssrc, i) => writeU32(packet, 20 + 4 * i, ssrc));
  return packet;
}

/** A report block's worth of what arrived from one SSRC (RFC 3550 §6.4.1, appendix A). */
export class ReceiveStatistics {
  #base = -1;
  #maxSeq = 0;
  #cycles = 0;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #jitter = 0;
  #transit?: number;
  /** The middle 32 bits of the last sender report's NTP time, and when it came. */
  #lastSr = 0;
  #lastSrAt = 0;

  /** Counts a packet with `seq` and `timestamp` arrived at `now` (ms) on a `clockRate` clock. */
  packet(seq: number, timestamp: number, now: number, clockRate: number): void {
    if (this.#base < 0) {
      this.#base = this.#maxSeq = seq;
    } else {
      const ahead = (seq - this.#maxSeq) & 0xffff;
      if (ahead > 0 && ahead < 0x8000) {
        if (seq < this.#maxSeq) this.#cycles += 0x10000;
        this.#maxSeq = seq;
      }
    }
    this.#received++;
    // Interarrival jitter (RFC 3550 §6.4.1, A.8), in timestamp units.
    const transit = (Math.round(now * clockRate / 1000) - timestamp) | 0;
    if (this.#transit !== undefined) {
      const d = Math.abs((transit - this.#transit) | 0);
      this.#jitter += (d - this.#jitter) / 16;
    }
    this.#transit = transit;
  }

  /** Notes a sender report, by the middle 32 bits of its NTP time, arrived at `now` (ms). */
  senderReport(ntpMiddle: number, now: number): void {
    this.#lastSr = ntpMiddle >>> 0;
    this.#lastSrAt = now;
  }

  /** Whether a packet arrived: there is something to report. */
  get any(): boolean {
    return this.#received > 0;
  }

  /** Writes the report block about `ssrc` at `at` in `out` (24 bytes); the next interval starts. */
  writeBlock(out: Uint8Array, at: number, ssrc: number, now: number): void {
    const extended = this.#cycles + this.#maxSeq;
    const expected = extended - this.#base + 1;
    const lost = Math.max(0, Math.min(0x7fffff, expected - this.#received));
    const expectedInterval = expected - this.#expectedPrior;
    const lostInterval = expectedInterval - (this.#received - this.#receivedPrior);
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    const fraction = expectedInterval <= 0 || lostInterval <= 0
      ? 0
      : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    writeU32(out, at, ssrc);
    out[at + 4] = fraction;
    out[at + 5] = lost >> 16;
    out[at + 6] = (lost >> 8) & 0xff;
    out[at + 7] = lost & 0xff;
    writeU32(out, at + 8, extended >>> 0);
    writeU32(out, at + 12, Math.floor(this.#jitter) >>> 0);
    writeU32(out, at + 16, this.#lastSr);
    // The delay since the last SR, in 1/65536 s; zero while none came.
    const delay = this.#lastSrAt ? Math.round(((now - this.#lastSrAt) / 1000) * 65536) : 0;
    writeU32(out, at + 20, delay >>> 0);
  }
}

/**
 * A receiver report from `sender` with a block per SSRC (31 at most, RFC
 * 3550 §6.4.2: the count is five bits), each from its statistics at `now`.
 */
export function receiverReport(
  sender: number,
  sources: readonly [number, ReceiveStatistics][],
  now: number,
): Uint8Array {
  const blocks = sources.slice(0, 31);
  const packet = new Uint8Array(8 + 24 * blocks.length);
  packet[0] = 0x80 | blocks.length;
  packet[1] = RR;
  const words = packet.length / 4 - 1;
  packet[2] = words >> 8;
  packet[3] = words & 0xff;
  writeU32(packet, 4, sender);
  blocks.forEach(([ssrc, statistics], i) => statistics.writeBlock(packet, 8 + 24 * i, ssrc, now));
  return packet;
}

/**
 * The sender reports of a compound RTCP packet: each sender's SSRC and the
 * middle 32 bits of its NTP time (what a report block's LSR echoes). A
 * malformed tail is ignored.
 */
export function senderReports(packet: Uint8Array): { ssrc: number; ntpMiddle: number }[] {
  const reports: { ssrc: number; ntpMiddle: number }[] = [];
  for (let at = 0; at + 4 <= packet.length;) {
    const length = (((packet[at + 2] << 8) | packet[at + 3]) + 1) * 4;
    if (at + length > packet.length) break;
    if (packet[at + 1] === SR && length >= 28) {
      const ntpMiddle = ((readU32(packet, at + 8) << 16) | (readU32(packet, at + 12) >>> 16)) >>> 0;
      reports.push({ ssrc: readU32(packet, at + 4), ntpMiddle });
    }
    at += length;
  }
  return reports;
}
