/**
 * The media plane on the node's media workers (`--relay-workers N`): every
 * peer connection lives in a worker process on node-datachannel, so an
 * overloaded media plane never starves consensus, JSON-RPC or payments in
 * the node's own process. What the workers report (a viewer's first
 * keyframe, its pay messages, a session gone, stats) is handed to the
 * relay's sessions here; a worker's refusal becomes the HTTP status it
 * stands for, with `Retry-After` where waiting helps.
 *
 * @module
 */
import type { Logger } from "../../log.ts";
import type { RelayDirectory } from "../directory.ts";
import { RelayError } from "../errors.ts";
import type {
  MediaPlane,
  PlaneLeg,
  SourceOrigin,
  ViewerPlaneLeg,
  ViewerStats,
  WatchOptions,
} from "../plane.ts";
import type { PullLeg, UpstreamPuller } from "../upstream.ts";
import type { SessionStats } from "./protocol.ts";
import { MediaWorkerError, MediaWorkers, type MediaWorkersInit } from "./supervisor.ts";

/** How long a viewer's request waits for the stream to arrive from upstream. */
const SOURCE_WAIT_MS = 8_000;
/** Pay messages kept for a session whose handler is not set yet. */
const MAX_EARLY_PAY = 64;
/** Sessions remembered as ended before the relay held them. */
const UNHELD_ENDED_KEPT = 1024;

/** Options of the plane: the workers', and who else it tells and asks. */
export interface WorkerPlaneInit extends Omit<MediaWorkersInit, "events"> {
  log: Logger;
  /** Told which streams are carried here. */
  directory?: RelayDirectory;
  /** Pulls streams not published here from the relays that carry them. */
  upstream?: UpstreamPuller;
}

/**
 * What the workers said of one session. Events may come before the relay
 * holds the session (a reply and the events after it arrive together), so
 * they are kept until its handlers are set.
 */
class SessionEvents {
  kind?: "publish" | "watch" | "pull";
  stream?: bigint;
  started = false;
  flowing = false;
  gone = false;
  stats?: SessionStats;
  #pay: string[] = [];
  #layer?: { layer: string; layers?: string[] };
  #onLayer?: (layer: string, layers?: string[]) => void;
  #onPay?: (text: string) => void;
  #onStart: (() => void)[] = [];
  #onFlowing: (() => void)[] = [];
  #onGone: (() => void)[] = [];

