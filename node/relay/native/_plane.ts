/**
 * A media worker's sessions and streams, driven by the control protocol:
 * each request becomes a publisher, viewer or pull leg on a stream's
 * fan-out, and what the legs do becomes events. A stream's source is its
 * publisher or, when it has none here, a pull from another relay; a
 * publisher replaces any pull. Past its lag bound the worker sheds
 * load: viewers of simulcast streams are held a layer lower each stats
 * interval while one can go lower (a lower layer is fewer packets to send),
 * then new viewers are refused (`overloaded`, with a retry delay) until a
 * stats interval passes under the bound. After
 * {@link RESTORE_LAYER_INTERVALS} intervals under it, the viewers held
 * lower get a layer back.
 *
 * @module
 */
import type { StreamFan } from "./_fanout.ts";
import { PublisherLeg } from "./_publisher.ts";
import { PullLeg } from "./_pull.ts";
import type { Rtc, RtcOptions } from "./_rtc.ts";
import { PlaneError, Sessions } from "./_sessions.ts";
import { ViewerLeg } from "./_viewer.ts";
import { layerProblem } from "./layer_choice.ts";
import { reachable } from "./candidates.ts";
import { LoopLag } from "./loop_lag.ts";
import type {
  TrickledCandidate,
  WorkerEvent,
  WorkerRequest,
  WorkerResult,
  WorkerStats,
} from "./protocol.ts";
import type { ChosenCodec, VideoCodec } from "./sdp.ts";

/** Stats intervals under the lag bound after which viewers held lower get a layer back. */
export const RESTORE_LAYER_INTERVALS = 10;

/** A viewer sending no RTCP for this long while media flows to it has gone: its session ends. */
export const VIEWER_SILENT_MS = 10_000;

/** How a worker runs. */
export interface PlaneOptions extends RtcOptions {
  /** Past this event-loop lag, milliseconds, new viewers are refused. */
  maxLagMs: number;
  /** How often stats are reported (and shedding decided), milliseconds. */
  statsIntervalMs: number;
}

