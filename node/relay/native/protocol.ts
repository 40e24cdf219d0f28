/**
 * The control protocol between the node and a media worker: one JSON object
 * per line, requests on the worker's stdin, replies and events on its
 * stdout. Every request carries an `id` its reply repeats; events carry
 * `event` instead. Media never crosses it, only signalling, stats and the
 * `sutantra-pay` data channel's messages (the node keeps payments; the
 * worker only carries the bytes).
 *
 * @module
 */

import { isLayerName } from "../../../client/relay/pay_messages.ts";

/** A request from the node; `stream` is the decimal stream id. */
export type WorkerRequest =
  | {
    id: number;
    op: "publish";
    session: string;
    stream: string;
    offer: string;
    /** The bitrate asked of the publisher by REMB, bit/s. */
    bitrate?: number;
  }
  | {
    id: number;
    op: "watch";
    session: string;
    stream: string;
    offer: string;
    /** The simulcast layer to pin; automatic when absent. */
    layer?: LayerRequest;
  }
  /** Pins a viewer's simulcast layer, or lets it be chosen again (`auto`). */
  | { id: number; op: "layer"; session: string; layer: LayerRequest }
  /** An offer to pull `stream` from another relay: replied to with `offer`. */
  | { id: number; op: "pull"; session: string; stream: string }
  /** The other relay's answer to a pull's offer: the pull becomes the stream's source. */
  | { id: number; op: "accept"; session: string; answer: string }
  /** ICE candidates the session's peer trickled. */
  | { id: number; op: "candidates"; session: string; candidates: TrickledCandidate[] }
  | { id: number; op: "close"; session: string }
  | { id: number; op: "requestKeyframe"; stream: string }
  /** A message to send on a viewer's or a pull's `sutantra-pay` channel. */
  | { id: number; op: "pay"; session: string; text: string };

/**
 * A simulcast layer a viewer asks for: one of the RIDs the publisher
 * offered (Chrome's are `q`, `h`, `f`), `low`, `mid` or `high` among the
 * layers flowing ordered by resolution, or `auto`: the highest layer its
 * receiver reports show its path carries. A stream without simulcast has
 * one layer, whatever is asked.
 */
export type LayerRequest = string;

/** A remote ICE candidate (`candidate:…`, with or without `a=`), and the mid of its m-line. */
export interface TrickledCandidate {
  candidate: string;
  /** The m-line's mid; the bundle's first when absent. */
  mid?: string;
}

/** What a refused request's `code` says. */
export type WorkerErrorCode =
  /** The request is malformed (not JSON, an unknown op, a missing field). */
  | "bad-request"
  /** The SDP offer cannot be answered (no mid, no codec the relay forwards). */
  | "bad-offer"
  /** The answer to a pull cannot be used (it sends no video in a codec the relay forwards). */
  | "bad-answer"
  /** A pull of a stream published on this worker: its publisher is the source. */
  | "has-publisher"
  /** A watch of a stream not published on this worker, or whose codec is not known yet. */
  | "no-source"
  /** The worker's event loop lags past its bound: it takes no new viewers (say 503). */
  | "overloaded"
  /** No session by that id. */
  | "no-session"
  /** A session by that id exists already. */
  | "session-exists";

/** A refusal, with how long to wait before trying again when waiting helps. */
export interface WorkerError {
  code: WorkerErrorCode;
  message: string;
  retryAfter?: number;
}

/**
 * What a carried-out request replies with: a publish's or watch's answer, a
 * pull's offer, and on its accept the pull's own candidates (left out of
 * the offer) for the node to trickle to the carrier.
 */
export interface WorkerResult {
  answer?: string;
  offer?: string;
  candidates?: TrickledCandidate[];
}

/** The reply to request `id`. */
export type WorkerReply =
  | ({ id: number; ok: true } & WorkerResult)
  | { id: number; ok: false; error: WorkerError };

/** One session's counters, as a worker reports them. */
export interface SessionStats {
  session: string;
  stream: string;
  kind: "publish" | "watch" | "pull";
  /** RTP packets received (publish, pull) or sent (watch). */
  packets: number;
  /** RTP bytes received (publish, pull) or sent (watch). */
  bytes: number;
  /** Video RTP packets received (publish, pull) or sent (watch). */
  videoPackets: number;
  /** Video packets the viewer reports lost (watch; cumulative, RFC 3550 §6.4.1). */
  lost: number;
  /** The viewer's video jitter, milliseconds (watch). */
  jitterMs: number;
  /** The simulcast layer the viewer gets (watch, of a simulcast stream). */
  layer?: string;
  /** The stream's simulcast layers flowing, lowest resolution first (of a simulcast stream). */
  layers?: string[];
}

