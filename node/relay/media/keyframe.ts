/**
 * Spotting the first packet of a keyframe in an RTP payload, so a viewer
 * that joins (or a source that changes) is held until a picture it can
 * decode begins.
 *
 * @module
 */
import type { VideoCodecName } from "./codecs.ts";

/** Whether a VP8 RTP payload (RFC 7741) starts a frame: S = 1 and partition index 0. */
export function startsVp8Frame(payload: Uint8Array): boolean {
  return payload.length > 0 && (payload[0] & 0x17) === 0x10;
}

/**
 * Whether a VP8 RTP payload (RFC 7741) starts a keyframe: the payload
 * descriptor marks the start of partition 0 (S = 1, PID = 0) and the VP8
 * payload header's inverse keyframe flag P is 0.
 *
 * @example
 * ```ts
 * import { startsVp8Keyframe } from "./keyframe.ts";
 * // S=1, PID=0, no extensions; then a frame tag with P=0.
 * if (!startsVp8Keyframe(new Uint8Array([0x10, 0x00, 0x00, 0x00]))) throw new Error();
 * if (startsVp8Keyframe(new Uint8Array([0x10, 0x01, 0x00, 0x00]))) throw new Error();
 * ```
 */
export function startsVp8Keyframe(payload: Uint8Array): boolean {
  if (!startsVp8Frame(payload)) return false;
  let offset = 1;
  if (payload[0] & 0x80) {
    // X: an extension byte I|L|T|K|RSV follows.
    if (payload.length < 2) return false;
    const ext = payload[1];
    offset = 2;
    if (ext & 0x80) offset += payload[offset] & 0x80 ? 2 : 1; // I: picture id, 7 or 15 bits
    if (ext & 0x40) offset += 1; // L: TL0PICIDX
    if (ext & 0x30) offset += 1; // T or K: TID/Y/KEYIDX
  }
  return offset < payload.length && (payload[offset] & 0x01) === 0;
}

/** NAL unit types of an H.264 IDR slice and a sequence parameter set. */
const IDR = 5;
const SPS = 7;

/**
 * Whether an H.264 RTP payload (RFC 6184) starts a keyframe: a single NAL
 * unit, a STAP-A aggregate or the first FU-A fragment carrying an SPS or an
 * IDR slice.
 *
 * @example
 * ```ts
 * import { startsH264Keyframe } from "./keyframe.ts";
 * if (!startsH264Keyframe(new Uint8Array([0x67, 0x42]))) throw new Error(); // SPS
 * if (startsH264Keyframe(new Uint8Array([0x41, 0x9a]))) throw new Error(); // non-IDR slice
 * ```
 */
export function startsH264Keyframe(payload: Uint8Array): boolean {
  if (payload.length < 1) return false;
  const type = payload[0] & 0x1f;
  if (type === IDR || type === SPS) return true;
  if (type === 24) {
    // STAP-A: 16-bit sizes, each followed by a NAL unit.
    for (let at = 1; at + 2 < payload.length;) {
      const size = (payload[at] << 8) | payload[at + 1];
      const inner = payload[at + 2] & 0x1f;
      if (inner === IDR || inner === SPS) return true;
      at += 2 + size;
    }
    return false;
  }
  if (type === 28 && payload.length > 1) {
    // FU-A: the start bit and the fragmented unit's type.
    const header = payload[1];
    return (header & 0x80) !== 0 && ((header & 0x1f) === IDR || (header & 0x1f) === SPS);
  }
  return false;
}

/** Whether `payload` of codec `codec` starts a keyframe. */
export function startsKeyframe(codec: VideoCodecName, payload: Uint8Array): boolean {
  return codec === "vp8" ? startsVp8Keyframe(payload) : startsH264Keyframe(payload);
}
