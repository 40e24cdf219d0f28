/**
 * The few RTP and RTCP fields a media worker reads or writes, on the bytes
 * as node-datachannel hands them over: no parsing into objects, so the
 * per-packet path allocates nothing. Pure: tests import it without the addon.
 *
 * @module
 */

/** Whether a packet on a muxed RTP/RTCP port is RTCP (RFC 5761 §4: types 192–223). */
export function isRtcp(packet: Uint8Array): boolean {
  return packet.length >= 2 && packet[1] >= 192 && packet[1] <= 223;
}

/** The payload type of an RTP packet. */
export function payloadType(packet: Uint8Array): number {
  return packet[1] & 0x7f;
}

/**
 * Where an RTP packet's payload starts (after CSRCs and the header
 * extension), or -1 when the header runs past the packet.
 *
 * @example
 * ```ts
 * import { payloadOffset } from "./rtp.ts";
 * const packet = new Uint8Array(20);
 * packet[0] = 0x90; // V=2, X=1
 * packet[14] = 0; packet[15] = 1; // one extension word
 * if (payloadOffset(packet) !== 20) throw new Error();
 * ```
 */
export function payloadOffset(packet: Uint8Array): number {
  if (packet.length < 12) return -1;
  let offset = 12 + 4 * (packet[0] & 0x0f);
  if (packet[0] & 0x10) {
    if (packet.length < offset + 4) return -1;
    offset += 4 + 4 * ((packet[offset + 2] << 8) | packet[offset + 3]);
  }
  return offset <= packet.length ? offset : -1;
}

/**
 * Renumbers one outgoing RTP stream in place: a fixed SSRC, and sequence
 * numbers and timestamps that carry on across a change of source (a
 * reconnecting publisher starts its own numbering over), so viewers see
 * one unbroken stream.
 */
export class OutgoingNumbering {
  readonly ssrc: number;
  readonly #timestampStep: number;
  #seqDelta = 0;
  #timestampDelta = 0;
  #lastSeq = -1;
  #lastTimestamp = 0;
  #restart = true;

  /** `timestampStep` is the timestamp gap put between two sources (a frame's length). */
  constructor(ssrc: number, timestampStep: number) {
    this.ssrc = ssrc >>> 0;
    this.#timestampStep = timestampStep;
  }

  /** The source changed: the next packet continues from the last one sent. */
  restart(): void {
    this.#restart = true;
  }

  /** Rewrites `packet`'s sequence number, timestamp and SSRC. */
  rewrite(packet: Uint8Array): void {
    const seq = (packet[2] << 8) | packet[3];
    const timestamp = readU32(packet, 4);
    if (this.#restart) {
      this.#restart = false;
      if (this.#lastSeq >= 0) {
        this.#seqDelta = (this.#lastSeq + 1 - seq) & 0xffff;
        this.#timestampDelta = (this.#lastTimestamp + this.#timestampStep - timestamp) >>> 0;
      }
    }
    const outSeq = (seq + this.#seqDelta) & 0xffff;
    const outTimestamp = (timestamp + this.#timestampDelta) >>> 0;
    packet[2] = outSeq >> 8;
    packet[3] = outSeq & 0xff;
    writeU32(packet, 4, outTimestamp);
    writeU32(packet, 8, this.ssrc);
    // Late (reordered) packets do not move the high-water mark back.
    if (this.#lastSeq < 0 || ((outSeq - this.#lastSeq) & 0xffff) < 0x8000) {
      this.#lastSeq = outSeq;
      this.#lastTimestamp = outTimestamp;
    }
  }
}

/** A receiver report block (RFC 3550 §6.4.1) about one SSRC. */
export interface ReportBlock {
  ssrc: number;
  /** Cumulative packets lost (may be negative with duplicates). */
  lost: number;
  /** The extended highest sequence number received. */
  highestSeq: number;
  /** Interarrival jitter, in RTP timestamp units. */
  jitter: number;
}

/** What a viewer's compound RTCP packet says that the worker acts on. */
export interface ViewerFeedback {
  /** A PLI (RFC 4585 §6.3.1) or FIR (RFC 5104 §4.3.1) asked for a keyframe. */
  keyframe: boolean;
  reports: ReportBlock[];
}

const SR = 200;
const RR = 201;
const PSFB = 206;
const PLI = 1;
const FIR = 4;

/**
 * Keyframe requests and report blocks in a compound RTCP packet; a
 * malformed tail is ignored.
 *
 * @example
 * ```ts
 * import { readFeedback } from "./rtp.ts";
 * // A PLI: V=2 FMT=1, PT=206, length 2 words, sender and media SSRC.
 * const pli = new Uint8Array([0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]);
 * if (!readFeedback(pli).keyframe) throw new Error();
 * ```
 */
export function readFeedback(packet: Uint8Array): ViewerFeedback {
  const feedback: ViewerFeedback = { keyframe: false, reports: [] };
  for (let at = 0; at + 4 <= packet.length;) {
    const count = packet[at] & 0x1f;
    const type = packet[at + 1];
    const length = (((packet[at + 2] << 8) | packet[at + 3]) + 1) * 4;
    if (at + length > packet.length) break;
    if (type === PSFB && (count === PLI || count === FIR)) feedback.keyframe = true;
    else if (type === SR || type === RR) {
      let block = at + (type === SR ? 28 : 8);
      for (let i = 0; i < count && block + 24 <= at + length; i++, block += 24) {
        const lost = ((packet[block + 5] << 16) | (packet[block + 6] << 8) | packet[block + 7]) <<
            8 >> 8;
        feedback.reports.push({
          ssrc: readU32(packet, block),
          lost,
          highestSeq: readU32(packet, block + 8),
          jitter: readU32(packet, block + 12),
        });
      }
    }
    at += length;
  }
  return feedback;
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}