/** A worker's periodic report. */
export interface WorkerStats {
  /**
   * How late the event loop ran over the last interval, milliseconds: the
   * 90th percentile of its 20 ms samples, so one stall does not count.
   */
  lagMs: number;
  /** Whether new viewers are refused (lag past the bound, and no simulcast layer left to shed). */
  shedding: boolean;
  /** Packets sent to viewers since the worker started. */
  forwarded: number;
  /** Publishers' packets dropped unsent because the event loop ran too late (see `_fanout.ts`). */
  dropped: number;
  sessions: SessionStats[];
}

/** Something a worker tells the node unasked. */
export type WorkerEvent =
  | { event: "ready" }
  /** A viewer was sent its first keyframe: media reaches it (metering starts). */
  | { event: "started"; session: string }
  /** A pull's first video packet arrived: media flows from the other relay. */
  | { event: "flowing"; session: string }
  /** A session ended on the worker's side (its peer failed, closed or went silent). */
  | { event: "ended"; session: string; reason: string }
  /** A viewer was moved to another simulcast layer (or placed on its first). */
  | { event: "layer"; session: string; layer: string }
  /** A message from the viewer (or a pull's carrier) on the `sutantra-pay` channel. */
  | { event: "pay"; session: string; text: string }
  | { event: "stats"; stats: WorkerStats };

/** A line a worker writes. */
export type WorkerLine = WorkerReply | WorkerEvent;

const OPS: Record<WorkerRequest["op"], string[]> = {
  publish: ["session", "stream", "offer"],
  watch: ["session", "stream", "offer"],
  layer: ["session", "layer"],
  pull: ["session", "stream"],
  accept: ["session", "answer"],
  candidates: ["session"],
  close: ["session"],
  requestKeyframe: ["stream"],
  pay: ["session", "text"],
};

/**
 * A request line, checked field by field.
 *
 * @example
 * ```ts
 * import { parseRequest } from "./protocol.ts";
 * const request = parseRequest('{"id":1,"op":"close","session":"s"}');
 * if (request.op !== "close") throw new Error();
 * ```
 *
 * @throws {TypeError} naming what is wrong; its `id` when the line had one
 */
export function parseRequest(line: string): WorkerRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new RequestError(undefined, "Cannot read the request: not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RequestError(undefined, "Cannot read the request: not an object");
  }
  const request = value as Record<string, unknown>;
  const id = Number.isSafeInteger(request.id) ? request.id as number : undefined;
  if (id === undefined) throw new RequestError(undefined, "Cannot read the request: no id");
  const fields = OPS[request.op as WorkerRequest["op"]];
  if (!Object.hasOwn(OPS, String(request.op)) || !fields) {
    throw new RequestError(id, `Cannot read the request: unknown op ${String(request.op)}`);
  }
  for (const field of fields) {
    if (typeof request[field] !== "string" || request[field] === "") {
      throw new RequestError(id, `Cannot read the ${request.op} request: no ${field}`);
    }
  }
  if (request.stream !== undefined && !/^[0-9]{1,20}$/.test(request.stream as string)) {
    throw new RequestError(id, `Cannot read the ${request.op} request: bad stream id`);
  }
  if (request.layer !== undefined && !isLayerName(request.layer)) {
    throw new RequestError(id, `Cannot read the ${request.op} request: bad layer`);
  }
  if (request.bitrate !== undefined && !(Number(request.bitrate) > 0)) {
    throw new RequestError(id, "Cannot read the publish request: bad bitrate");
  }
  if (request.op === "candidates" && !isCandidateList(request.candidates)) {
    throw new RequestError(id, "Cannot read the candidates request: bad candidates");
  }
  return request as unknown as WorkerRequest;
}

function isCandidateList(value: unknown): value is TrickledCandidate[] {
  return Array.isArray(value) &&
    value.every((c) =>
      typeof c === "object" && c !== null && typeof c.candidate === "string" &&
      (c.mid === undefined || typeof c.mid === "string")
    );
}

/** A request that cannot be read; `id` is its id when it had one. */
export class RequestError extends TypeError {
  override name = "RequestError";
  constructor(readonly id: number | undefined, message: string) {
    super(message);
  }
}