/** Every stream and session of one worker. */
export class MediaPlane {
  readonly #rtc: Rtc;
  readonly #options: PlaneOptions;
  readonly #emit: (event: WorkerEvent) => void;
  readonly #lag = new LoopLag();
  readonly #sessions = new Sessions(
    () => this.#lag.behind(),
    (session, reason) => this.#emit({ event: "ended", session, reason }),
  );
  readonly #stats: ReturnType<typeof setInterval>;
  #shedding = false;
  #lagMs = 0;
  /** Stats intervals under the lag bound in a row. */
  #calm = 0;

  /** A plane sending its events to `emit`; stats start at once. */
  constructor(rtc: Rtc, options: PlaneOptions, emit: (event: WorkerEvent) => void) {
    this.#rtc = rtc;
    this.#options = options;
    this.#emit = emit;
    this.#stats = setInterval(() => this.#report(), options.statsIntervalMs);
  }

  /**
   * Carries out `request`; resolves with the SDP answer of a publish or
   * watch, or the offer of a pull.
   *
   * @throws {PlaneError} saying why it was refused
   */
  async handle(request: WorkerRequest): Promise<WorkerResult> {
    switch (request.op) {
      case "publish": {
        const { session, stream, offer, bitrate } = request;
        return { answer: await this.#publish(session, stream, offer, bitrate) };
      }
      case "watch": {
        const { session, stream, offer, layer } = request;
        return { answer: await this.#watch(session, stream, offer, layer) };
      }
      case "layer": {
        const session = this.#sessions.get(request.session);
        if (session.kind !== "watch") {
          throw new PlaneError({ code: "bad-request", message: "only a viewer has a layer" });
        }
        checkLayer(session.fan, request.layer);
        session.leg.choice.pin(request.layer);
        session.fan.review(session.leg);
        return {};
      }
      case "pull":
        return { offer: await this.#pull(request.session, request.stream) };
      case "accept":
        return { candidates: this.#accept(request.session, request.answer) };
      case "candidates":
        this.#trickle(request.session, request.candidates);
        return {};
      case "close":
        this.#sessions.get(request.session);
        this.#sessions.end(request.session, "closed by the node");
        return {};
      case "requestKeyframe":
        this.#sessions.fan(request.stream)?.requestKeyframe();
        return {};
      case "pay": {
        const session = this.#sessions.get(request.session);
        if (session.kind === "publish") {
          throw new PlaneError({ code: "bad-request", message: "a publisher has no pay channel" });
        }
        session.leg.sendPay(request.text);
        return {};
      }
    }
  }

  /** Ends every session and stops the timers. */
  close(): void {
    for (const [id] of this.#sessions.entries()) this.#sessions.end(id, "worker shut down");
    clearInterval(this.#stats);
    this.#lag.stop();
  }

  /** The worker's counters now. */
  stats(): WorkerStats {
    return {
      lagMs: Math.round(this.#lagMs),
      shedding: this.#shedding,
      ...this.#sessions.stats(),
    };
  }

  async #publish(id: string, stream: string, offer: string, bitrate?: number): Promise<string> {
    this.#sessions.fresh(id);
    let negotiated;
    try {
      negotiated = await PublisherLeg.answering(this.#rtc, this.#options, offer, bitrate);
    } catch (e) {
      throw new PlaneError({ code: "bad-offer", message: (e as Error).message });
    }
    const { publisher, answer } = negotiated;
    const fan = this.#sessions.fanOf(stream);
    for (const [other, session] of this.#sessions.on(fan)) {
      if (session.kind === "publish") this.#sessions.end(other, "replaced");
      if (session.kind === "pull") this.#sessions.end(other, "replaced by a publisher");
    }
    this.#endViewersOfOtherCodec(fan, publisher.video);
    this.#sessions.add(id, { kind: "publish", fan, leg: publisher });
    fan.attach(publisher);
    publisher.onGone((reason) => this.#sessions.end(id, reason));
    return answer;
  }

  async #pull(id: string, stream: string): Promise<string> {
    this.#sessions.fresh(id);
    this.#unpublished(stream);
    const { leg, offer } = await PullLeg.offering(this.#rtc, this.#options);
    // A publisher may have come while the offer gathered.
    try {
      this.#sessions.fresh(id);
      this.#unpublished(stream);
    } catch (e) {
      leg.close();
      throw e;
    }
    const fan = this.#sessions.fanOf(stream);
    this.#sessions.add(id, { kind: "pull", fan, leg });
    leg.onFlowing(() => this.#emit({ event: "flowing", session: id }));
    leg.onPay((text) => this.#emit({ event: "pay", session: id, text }));
    leg.onGone((reason) => this.#sessions.end(id, reason));
    return offer;
  }

  #accept(id: string, answer: string): TrickledCandidate[] {
    const session = this.#sessions.get(id);
    if (session.kind !== "pull") {
      throw new PlaneError({ code: "bad-request", message: `session ${id} is not a pull` });
    }
    const { fan, leg } = session;
    if (leg.video) {
      throw new PlaneError({ code: "bad-request", message: `pull ${id} has its answer already` });
    }
    let candidates;
    try {
      candidates = leg.accept(answer);
    } catch (e) {
      const message = (e as Error).message;
      if (leg.pc.state() === "failed" || leg.pc.state() === "closed") {
        this.#sessions.end(id, `the connection failed as the answer was set: ${message}`);
      }
      throw new PlaneError({ code: "bad-answer", message });
    }
    for (const [other, session] of this.#sessions.on(fan)) {
      if (other !== id && session.kind === "pull" && session.leg.video) {
        this.#sessions.end(other, "replaced");
      }
    }
    this.#endViewersOfOtherCodec(fan, leg.video!);
    fan.attach(leg);
    return candidates;
  }

  #trickle(id: string, candidates: TrickledCandidate[]): void {
    const { leg } = this.#sessions.get(id);
    for (const { candidate, mid } of candidates) {
      if (!reachable(candidate, this.#options.bindAddress)) continue;
      try {
        leg.pc.addRemoteCandidate(candidate, mid ?? "");
      } catch (e) {
        throw new PlaneError({
          code: "bad-request",
          message: `Cannot add the candidate ${JSON.stringify(candidate)}: ${(e as Error).message}`,
        });
      }
    }
  }

  async #watch(id: string, stream: string, offer: string, layer?: string): Promise<string> {
    this.#sessions.fresh(id);
    if (this.#shedding) {
      throw new PlaneError({
        code: "overloaded",
        message: `the media worker lags ${Math.round(this.#lagMs)} ms: it takes no new viewers`,
        retryAfter: 5,
      });
    }
    const fan = this.#sessions.fan(stream);
    const video = fan?.source?.video;
    if (!fan || !video) {
      throw new PlaneError({
        code: "no-source",
        message: `stream ${stream} has no source on this worker (no publisher, no pull answered)`,
        retryAfter: 2,
      });
    }
    if (layer !== undefined) checkLayer(fan, layer);
    const source = { video, audio: fan.source!.audio };
    let negotiated;
    try {
      negotiated = await ViewerLeg.answering(this.#rtc, this.#options, offer, source, fan.ids);
    } catch (e) {
      throw new PlaneError({ code: "bad-offer", message: (e as Error).message });
    }
    const { viewer, answer } = negotiated;
    this.#sessions.add(id, { kind: "watch", fan, leg: viewer });
    viewer.choice.pin(layer);
    viewer.onStart(() => this.#emit({ event: "started", session: id }));
    viewer.onLayer((layer) => this.#emit({ event: "layer", session: id, layer }));
    viewer.onPay((text) => this.#emit({ event: "pay", session: id, text }));
    viewer.onGone((reason) => this.#sessions.end(id, reason));
    fan.add(viewer);
    return answer;
  }

  /** A new source in another codec: the viewers negotiated for the old one cannot follow. */
  #endViewersOfOtherCodec(fan: StreamFan, video: ChosenCodec<VideoCodec>): void {
    const old = fan.source?.video?.name;
    if (old === undefined || old === video.name) return;
    for (const [id, session] of this.#sessions.on(fan)) {
      if (session.kind === "watch") this.#sessions.end(id, "the source changed codec");
    }
  }

  /** Refuses a pull of a stream this worker has a publisher for. */
  #unpublished(stream: string): void {
    const fan = this.#sessions.fan(stream);
    if (fan?.source instanceof PublisherLeg) {
      throw new PlaneError({
        code: "has-publisher",
        message: `stream ${stream} is published on this worker: it is not pulled`,
      });
    }
  }

  #report(): void {
    for (const [id, session] of this.#sessions.entries()) {
      if (session.kind !== "watch") continue;
      // Viewers report what reaches them: silence means something only while media flows.
      const silent = session.leg.silentFor();
      if (silent > VIEWER_SILENT_MS && session.fan.flowingFor() > VIEWER_SILENT_MS) {
        this.#sessions.end(id, "the viewer went silent: no RTCP, connection lost");
      }
    }
    // A loop late at most of its samples is behind on packets; one stall is not.
    this.#lagMs = this.#lag.take().sustained;
    const lagging = this.#lagMs > this.#options.maxLagMs;
    this.#calm = lagging ? 0 : this.#calm + 1;
    // Lower layers first: refused viewers only when no simulcast viewer can go lower.
    this.#shedding = lagging && !this.#sessions.shedLayer();
    if (this.#calm >= RESTORE_LAYER_INTERVALS) {
      this.#calm = 0;
      this.#sessions.restoreLayer();
    }
    this.#emit({ event: "stats", stats: this.stats() });
  }
}

/**
 * Checks that `layer` can be asked of `fan`'s source.
 *
 * @throws {PlaneError} `bad-request` naming the layers there are
 */
function checkLayer(fan: StreamFan, layer: string): void {
  const problem = layerProblem(layer, fan.source?.rids);
  if (problem) {
    throw new PlaneError({ code: "bad-request", message: `stream ${fan.stream} ${problem}` });
  }
}
