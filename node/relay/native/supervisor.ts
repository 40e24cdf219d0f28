/**
 * The node's media workers: up to N processes (`--relay-workers N`), each
 * holding peer connections on node-datachannel, started lazily on the
 * first session, restarted when one crashes, and stopped with the node.
 *
 * Placement: a stream lives on one worker, its source's (its publisher, or
 * its pull from another relay), and its viewers are placed there, up to
 * {@link MediaWorkersInit.maxViewersPerWorker}; a new stream goes to the
 * least loaded worker (a worker not started yet counts as empty). So media
 * never crosses between workers: one worker serves one 2.5 Mbit/s stream
 * to ~300 viewers on one core, and a stream with more viewers than that is
 * the relay tree's to spread over nodes (issue 13, item 3), not a second
 * hop inside the node. A full worker refuses new viewers with `full` (the
 * node says 503 with Retry-After), as one that lags does with `overloaded`.
 *
 * No orphans: a worker exits when its stdin closes, which the kernel does
 * when the node dies however it dies; `stop()` closes them in order, and an
 * `unload` handler kills any left when the node exits without stopping.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { base64urlnopad } from "@scure/base";
import { type RequestBody, WorkerGone } from "./_worker_process.ts";
import { type Placed, Placements } from "./_placement.ts";
import { WorkerSlots } from "./_worker_slots.ts";
import { MediaWorkerError } from "./errors.ts";
import type { TrickledCandidate, WorkerEvent, WorkerResult, WorkerStats } from "./protocol.ts";

export { MediaWorkerError, type MediaWorkerErrorCode } from "./errors.ts";

/** Viewers placed on one worker at most, by default (issue 13's `--relay-max-viewers`). */
export const DEFAULT_MAX_VIEWERS_PER_WORKER = 250;

/** What the supervisor tells the node. */
export interface MediaWorkerEvents {
  /** A viewer was sent its first keyframe: metering may start. */
  started?(session: string): void;
  /** A pull's first video packet arrived: the other relay's media flows. */
  flowing?(session: string): void;
  /** A session ended on its worker's side (its peer went away, or its worker died). */
  ended?(session: string, reason: string): void;
  /** A text message from a viewer's (or a pull's carrier's) `sutantra-pay` data channel. */
  pay?(session: string, text: string): void;
  /** A viewer of a simulcast stream was placed on, or moved to, layer `layer` (a RID). */
  layer?(session: string, layer: string): void;
  /** A worker's periodic stats. */
  stats?(worker: number, stats: WorkerStats): void;
  /**
   * A worker crashed: every session on it died (each is also `ended`); its
   * viewers may reconnect once a publisher is back. The worker is restarted.
   */
  crashed?(worker: number, sessions: string[]): void;
}

/** Options of the supervisor. */
export interface MediaWorkersInit {
  /** Worker processes at most (one per core given), default 1. */
  workers?: number;
  /** Viewers placed on one worker at most. */
  maxViewersPerWorker?: number;
  /** The address the workers' peer connections bind to (127.0.0.1 in tests); every one if unset. */
  bindAddress?: string;
  /** ICE servers for the workers, `stun:host:port`. */
  iceServers?: string[];
  /** A worker lagging more than this, milliseconds, refuses new viewers (default 50). */
  maxLagMs?: number;
  /** How often workers report stats, milliseconds (default 1000). */
  statsIntervalMs?: number;
  events?: MediaWorkerEvents;
}

/** A session made on a worker. */
export interface MediaSession {
  session: string;
  answer: string;
  /** The index of the worker it runs on. */
  worker: number;
}

/** How a viewer watches. */
export interface WatchOptions {
  /**
   * The simulcast layer to pin: a RID the publisher offered (Chrome's `q`,
   * `h`, `f`), `low`, `mid` or `high` by resolution among the layers
   * flowing, or `auto` (the default: the highest its path carries).
   */
  layer?: string;
}

/** A pull made on a worker: its offer goes to the carrier. */
export interface MediaPull {
  session: string;
  offer: string;
  /** The index of the worker it runs on. */
  worker: number;
}

/** Starts, spreads sessions over, restarts and stops the media workers. */
export class MediaWorkers {
  readonly #init: Required<Omit<MediaWorkersInit, "bindAddress" | "events">> & MediaWorkersInit;
  readonly #slots: WorkerSlots;
  readonly #placements: Placements;
  #stopped = false;