  pay(text: string): void {
    if (this.#onPay) this.#onPay(text);
    else if (this.#pay.length < MAX_EARLY_PAY) this.#pay.push(text);
  }

  onPay(handler: (text: string) => void): void {
    this.#onPay = handler;
    for (const text of this.#pay.splice(0)) handler(text);
  }

  layer(layer: string, layers?: string[]): void {
    this.#layer = { layer, layers };
    this.#onLayer?.(layer, layers);
  }

  onLayer(handler: (layer: string, layers?: string[]) => void): void {
    this.#onLayer = handler;
    if (this.#layer) handler(this.#layer.layer, this.#layer.layers);
  }

  start(): void {
    this.started = true;
    for (const handler of this.#onStart.splice(0)) handler();
  }

  onStart(handler: () => void): void {
    if (this.started) handler();
    else this.#onStart.push(handler);
  }

  flow(): void {
    this.flowing = true;
    for (const handler of this.#onFlowing.splice(0)) handler();
  }

  onFlowing(handler: () => void): void {
    if (this.flowing) handler();
    else this.#onFlowing.push(handler);
  }

  end(): void {
    this.gone = true;
    for (const handler of this.#onGone.splice(0)) handler();
  }

  onGone(handler: () => void): void {
    if (this.gone) handler();
    else this.#onGone.push(handler);
  }
}

/** The relay's media plane on worker processes. */
export class WorkerPlane implements MediaPlane {
  readonly #init: WorkerPlaneInit;
  readonly #workers: MediaWorkers;
  readonly #sessions = new Map<string, SessionEvents>();
  /** What ended sessions counted: the traffic counters never go back. */
  readonly #ended = { inBytes: 0, outBytes: 0, forwarded: 0 };
  /** Until when a stream's upstream is kept without viewers. */
  readonly #wantedUntil = new Map<bigint, number>();
  /** Sessions that ended before their reply was handled, oldest first. */
  readonly #unheldEnded = new Set<string>();

  /** A plane whose workers start on its first session. */
  constructor(init: WorkerPlaneInit) {
    this.#init = init;
    this.#workers = new MediaWorkers({
      ...init,
      events: {
        started: (session) => this.#events(session).start(),
        flowing: (session) => this.#events(session).flow(),
        pay: (session, text) => this.#events(session).pay(text),
        layer: (session, layer) => this.#events(session).layer(layer, this.#layers(session)),
        ended: (session) => this.#gone(session),
        crashed: (worker, sessions) =>
          init.log.warn(
            `💥 Media worker ${worker} crashed, ending ${sessions.length} sessions; restarting it`,
          ),
        stats: (_worker, stats) => {
          for (const s of stats.sessions) {
            const events = this.#sessions.get(s.session);
            if (events && !events.gone) events.stats = s;
          }
        },
      },
    });
  }

  /** The media workers, for their stats. */
  get workers(): MediaWorkers {
    return this.#workers;
  }

  async publish(stream: bigint, offer: string): Promise<PlaneLeg> {
    const { session, answer } = await refused(this.#workers.publish(stream, offer));
    const events = this.#held(session, "publish", stream);
    this.#init.directory?.setCarrying(stream, true);
    return this.#leg(session, answer, events);
  }

  async watch(stream: bigint, offer: string, options: WatchOptions): Promise<ViewerPlaneLeg> {
    if (options.pull && this.#init.upstream && !this.#source(stream)) {
      this.#pullUpstream(stream);
      await this.#sourceReady(stream, SOURCE_WAIT_MS);
    }
    let placed;
    try {
      placed = await this.#workers.watch(
        stream,
        offer,
        options.layer === undefined ? {} : { layer: options.layer },
      );
    } catch (e) {
      if (e instanceof MediaWorkerError && e.code === "no-source") {
        throw new RelayError(409, "the stream has not reached this node yet", {
          "retry-after": "2",
        });
      }
      throw relayError(e);
    }
    const { session, answer } = placed;
    const events = this.#held(session, "watch", stream);
    return {
      ...this.#leg(session, answer, events),
      sendPay: (text) => void this.#workers.pay(session, text).catch(() => {}),
      onPay: (handler) => events.onPay(handler),
      onStart: (handler) => events.onStart(handler),
      stats: () => viewerStats(events.stats),
      setLayer: (layer) => refused(this.#workers.setLayer(session, layer)),
      // The first layer event may come before the session is known to be this stream's.
      onLayer: (handler) =>
        events.onLayer((layer, layers) => handler(layer, layers ?? this.#layers(session))),
      close: async () => {
        this.#wantedUntil.set(stream, Date.now() + SOURCE_WAIT_MS);
        await this.#close(session);
      },
    };
  }

  carried(): Map<bigint, SourceOrigin | null> {
    const carried = new Map<bigint, SourceOrigin | null>();
    for (const events of this.#sessions.values()) {
      if (events.gone || events.stream === undefined) continue;
      const origin = events.kind === "publish"
        ? "publisher"
        : events.kind === "pull" && events.flowing
        ? "upstream"
        : null;
      const current = carried.get(events.stream) ?? null;
      carried.set(events.stream, origin === "publisher" ? origin : current ?? origin);
    }
    return carried;
  }

  traffic(): { inBytes: number; outBytes: number; forwarded: number } {
    let { inBytes, outBytes, forwarded } = this.#ended;
    for (const events of this.#sessions.values()) {
      const stats = events.stats;
      if (!stats) continue;
      if (stats.kind === "watch") {
        outBytes += stats.bytes;
        forwarded += stats.packets;
      } else inBytes += stats.bytes;
    }
    return { inBytes, outBytes, forwarded };
  }

  async close(): Promise<void> {
    this.#init.upstream?.stop();
    await this.#workers.stop();
    for (const session of [...this.#sessions.keys()]) this.#gone(session);
  }

  /** The common face of a session: trickle, end, close. */
  #leg(session: string, answer: string, events: SessionEvents): PlaneLeg {
    return {
      answer,
      trickle: (candidates) =>
        refused(this.#workers.trickle(
          session,
          candidates.map(({ candidate, sdpMid }) => ({
            candidate,
            ...(sdpMid === undefined ? {} : { mid: sdpMid }),
          })),
        )).catch((e) => {
          throw e instanceof RelayError && e.status === 400
            ? new RelayError(400, `bad candidate: ${e.message}`)
            : e;
        }),
      onGone: (handler) => events.onGone(handler),
      close: () => this.#close(session),
    };
  }

  /** Ends a session on its worker (it may have ended there already). */
  async #close(session: string): Promise<void> {
    await this.#workers.close(session).catch(() => {});
    this.#gone(session);
  }

  /** The events of `session`, now held by the relay as a `kind` session of `stream`. */
  #held(session: string, kind: SessionEvents["kind"], stream: bigint): SessionEvents {
    if (this.#unheldEnded.delete(session)) {
      // It ended (its peer failed, its worker crashed) before its reply was handled.
      const ended = new SessionEvents();
      ended.kind = kind;
      ended.stream = stream;
      ended.end();
      return ended;
    }
    const events = this.#events(session);
    events.kind = kind;
    events.stream = stream;
    return events;
  }

  /** Remembers that `session` ended before the relay held it (a few at most). */
  #endedUnheld(session: string): void {
    this.#unheldEnded.add(session);
    if (this.#unheldEnded.size > UNHELD_ENDED_KEPT) {
      this.#unheldEnded.delete(this.#unheldEnded.values().next().value!);
    }
  }

  #events(session: string): SessionEvents {
    let events = this.#sessions.get(session);
    if (!events) {
      events = new SessionEvents();
      this.#sessions.set(session, events);
    }
    return events;
  }

  /** A session ended: its counts are kept, its stream's carrying updated. */
  #gone(session: string): void {
    const events = this.#sessions.get(session);
    if (!events?.kind) this.#endedUnheld(session);
    if (!events) return;
    this.#sessions.delete(session);
    const stats = events.stats;
    if (stats?.kind === "watch") {
      this.#ended.outBytes += stats.bytes;
      this.#ended.forwarded += stats.packets;
    } else if (stats) this.#ended.inBytes += stats.bytes;
    events.end();
    if (events.stream !== undefined && events.kind !== "watch") {
      this.#init.directory?.setCarrying(events.stream, this.#source(events.stream) !== undefined);
    }
  }

  /** The simulcast layers flowing to `session`'s stream, as the workers last said. */
  #layers(session: string): string[] | undefined {
    const own = this.#sessions.get(session);
    if (own?.stats?.layers) return own.stats.layers;
    if (own?.stream === undefined) return undefined;
    for (const events of this.#sessions.values()) {
      if (events.stream === own?.stream && events.stats?.layers) return events.stats.layers;
    }
    return undefined;
  }

  /** Where `stream`'s media comes from here, if it comes. */
  #source(stream: bigint): SourceOrigin | undefined {
    return this.carried().get(stream) ?? undefined;
  }

  /** Resolves once `stream` has a source here, or after `timeoutMs`. */
  async #sourceReady(stream: bigint, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.#source(stream) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Pulls `stream` from another relay while viewers watch it here (or one
   * waits for it, or left less than {@link SOURCE_WAIT_MS} ago) and no
   * publisher here took over.
   */
  #pullUpstream(stream: bigint): void {
    const upstream = this.#init.upstream!;
    this.#wantedUntil.set(stream, Date.now() + SOURCE_WAIT_MS);
    upstream.pull(stream, () => this.#pullLeg(stream), () => {
      if (this.#source(stream) === "publisher") return false;
      const watched = [...this.#sessions.values()]
        .some((e) => e.kind === "watch" && e.stream === stream && !e.gone);
      return watched || Date.now() < (this.#wantedUntil.get(stream) ?? 0);
    });
  }

  /** An offer to receive `stream` from a carrier, made on the stream's worker. */
  async #pullLeg(stream: bigint): Promise<PullLeg> {
    const { session, offer } = await refused(this.#workers.pull(stream));
    const events = this.#held(session, "pull", stream);
    return {
      offer,
      accept: async (answer) => {
        const candidates = await refused(this.#workers.accept(session, answer));
        return candidates.map(({ candidate, mid }) => ({
          candidate,
          ...(mid === undefined ? {} : { sdpMid: mid }),
        }));
      },
      flowing: async (timeoutMs) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const flowing = await new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
          events.onFlowing(() => resolve(true));
          events.onGone(() => resolve(false));
        });
        clearTimeout(timer);
        if (flowing) this.#init.directory?.setCarrying(stream, true);
        return flowing;
      },
      sendPay: (text) => {
        if (events.gone) return false;
        void this.#workers.pay(session, text).catch(() => {});
        return true;
      },
      onPay: (handler) => events.onPay(handler),
      gone: () => new Promise((resolve) => events.onGone(resolve)),
      close: () => this.#close(session),
    };
  }
}

/** A worker's refusal as the relay's error; anything else as it is. */
function relayError(e: unknown): unknown {
  if (!(e instanceof MediaWorkerError)) return e;
  const headers: Record<string, string> = e.retryAfter
    ? { "retry-after": String(e.retryAfter) }
    : {};
  return new RelayError(e.status, e.message, headers);
}

/** `promise`, its worker refusal turned into the relay's error. */
async function refused<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (e) {
    throw relayError(e);
  }
}

/** A viewer's counters as the payment desk's QoS reads them. */
function viewerStats(stats: SessionStats | undefined): ViewerStats {
  if (!stats) return { bytesSent: 0, packetsSent: 0, lossPermill: 0, jitterMs: 0 };
  const lossPermill = stats.videoPackets === 0
    ? 0
    : Math.min(1_000_000, Math.round(stats.lost * 1_000_000 / stats.videoPackets));
  return {
    bytesSent: stats.bytes,
    packetsSent: stats.packets,
    lossPermill,
    jitterMs: stats.jitterMs,
  };
}
