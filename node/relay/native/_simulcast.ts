/**
 * The receiving end of a publisher's simulcast: every layer arrives on the
 * one video track, each on an SSRC the offer did not signal. A layer is
 * known by the RID header extension of its SSRC's first packets (Chrome
 * stops sending it once a receiver report acknowledges the SSRC, so only
 * SSRCs whose RID is known are reported, and the mapping is kept). The
 * track has no libdatachannel handler (its receiving session follows one
 * SSRC), so this sends the RTCP: each second a receiver report with a
 * block per layer and a REMB asking the publisher's bitrate for all of
 * them, and a PLI to one layer's SSRC when it is asked for a keyframe.
 *
 * @module
 */
import { startsVp8Keyframe } from "../media/keyframe.ts";
import { pli, receiverReport, ReceiveStatistics, remb, senderReports } from "./rtcp.ts";
import { headerExtension, payloadOffset, readU32 } from "./rtp.ts";
import type { SimulcastOffer } from "./sdp.ts";

/** A layer whose packets stopped this long ago, milliseconds, no longer flows. */
export const LAYER_FLOW_MS = 1_000;

/** An SSRC silent this long, milliseconds, is forgotten (its layer may come back on another). */
const FORGET_MS = 5_000;

/** SSRCs followed at most: a publisher sends one per layer (and RTX, dropped before). */
const MAX_SSRCS = 16;

const decoder = new TextDecoder();

/** One SSRC the publisher sends on. */
class Incoming {
  rid?: string;
  readonly statistics = new ReceiveStatistics();
  lastAt = 0;
  bytes = 0;
  /** Bytes in the last report interval, and the width of the layer's last keyframe (VP8). */
  rate = 0;
  width = 0;
  #bytesAtReport = 0;

  constructor(readonly ssrc: number) {}

  /** Closes a report interval: its bytes become the rate. */
  tick(): void {
    this.rate = this.bytes - this.#bytesAtReport;
    this.#bytesAtReport = this.bytes;
  }
}

/** Follows a simulcast publisher's layers, and sends its RTCP with `send`. */
export class SimulcastReceiver {
  readonly rids: readonly string[];
  readonly #ridExtension: number;
  readonly #bitrate: number;
  readonly #clockRate: number;
  readonly #send: (rtcp: Uint8Array) => void;
  /** The SSRC the relay's reports and requests come from. */
  readonly #sender = crypto.getRandomValues(new Uint32Array(1))[0];
  readonly #bySsrc = new Map<number, Incoming>();
  readonly #byRid = new Map<string, Incoming>();

  /**
   * The receiving end of `offer`'s layers, in `clockRate` timestamps,
   * asking `bitrate` bit/s of all of them together; RTCP goes out by `send`.
   */
  constructor(
    offer: SimulcastOffer,
    options: { bitrate: number; clockRate: number },
    send: (rtcp: Uint8Array) => void,
  ) {
    this.rids = offer.rids;
    this.#ridExtension = offer.ridExtension;
    this.#bitrate = options.bitrate;
    this.#clockRate = options.clockRate;
    this.#send = send;
  }

