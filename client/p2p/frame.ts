/**
 * One length-prefixed (unsigned varint) frame each way on a libp2p stream.
 *
 * @module
 */

import type { Stream } from "@libp2p/interface";
import * as lp from "it-length-prefixed";

/** Writes one frame and closes the writable end (waits until it is flushed). */
export async function writeFrame(stream: Stream, data: Uint8Array): Promise<void> {
  stream.send(lp.encode.single(data));
  await stream.close();
}

/**
 * Reads one frame of at most `maxBytes`; rejects on a longer length prefix
 * (before the body arrives), on a truncated frame and on a reset stream.
 */
export async function readFrame(stream: Stream, maxBytes: number): Promise<Uint8Array> {
  for await (const frame of lp.decode(stream, { maxDataLength: maxBytes })) {
    return frame.subarray();
  }
  throw new RangeError("Cannot read frame: the stream ended before a frame");
}
