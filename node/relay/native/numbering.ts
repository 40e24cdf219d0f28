/**
 * Renumbering a worker's outgoing RTP in place, so that each viewer sees
 * one unbroken stream whatever it is sent from one moment to the next.
 * Pure: tests import it without the addon.
 *
 * @module
 */
import { payloadOffset, readU32, writeU32 } from "./rtp.ts";

/**
 * The fields of one incoming RTP packet that {@link OutgoingNumbering}
 * rewrites, read once per packet and shared by every numbering that sends
 * it on (each writes its own values over the last one's). VP8's are in the
 * payload descriptor (RFC 7741 §4.2): PictureID, 7 or 15 bits, and
 * TL0PICIDX.
 */
export class PacketFields {
  seq = 0;
  timestamp = 0;
  /** Where the VP8 PictureID is in the packet, -1 when it has none. */
  pictureAt = -1;
  /** The PictureID's width: 7 or 15 bits. */
  pictureBits = 0;
  picture = 0;
  /** Where the VP8 TL0PICIDX is in the packet, -1 when it has none. */
  tl0At = -1;
  tl0 = 0;

  /** Reads `packet`'s fields (the VP8 payload descriptor's too when `vp8`); returns itself. */
  read(packet: Uint8Array, vp8: boolean): this {
    this.seq = (packet[2] << 8) | packet[3];
    this.timestamp = readU32(packet, 4);
    this.pictureAt = this.tl0At = -1;
    if (!vp8) return this;
    const payload = payloadOffset(packet);
    // X: the extension byte I|L|T|K follows the first.
    if (payload < 0 || payload + 2 > packet.length || !(packet[payload] & 0x80)) return this;
    const extensions = packet[payload + 1];
    let at = payload + 2;
    if (extensions & 0x80) {
      const wide = at < packet.length && (packet[at] & 0x80) !== 0; // M: 15 bits
      if (at + (wide ? 2 : 1) > packet.length) return this;
      this.pictureAt = at;
      this.pictureBits = wide ? 15 : 7;
      this.picture = wide ? ((packet[at] & 0x7f) << 8) | packet[at + 1] : packet[at] & 0x7f;
      at += wide ? 2 : 1;
    }
    if (extensions & 0x40 && at < packet.length) {
      this.tl0At = at;
      this.tl0 = packet[at];
    }
    return this;
  }
}

/**
 * Sequence numbers this far past the first one sent after a restart,
 * packets from before the restart are no longer looked for.
 */
const RESTART_WINDOW = 1_000;

/**
 * Renumbers one outgoing RTP stream in place: a fixed SSRC, and sequence
 * numbers, timestamps and VP8 picture ids that carry on across a change of
 * what is sent (a reconnecting publisher, which starts its own numbering
 * over, or another simulcast layer, whose numbering and timestamp offset
 * are its own), so a viewer sees one unbroken stream. Across a change the
 * timestamps advance by the wall-clock time since the last packet sent,
 * and the picture id and TL0PICIDX by one: without that the viewer's VP8
 * decoder waits for pictures that never come (Chrome froze for 3.6 s over
 * layer switches). The rewrite never changes a packet's length.
 */
export class OutgoingNumbering {
  readonly ssrc: number;
  readonly #ticksPerMs: number;
  #seqDelta = 0;
  #timestampDelta = 0;
  #pictureDelta = 0;
  #tl0Delta = 0;
  #lastSeq = -1;
  #lastTimestamp = 0;
  #lastPicture = -1;
  #lastTl0 = -1;
  #lastSentAt = 0;
  #restart = true;
  /** The first sequence number sent after the last restart, while older packets may come; else -1. */
  #floor = -1;

  /** Numbering sent with `ssrc`, whose timestamps count `clockRate` a second. */
  constructor(ssrc: number, clockRate: number) {
    this.ssrc = ssrc >>> 0;
    this.#ticksPerMs = clockRate / 1000;
  }

