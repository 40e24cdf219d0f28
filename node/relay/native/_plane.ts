/**
 * A media worker's sessions and streams, driven by the control protocol:
 * each request becomes a publisher or viewer leg on a stream's fan-out, and
 * what the legs do becomes events. Past its lag bound the worker sheds
 * load: new viewers are refused (`overloaded`, with a retry delay) until a
 * stats interval passes under the bound.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import type { Rtc, RtcOptions } from "./_rtc.ts";
import { StreamFan } from "./_fanout.ts";
import { PublisherLeg } from "./_publisher.ts";
import { ViewerLeg } from "./_viewer.ts";
import { LoopLag } from "./loop_lag.ts";
import type {
  SessionStats,
  WorkerError,
  WorkerEvent,
  WorkerRequest,
  WorkerStats,
} from "./protocol.ts";

/** The bitrate asked of a publisher by REMB when the request names none, bit/s. */
export const DEFAULT_PUBLISH_BITRATE = 2_500_000;

/** A viewer sending no RTCP for this long while media flows to it has gone: its session ends. */
export const VIEWER_SILENT_MS = 10_000;

/** How a worker runs. */
export interface PlaneOptions extends RtcOptions {
  /** Past this event-loop lag, milliseconds, new viewers are refused. */
  maxLagMs: number;
  /** How often stats are reported (and shedding decided), milliseconds. */
  statsIntervalMs: number;
}

/** A session on the worker. */
interface Session {
  kind: "publish" | "watch";
  fan: StreamFan;
  leg: PublisherLeg | ViewerLeg;
}

/** A refused request: its reply's error. */
export class PlaneError extends Error {
  constructor(readonly error: WorkerError) {
    super(error.message);
  }
}

/** Every stream and session of one worker. */
export class MediaPlane {
  readonly #rtc: Rtc;
  readonly #options: PlaneOptions;
  readonly #emit: (event: WorkerEvent) => void;
  readonly #fans = new Map<string, StreamFan>();
  readonly #sessions = new Map<string, Session>();
  readonly #lag = new LoopLag();
  readonly #stats: ReturnType<typeof setInterval>;
  /** What fans closed since start counted: the counters never go back. */
  readonly #closedFans = { forwarded: 0, dropped: 0 };
  #shedding = false;
  #lagMs = 0;

  /** A plane sending its events to `emit`; stats start at once. */
  constructor(rtc: Rtc, options: PlaneOptions, emit: (event: WorkerEvent) => void) {
    this.#rtc = rtc;
    this.#options = options;
    this.#emit = emit;
    this.#stats = setInterval(() => this.#report(), options.statsIntervalMs);
  }

  /**
   * Carries out `request`; resolves with the SDP answer of a publish or watch.
   *
   * @throws {PlaneError} saying why it was refused
   */
  async handle(request: WorkerRequest): Promise<string | undefined> {
    switch (request.op) {
      case "publish":
        return await this.#publish(request.session, request.stream, request.offer, request.bitrate);
      case "watch":
        return await this.#watch(request.session, request.stream, request.offer);
      case "close":
        this.#session(request.session);
        this.#end(request.session, "closed by the node");
        return;
      case "requestKeyframe":
        this.#fans.get(request.stream)?.requestKeyframe();
        return;
      case "pay": {
        const session = this.#session(request.session);
        if (session.kind !== "watch") {
          throw new PlaneError({ code: "bad-request", message: "a publisher has no pay channel" });
        }
        (session.leg as ViewerLeg).sendPay(request.text);
        return;
      }
    }
  }