  /** A supervisor; no worker starts before the first session. */
  constructor(init: MediaWorkersInit = {}) {
    const workers = init.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1) {
      throw new RangeError(`Cannot start media workers: ${workers} is not a count of workers`);
    }
    this.#init = {
      ...init,
      workers,
      maxViewersPerWorker: init.maxViewersPerWorker ?? DEFAULT_MAX_VIEWERS_PER_WORKER,
      iceServers: init.iceServers ?? [],
      maxLagMs: init.maxLagMs ?? 50,
      statsIntervalMs: init.statsIntervalMs ?? 1000,
    };
    this.#placements = new Placements(workers);
    this.#slots = new WorkerSlots(workers, {
      bindAddress: this.#init.bindAddress,
      iceServers: this.#init.iceServers,
      maxLagMs: this.#init.maxLagMs,
      statsIntervalMs: this.#init.statsIntervalMs,
    }, {
      onEvent: (index, event) => this.#onEvent(index, event),
      onCrash: (index) => this.#onCrash(index),
    });
  }

  /**
   * A publisher's WHIP offer for `stream`: on the stream's worker if it has
   * one (a reconnecting publisher replaces the old one there), else on the
   * least loaded worker.
   *
   * @throws {MediaWorkerError} `bad-offer` when the offer cannot be answered
   */
  async publish(stream: bigint, offer: string, bitrate?: number): Promise<MediaSession> {
    const key = stream.toString();
    const worker = this.#placements.settle(key);
    const session = newSessionId();
    const { answer } = await this.#place(worker, { session, stream: key, kind: "publish" }, {
      op: "publish",
      session,
      stream: key,
      offer,
      ...(bitrate ? { bitrate } : {}),
    });
    return { session, answer: answer!, worker };
  }

  /**
   * A viewer's WHEP offer for `stream`, placed on the stream's worker.
   *
   * @throws {MediaWorkerError} `no-source` when no worker carries the stream,
   * `full` past the viewers per worker, `overloaded` when the worker sheds load,
   * `bad-offer` when the offer cannot be answered, `bad-request` for a layer
   * the stream does not have
   */
  async watch(stream: bigint, offer: string, options: WatchOptions = {}): Promise<MediaSession> {
    const key = stream.toString();
    const worker = this.#placements.home(key);
    if (worker === undefined) {
      throw new MediaWorkerError("no-source", `stream ${key} is not published here`, 2);
    }
    const viewers = this.#placements.count(worker, "watch");
    if (viewers >= this.#init.maxViewersPerWorker) {
      throw new MediaWorkerError(
        "full",
        `the stream's media worker serves ${viewers} viewers, its most`,
        5,
      );
    }
    const session = newSessionId();
    const { answer } = await this.#place(worker, { session, stream: key, kind: "watch" }, {
      op: "watch",
      session,
      stream: key,
      offer,
      ...(options.layer !== undefined ? { layer: options.layer } : {}),
    });
    return { session, answer: answer!, worker };
  }

  /**
   * An offer to pull `stream` from another relay, made on the stream's
   * worker if it has one, else on the least loaded worker (its home from
   * now on). Once {@link accept}ed, the pull is the stream's source there:
   * its viewers are placed with it.
   *
   * @throws {MediaWorkerError} `has-publisher` when the stream is published here
   */
  async pull(stream: bigint): Promise<MediaPull> {
    const key = stream.toString();
    const worker = this.#placements.settle(key);
    const session = newSessionId();
    const { offer } = await this.#place(worker, { session, stream: key, kind: "pull" }, {
      op: "pull",
      session,
      stream: key,
    });
    return { session, offer: offer!, worker };
  }

  /**
   * Sets the carrier's answer to a pull; the `flowing` event says when its
   * media arrives, `ended` when it failed. Resolves with the pull's own ICE
   * candidates, left out of its offer: trickle them to the carrier now (a
   * carrier behind NAT may need them); a reachable carrier needs none.
   *
   * @throws {MediaWorkerError} `bad-answer` when the answer sends no video the
   * relay forwards, `no-session` when there is no such pull
   */
  async accept(session: string, answer: string): Promise<TrickledCandidate[]> {
    const { candidates } = await this.#ask(this.#placed(session).worker, {
      op: "accept",
      session,
      answer,
    });
    return candidates ?? [];
  }

  /**
   * Adds ICE candidates a session's peer trickled.
   *
   * @throws {MediaWorkerError} `bad-request` naming a candidate that cannot be
   * added, `no-session` when there is no such session
   */
  async trickle(session: string, candidates: TrickledCandidate[]): Promise<void> {
    await this.#ask(this.#placed(session).worker, { op: "candidates", session, candidates });
  }

  /**
   * Ends a session.
   *
   * @throws {MediaWorkerError} `no-session` when there is none by that id
   */
  async close(session: string): Promise<void> {
    const placed = this.#placed(session);
    this.#placements.forget(session);
    await this.#ask(placed.worker, { op: "close", session }).catch((e) => {
      if (!(e instanceof MediaWorkerError && e.code === "no-session")) throw e;
    });
  }

  /**
   * Pins a viewer's simulcast layer (as {@link WatchOptions.layer}), or
   * lets it be chosen again with `auto`; it moves at the layer's next
   * keyframe, and the `layer` event says when.
   *
   * @throws {MediaWorkerError} `no-session` when there is no such viewer,
   * `bad-request` for a layer the stream does not have
   */
  async setLayer(session: string, layer: string): Promise<void> {
    await this.#ask(this.#placed(session).worker, { op: "layer", session, layer });
  }

  /** Asks a stream's publisher for a keyframe (merged with its viewers' requests). */
  async requestKeyframe(stream: bigint): Promise<void> {
    const worker = this.#placements.home(stream.toString());
    if (worker !== undefined) {
      await this.#ask(worker, { op: "requestKeyframe", stream: stream.toString() });
    }
  }

  /**
   * Sends `text` on a viewer's or a pull's `sutantra-pay` channel.
   *
   * @throws {MediaWorkerError} `no-session` when there is no such session
   */
  async pay(session: string, text: string): Promise<void> {
    await this.#ask(this.#placed(session).worker, { op: "pay", session, text });
  }

  /** Each worker's process id (undefined if not started) and latest stats. */
  workers(): { pid?: number; stats?: WorkerStats; sessions: number }[] {
    return Array.from({ length: this.#slots.count }, (_, index) => ({
      ...this.#slots.info(index),
      sessions: this.#placements.count(index),
    }));
  }

  /** Stops every worker and waits for them to exit. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#slots.stop();
    this.#placements.clear();
  }

  /** Records a session on `worker`, then asks the worker for it; resolves with the reply. */
  async #place(
    worker: number,
    { session, ...placed }: Omit<Placed, "worker"> & { session: string },
    body: RequestBody,
  ): Promise<WorkerResult> {
    this.#placements.add(session, { worker, ...placed });
    try {
      return await this.#ask(worker, body);
    } catch (e) {
      this.#placements.forget(session);
      throw e;
    }
  }

  /** Sends a request to worker `index` (starting it if need be); resolves with its reply. */
  async #ask(index: number, body: RequestBody): Promise<WorkerResult> {
    if (this.#stopped) throw new MediaWorkerError("worker-gone", "the media workers are stopped");
    let reply;
    try {
      reply = await this.#slots.request(index, body);
    } catch (e) {
      if (e instanceof WorkerGone) throw new MediaWorkerError("worker-gone", e.message, 2);
      throw e;
    }
    if (!reply.ok) {
      throw new MediaWorkerError(reply.error.code, reply.error.message, reply.error.retryAfter);
    }
    const { id: _, ok: __, ...result } = reply;
    return result;
  }

  #onEvent(worker: number, event: WorkerEvent): void {
    const events = this.#init.events;
    switch (event.event) {
      case "started":
        events?.started?.(event.session);
        break;
      case "flowing":
        if (this.#placements.get(event.session)) events?.flowing?.(event.session);
        break;
      case "ended":
        if (this.#placements.forget(event.session)) events?.ended?.(event.session, event.reason);
        break;
      case "pay":
        if (this.#placements.get(event.session)) events?.pay?.(event.session, event.text);
        break;
      case "layer":
        if (this.#placements.get(event.session)) events?.layer?.(event.session, event.layer);
        break;
      case "stats":
        events?.stats?.(worker, event.stats);
        break;
    }
  }

  /** A worker crashed: its sessions died (it is started again). */
  #onCrash(index: number): void {
    const lost = this.#placements.lose(index);
    for (const id of lost) this.#init.events?.ended?.(id, "the media worker crashed");
    this.#init.events?.crashed?.(index, lost);
  }

  #placed(session: string): Placed {
    const placed = this.#placements.get(session);
    if (!placed) throw new MediaWorkerError("no-session", `no session ${session}`);
    return placed;
  }
}

function newSessionId(): string {
  return base64urlnopad.encode(randomBytes(16));
}