  /** What is sent changes: the next packet continues from the last one sent. */
  restart(): void {
    this.#restart = true;
  }

  /** A copy, to carry on from the same last packet with other packets. */
  fork(): OutgoingNumbering {
    const copy = new OutgoingNumbering(this.ssrc, this.#ticksPerMs * 1000);
    copy.#seqDelta = this.#seqDelta;
    copy.#timestampDelta = this.#timestampDelta;
    copy.#pictureDelta = this.#pictureDelta;
    copy.#tl0Delta = this.#tl0Delta;
    copy.#lastSeq = this.#lastSeq;
    copy.#lastTimestamp = this.#lastTimestamp;
    copy.#lastPicture = this.#lastPicture;
    copy.#lastTl0 = this.#lastTl0;
    copy.#lastSentAt = this.#lastSentAt;
    copy.#restart = this.#restart;
    copy.#floor = this.#floor;
    return copy;
  }

  /**
   * Rewrites `packet`, whose own values are `fields`, at `now`
   * (milliseconds). Returns false, leaving it be, for a packet older than the
   * first one sent since a restart: its sequence number is another's.
   */
  rewrite(packet: Uint8Array, fields: PacketFields, now: number): boolean {
    if (this.#restart) this.#continueWith(fields, now);
    const seq = (fields.seq + this.#seqDelta) & 0xffff;
    if (this.#floor >= 0) {
      const ahead = (seq - this.#floor) & 0xffff;
      if (ahead >= 0x8000) return false;
      if (ahead > RESTART_WINDOW) this.#floor = -1;
    }
    const timestamp = (fields.timestamp + this.#timestampDelta) >>> 0;
    packet[2] = seq >> 8;
    packet[3] = seq & 0xff;
    writeU32(packet, 4, timestamp);
    writeU32(packet, 8, this.ssrc);
    let picture = -1;
    if (fields.pictureAt >= 0) {
      const at = fields.pictureAt;
      if (fields.pictureBits === 15) {
        picture = (fields.picture + this.#pictureDelta) & 0x7fff;
        packet[at] = 0x80 | (picture >> 8);
        packet[at + 1] = picture & 0xff;
      } else {
        picture = (fields.picture + this.#pictureDelta) & 0x7f;
        packet[at] = picture;
      }
    }
    let tl0 = -1;
    if (fields.tl0At >= 0) {
      tl0 = (fields.tl0 + this.#tl0Delta) & 0xff;
      packet[fields.tl0At] = tl0;
    }
    // Late (reordered) packets do not move the high-water mark back.
    if (this.#lastSeq < 0 || ((seq - this.#lastSeq) & 0xffff) < 0x8000) {
      this.#lastSeq = seq;
      this.#lastTimestamp = timestamp;
      this.#lastSentAt = now;
      if (picture >= 0) this.#lastPicture = picture;
      if (tl0 >= 0) this.#lastTl0 = tl0;
    }
    return true;
  }

  /** Sets the deltas that continue the last packet sent with `fields`' packet. */
  #continueWith(fields: PacketFields, now: number): void {
    this.#restart = false;
    if (this.#lastSeq < 0) return;
    this.#seqDelta = (this.#lastSeq + 1 - fields.seq) & 0xffff;
    // Layers' and sources' timestamps have unrelated offsets: the wall clock bridges them.
    const elapsed = Math.max(1, Math.round((now - this.#lastSentAt) * this.#ticksPerMs));
    this.#timestampDelta = (this.#lastTimestamp + elapsed - fields.timestamp) >>> 0;
    if (fields.pictureAt >= 0 && this.#lastPicture >= 0) {
      this.#pictureDelta = (this.#lastPicture + 1 - fields.picture) & 0x7fff;
    }
    if (fields.tl0At >= 0 && this.#lastTl0 >= 0) {
      this.#tl0Delta = (this.#lastTl0 + 1 - fields.tl0) & 0xff;
    }
    this.#floor = (this.#lastSeq + 1) & 0xffff;
  }
}