  /**
   * Takes a media packet arrived at `now` (ms); returns its layer's RID, or
   * undefined while its SSRC's layer is not known (it is dropped).
   */
  receive(packet: Uint8Array, now: number, vp8: boolean): string | undefined {
    const ssrc = readU32(packet, 8);
    let incoming = this.#bySsrc.get(ssrc);
    if (!incoming) {
      if (this.#bySsrc.size >= MAX_SSRCS) return undefined;
      incoming = new Incoming(ssrc);
      this.#bySsrc.set(ssrc, incoming);
    }
    incoming.lastAt = now;
    if (incoming.rid === undefined && !this.#identify(incoming, packet)) return undefined;
    incoming.bytes += packet.length;
    incoming.statistics.packet(
      (packet[2] << 8) | packet[3],
      readU32(packet, 4),
      now,
      this.#clockRate,
    );
    if (vp8) {
      const width = vp8KeyframeWidth(packet);
      if (width > 0) incoming.width = width;
    }
    return incoming.rid;
  }

  /** Takes an RTCP packet from the publisher: its sender reports, for the next receiver report. */
  rtcp(packet: Uint8Array, now: number): void {
    for (const { ssrc, ntpMiddle } of senderReports(packet)) {
      this.#bySsrc.get(ssrc)?.statistics.senderReport(ntpMiddle, now);
    }
  }

  /**
   * Sends the periodic RTCP, a receiver report about every known layer and a
   * REMB, and forgets SSRCs gone silent.
   */
  report(now: number): void {
    for (const [ssrc, incoming] of this.#bySsrc) {
      incoming.tick();
      if (now - incoming.lastAt < FORGET_MS) continue;
      this.#bySsrc.delete(ssrc);
      if (incoming.rid !== undefined && this.#byRid.get(incoming.rid) === incoming) {
        this.#byRid.delete(incoming.rid);
      }
    }
    const known = [...this.#byRid.values()].filter((i) => i.statistics.any);
    const rr = receiverReport(this.#sender, known.map((i) => [i.ssrc, i.statistics]), now);
    const bitrate = remb(this.#sender, this.#bitrate, known.map((i) => i.ssrc));
    const compound = new Uint8Array(rr.length + bitrate.length);
    compound.set(rr);
    compound.set(bitrate, rr.length);
    this.#send(compound);
  }

  /** Asks for a keyframe on layer `rid`, or on every layer when undefined. */
  requestKeyframe(rid?: string): void {
    const layers = rid === undefined ? [...this.#byRid.values()] : [this.#byRid.get(rid)];
    for (const incoming of layers) if (incoming) this.#send(pli(this.#sender, incoming.ssrc));
  }

  /**
   * The layers flowing at `now` (a packet within {@link LAYER_FLOW_MS}),
   * lowest resolution first: by their keyframes' width when every one has
   * shown it (VP8), else by bitrate.
   */
  flowing(now: number): string[] {
    const flowing = [...this.#byRid.values()].filter((i) => now - i.lastAt < LAYER_FLOW_MS);
    const byWidth = flowing.every((i) => i.width > 0);
    return flowing
      .sort((a, b) => byWidth ? a.width - b.width : a.rate - b.rate)
      .map((i) => i.rid!);
  }

  /** Learns `incoming`'s layer from `packet`'s RID extension; returns whether it is known. */
  #identify(incoming: Incoming, packet: Uint8Array): boolean {
    const value = headerExtension(packet, this.#ridExtension);
    const rid = value && decoder.decode(value);
    if (!rid || !this.rids.includes(rid)) return false;
    incoming.rid = rid;
    // A layer on a new SSRC (the publisher restarted its encoder) replaces the old one.
    this.#byRid.set(rid, incoming);
    // REMB is asked for every layer as soon as it is known.
    this.#send(remb(this.#sender, this.#bitrate, [...this.#byRid.values()].map((i) => i.ssrc)));
    return true;
  }
}

/**
 * The width of the picture a VP8 RTP packet's keyframe starts (RFC 6386
 * §9.1: after the 3-byte frame tag, the start code 9d 01 2a and 14 bits of
 * width), or 0 when it does not start a keyframe.
 */
export function vp8KeyframeWidth(packet: Uint8Array): number {
  const payload = payloadOffset(packet);
  if (payload < 0 || !startsVp8Keyframe(packet.subarray(payload))) return 0;
  let at = payload + 1;
  if (packet[payload] & 0x80) {
    const extensions = packet[payload + 1];
    at = payload + 2;
    if (extensions & 0x80) at += packet[at] & 0x80 ? 2 : 1;
    if (extensions & 0x40) at++;
    if (extensions & 0x30) at++;
  }
  if (at + 10 > packet.length) return 0;
  if (packet[at + 3] !== 0x9d || packet[at + 4] !== 0x01 || packet[at + 5] !== 0x2a) return 0;
  return (packet[at + 6] | (packet[at + 7] << 8)) & 0x3fff;
}
