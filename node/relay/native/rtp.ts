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
 * The value of an RTP packet's header extension `id` (RFC 8285: the one-byte
 * form 0xBEDE and the two-byte form 0x100X), as a view of the packet's
 * bytes; undefined when it has none.
 *
 * @example
 * ```ts
 * import { headerExtension } from "./rtp.ts";
 * const packet = new Uint8Array(20);
 * packet[0] = 0x90; // V=2, X=1
 * packet.set([0xbe, 0xde, 0, 1, 0x30, 0x66, 0, 0], 12); // id 3, one byte: "f"
 * if (headerExtension(packet, 3)?.[0] !== 0x66) throw new Error();
 * ```
 */
export function headerExtension(packet: Uint8Array, id: number): Uint8Array | undefined {
  if (packet.length < 12 || !(packet[0] & 0x10) || id <= 0) return undefined;
  let at = 12 + 4 * (packet[0] & 0x0f);
  if (packet.length < at + 4) return undefined;
  const profile = (packet[at] << 8) | packet[at + 1];
  const end = at + 4 + 4 * ((packet[at + 2] << 8) | packet[at + 3]);
  if (end > packet.length) return undefined;
  at += 4;
  if (profile === 0xbede) {
    while (at < end) {
      const head = packet[at];
      if (head === 0) { // padding
        at++;
        continue;
      }
      const extension = head >> 4;
      const length = (head & 0x0f) + 1;
      if (extension === 15 || at + 1 + length > end) return undefined; // 15: stop here
      if (extension === id) return packet.subarray(at + 1, at + 1 + length);
      at += 1 + length;
    }
  } else if ((profile & 0xfff0) === 0x1000) {
    while (at < end) {
      const extension = packet[at];
      if (extension === 0) {
        at++;
        continue;
      }
      if (at + 2 > end) return undefined;
      const length = packet[at + 1];
      if (at + 2 + length > end) return undefined;
      if (extension === id) return packet.subarray(at + 2, at + 2 + length);
      at += 2 + length;
    }
  }
  return undefined;
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

/** A big-endian unsigned 32-bit integer at `at`. */
export function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/** Writes a big-endian unsigned 32-bit integer at `at`. */
export function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}
