/**
 * Request-response over one libp2p stream per request: the requester writes a
 * frame and closes its side; the responder answers with one frame
 * `status u8 ++ body`, where status 0 carries the response and status 1 a
 * UTF-8 error message from the remote handler.
 *
 * @module
 */

import type { Libp2p, PeerId, Stream } from "@libp2p/interface";
import { readFrame, writeFrame } from "./frame.ts";
import { NetworkError, NetworkErrorCode } from "./errors.ts";

const OK = 0;
const FAILED = 1;
/** Longest error message sent back to a requester. */
const MAX_ERROR_BYTES = 1024;

/** Limits of one request. */
export interface RequestLimits {
  maxResponseBytes: number;
  timeoutMs: number;
}

/** What came back, and how many bytes went each way (for bandwidth counters). */
export interface Exchange {
  response: Uint8Array;
  sent: number;
  received: number;
}

/** Sends `request` on `protocol` and waits for the response frame. */
export async function sendRequest(
  libp2p: Libp2p,
  peer: PeerId,
  protocol: string,
  request: Uint8Array,
  limits: RequestLimits,
): Promise<Exchange> {
  const payload = { peerId: peer.toString(), protocol };
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), limits.timeoutMs);
  let stream: Stream | undefined;
  const onTimeout = () => stream?.abort(new Error("Request timed out"));
  timeout.signal.addEventListener("abort", onTimeout);
  try {
    stream = await libp2p.dialProtocol(peer, protocol, { signal: timeout.signal });
    await writeFrame(stream, request);
    const frame = await readFrame(stream, limits.maxResponseBytes + 1);
    const exchange = { sent: request.length, received: frame.length, response: frame.slice(1) };
    if (frame[0] === OK) return exchange;
    const message = new TextDecoder().decode(exchange.response);
    throw new NetworkError(NetworkErrorCode.RemoteError, `Request failed: ${message}`, payload);
  } catch (err) {
    stream?.abort(err as Error);
    if (err instanceof NetworkError) throw err;
    if (timeout.signal.aborted) {
      throw new NetworkError(
        NetworkErrorCode.RequestTimeout,
        `Request timed out: no response from ${peer} on ${protocol} within ${limits.timeoutMs} ms`,
        payload,
        { cause: err },
      );
    }
    throw new NetworkError(
      NetworkErrorCode.RequestFailed,
      `Request failed: ${(err as Error).message}`,
      payload,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
    timeout.signal.removeEventListener("abort", onTimeout);
  }
}

/** Serves one inbound request stream; resolves with the bytes read and written. */
export async function serveRequest(
  stream: Stream,
  maxRequestBytes: number,
  timeoutMs: number,
  handler: (request: Uint8Array) => Promise<Uint8Array>,
): Promise<{ sent: number; received: number }> {
  // A peer that opens a stream and never finishes its request must not pin it.
  const timer = setTimeout(() => stream.abort(new Error("Request not served in time")), timeoutMs);
  try {
    const request = await readFrame(stream, maxRequestBytes);
    let reply: Uint8Array;
    try {
      reply = withStatus(OK, await handler(request));
    } catch (err) {
      const message = new TextEncoder().encode(String((err as Error)?.message ?? err));
      reply = withStatus(FAILED, message.subarray(0, MAX_ERROR_BYTES));
    }
    await writeFrame(stream, reply);
    return { sent: reply.length, received: request.length };
  } catch (err) {
    stream.abort(err as Error);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function withStatus(status: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = status;
  out.set(body, 1);
  return out;
}