  /** Ends every session and stops the timers. */
  close(): void {
    for (const id of [...this.#sessions.keys()]) this.#end(id, "worker shut down");
    clearInterval(this.#stats);
    this.#lag.stop();
  }

  /** The worker's counters now. */
  stats(): WorkerStats {
    let { forwarded, dropped } = this.#closedFans;
    for (const fan of this.#fans.values()) {
      forwarded += fan.forwarded;
      dropped += fan.dropped;
    }
    const sessions: SessionStats[] = [];
    for (const [session, { kind, fan, leg }] of this.#sessions) {
      const viewer = kind === "watch" ? leg as ViewerLeg : undefined;
      sessions.push({
        session,
        stream: fan.stream,
        kind,
        packets: leg.packets,
        videoPackets: leg.videoPackets,
        bytes: leg.bytes,
        lost: viewer?.lost ?? 0,
        jitterMs: viewer ? Math.round(viewer.jitter / 90) : 0,
      });
    }
    return {
      lagMs: Math.round(this.#lagMs),
      shedding: this.#shedding,
      forwarded,
      dropped,
      sessions,
    };
  }

  async #publish(id: string, stream: string, offer: string, bitrate?: number): Promise<string> {
    this.#fresh(id);
    let negotiated;
    try {
      negotiated = await PublisherLeg.answering(
        this.#rtc,
        this.#options,
        offer,
        bitrate ?? DEFAULT_PUBLISH_BITRATE,
      );
    } catch (e) {
      throw new PlaneError({ code: "bad-offer", message: (e as Error).message });
    }
    const { publisher, answer } = negotiated;
    const fan = this.#fan(stream);
    for (const [other, session] of this.#sessions) {
      if (session.fan === fan && session.kind === "publish") this.#end(other, "replaced");
    }
    this.#endViewersOfOtherCodec(fan, publisher);
    this.#sessions.set(id, { kind: "publish", fan, leg: publisher });
    fan.attach(publisher);
    publisher.onGone((reason) => this.#end(id, reason));
    return answer;
  }

  async #watch(id: string, stream: string, offer: string): Promise<string> {
    this.#fresh(id);
    if (this.#shedding) {
      throw new PlaneError({
        code: "overloaded",
        message: `the media worker lags ${Math.round(this.#lagMs)} ms: it takes no new viewers`,
        retryAfter: 5,
      });
    }
    const fan = this.#fans.get(stream);
    const source = fan?.publisher;
    if (!fan || !source) {
      throw new PlaneError({
        code: "no-source",
        message: `stream ${stream} is not published on this worker`,
        retryAfter: 2,
      });
    }
    let negotiated;
    try {
      negotiated = await ViewerLeg.answering(this.#rtc, this.#options, offer, source, fan.ids);
    } catch (e) {
      throw new PlaneError({ code: "bad-offer", message: (e as Error).message });
    }
    const { viewer, answer } = negotiated;
    this.#sessions.set(id, { kind: "watch", fan, leg: viewer });
    viewer.onStart(() => this.#emit({ event: "started", session: id }));
    viewer.onPay((text) => this.#emit({ event: "pay", session: id, text }));
    viewer.onGone((reason) => this.#end(id, reason));
    fan.add(viewer);
    return answer;
  }

  /** A new publisher in another codec: the viewers negotiated for the old one cannot follow. */
  #endViewersOfOtherCodec(fan: StreamFan, publisher: PublisherLeg): void {
    const old = fan.publisher?.video.name;
    if (old === undefined || old === publisher.video.name) return;
    for (const [id, session] of this.#sessions) {
      if (session.fan === fan && session.kind === "watch") {
        this.#end(id, "the publisher changed codec");
      }
    }
  }

  #end(id: string, reason: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    const { fan, leg } = session;
    if (session.kind === "publish") fan.detach(leg as PublisherLeg);
    else fan.remove(leg as ViewerLeg);
    leg.close();
    this.#emit({ event: "ended", session: id, reason });
    if (!fan.publisher && fan.viewers.size === 0) {
      fan.stop();
      this.#closedFans.forwarded += fan.forwarded;
      this.#closedFans.dropped += fan.dropped;
      this.#fans.delete(fan.stream);
    }
  }

  #fan(stream: string): StreamFan {
    let fan = this.#fans.get(stream);
    if (!fan) {
      const ids = randomBytes(8);
      fan = new StreamFan(stream, {
        videoSsrc: ids.readUInt32BE(0),
        audioSsrc: ids.readUInt32BE(4),
        cname: `sutantra-${stream}`,
      }, () => this.#lag.behind());
      this.#fans.set(stream, fan);
    }
    return fan;
  }

  #session(id: string): Session {
    const session = this.#sessions.get(id);
    if (!session) throw new PlaneError({ code: "no-session", message: `no session ${id}` });
    return session;
  }

  #fresh(id: string): void {
    if (this.#sessions.has(id)) {
      throw new PlaneError({ code: "session-exists", message: `session ${id} exists already` });
    }
  }

  #report(): void {
    for (const [id, session] of this.#sessions) {
      if (session.kind !== "watch") continue;
      // Viewers report what reaches them: silence means something only while media flows.
      const silent = (session.leg as ViewerLeg).silentFor();
      if (silent > VIEWER_SILENT_MS && session.fan.flowingFor() > VIEWER_SILENT_MS) {
        this.#end(id, "the viewer went silent: no RTCP, connection lost");
      }
    }
    this.#lagMs = this.#lag.take();
    this.#shedding = this.#lagMs > this.#options.maxLagMs;
    this.#emit({ event: "stats", stats: this.stats() });
  }
}
