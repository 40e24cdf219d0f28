/**
 * Synthetic VP8 RTP payloads (RFC 7741), with a send time stamped at the end
 * of each so that benchmarks can measure latency across relays. The bytes
 * after the headers do not decode as video; `media/keyframe.ts` tells frame
 * starts and keyframes apart.
 *
 * @example
 * ```ts
 * import { sentAtOf, synthesizeFrame } from "./vp8.ts";
 * import { startsVp8Keyframe } from "../media/keyframe.ts";
 * const [first, second] = synthesizeFrame({
 *   keyframe: true, pictureId: 7, packets: 2, packetBytes: 1000, sentAt: 1234.5,
 * });
 * if (!startsVp8Keyframe(first) || startsVp8Keyframe(second)) throw new Error("keyframe");
 * if (sentAtOf(second) !== 1234.5) throw new Error("stamp");
 * ```
 *
 * @module
 */

/** Bytes of the payload descriptor written here: X=1, I=1, M=1 (15-bit PictureID). */
const DESCRIPTOR_BYTES = 4;
/** "SUTS": marks the 8-byte send time at the end of a synthetic payload. */
const STAMP_MAGIC = 0x53555453;
const STAMP_BYTES = 12;
/** Frame size a keyframe announces (RFC 6386 §9.1), 1280×720. */
const WIDTH = 1280;
const HEIGHT = 720;

/** One synthetic frame's shape. */
export interface SyntheticFrame {
  keyframe: boolean;
  /** 15-bit picture id, the same in every packet of the frame. */
  pictureId: number;
  /** RTP packets to split the frame into. */
  packets: number;
  /** Payload bytes per packet (descriptor included), at least 32. */
  packetBytes: number;
  /** Send time in milliseconds (see {@link wallClockMs}), stamped in every packet. */
  sentAt: number;
}

/** Milliseconds since the Unix epoch with sub-millisecond precision, comparable across processes. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The RTP payloads of one frame. Every packet starts with the payload
 * descriptor (RFC 7741 §4.2); the first has S=1 and PID=0 and carries the VP8
 * payload header (§4.3) whose P bit is 0 for a keyframe, followed for a
 * keyframe by the start code and dimensions of RFC 6386 §9.1.
 */
export function synthesizeFrame(frame: SyntheticFrame): Uint8Array[] {
  if (frame.packetBytes < 32) throw new RangeError("Cannot synthesize a frame: packets too small");
  const payloads: Uint8Array[] = [];
  for (let i = 0; i < frame.packets; i++) {
    const payload = new Uint8Array(frame.packetBytes);
    const start = i === 0;
    payload[0] = 0x80 | (start ? 0x10 : 0); // X, S; PID 0
    payload[1] = 0x80; // I
    payload[2] = 0x80 | ((frame.pictureId >> 8) & 0x7f); // M + PictureID high bits
    payload[3] = frame.pictureId & 0xff;
    if (start) writePayloadHeader(payload.subarray(DESCRIPTOR_BYTES), frame);
    const view = new DataView(payload.buffer, payload.length - STAMP_BYTES);
    view.setUint32(0, STAMP_MAGIC);
    view.setFloat64(4, frame.sentAt);
    payloads.push(payload);
  }
  return payloads;
}

function writePayloadHeader(out: Uint8Array, frame: SyntheticFrame): void {
  // The first partition's size: any plausible value, the bytes are not decoded.
  const size = Math.min(out.length - 10, 0x7ffff);
  // |Size0(3)|H|VER(3)|P|: show_frame (H) set, version 0, P=0 only for a keyframe.
  out[0] = ((size & 0x7) << 5) | 0x10 | (frame.keyframe ? 0 : 1);
  out[1] = (size >> 3) & 0xff;
  out[2] = (size >> 11) & 0xff;
  if (!frame.keyframe) return;
  out.set([0x9d, 0x01, 0x2a, WIDTH & 0xff, WIDTH >> 8, HEIGHT & 0xff, HEIGHT >> 8], 3);
}

/** The send time a synthetic payload carries, or undefined for any other payload. */
export function sentAtOf(payload: Uint8Array): number | undefined {
  if (payload.length < STAMP_BYTES) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset + payload.length - STAMP_BYTES);
  return view.getUint32(0) === STAMP_MAGIC ? view.getFloat64(4) : undefined;
}
