/**
 * The media plane in the node's own process, on werift: a hub per stream
 * fed by its publisher or by a pull from another relay, fanning out to its
 * viewers. It serves a few dozen viewers per core (werift's per-packet path
 * runs in JavaScript); the media workers (`../native/`) serve hundreds, and
 * this plane is what runs with `--relay-workers 0`.
 *
 * @module
 */
import type { PeerConfig, RTCDataChannel } from "werift";
import type { RelayDirectory } from "../directory.ts";
import { RelayError } from "../errors.ts";
import type {
  MediaPlane,
  PlaneLeg,
  SourceOrigin,
  TrickledCandidate,
  ViewerPlaneLeg,
  WatchOptions,
} from "../plane.ts";
import { type PullLeg, SILENCE_MS, type UpstreamPuller } from "../upstream.ts";
import { StreamHub } from "./hub.ts";
import { SourceLeg } from "./source.ts";
import { ViewerLeg } from "./viewer.ts";

/** How long a viewer's request waits for the stream to arrive (locally or from upstream). */
const SOURCE_WAIT_MS = 8_000;
/** A hub with no source and no viewer for this long is dropped. */
const IDLE_HUB_MS = 30_000;

/** Options of the in-process plane. */
export interface InProcessPlaneInit {
  peerConfig: Partial<PeerConfig>;
  /** Told which streams are carried here. */
  directory?: RelayDirectory;
  /** Pulls streams not published here from the relays that carry them. */
  upstream?: UpstreamPuller;
}

/** Every stream's hub in this process, and the legs on them. */
export class InProcessPlane implements MediaPlane {
  readonly #init: InProcessPlaneInit;
  readonly #hubs = new Map<bigint, StreamHub>();
  /** What hubs closed since start carried: the traffic counters never go back. */
  readonly #closedHubsTraffic = { inBytes: 0, outBytes: 0, forwarded: 0 };
  readonly #idle = new Map<bigint, ReturnType<typeof setTimeout>>();
  /** Until when a hub's upstream is kept without viewers. */
  readonly #wantedUntil = new WeakMap<StreamHub, number>();

  constructor(init: InProcessPlaneInit) {
    this.#init = init;
  }

  async publish(stream: bigint, offer: string): Promise<PlaneLeg> {
    let negotiated;
    try {
      negotiated = await SourceLeg.answering(offer, this.#init.peerConfig);
    } catch (e) {
      throw new RelayError(400, `cannot negotiate the offer: ${(e as Error).message}`);
    }
    const { source, answer } = negotiated;
    const hub = this.#hub(stream);
    hub.attach(source);
    source.codecKnown().then(() => this.#afterChange(hub));
    return {
      answer,
      trickle: (candidates) => addCandidates(source.pc, candidates),
      onGone: (handler) => source.onGone(handler),
      close: async () => {
        hub.detach(source);
        await source.close();
        this.#afterChange(hub);
      },
    };
  }

  async watch(stream: bigint, offer: string, options: WatchOptions): Promise<ViewerPlaneLeg> {
    const hub = this.#hub(stream);
    if (!hub.source && options.pull) this.#pullUpstream(hub);
    const source = await hub.sourceReady(options.pull ? SOURCE_WAIT_MS : 0);
    if (!source?.videoCodec) {
      this.#afterChange(hub);
      throw new RelayError(409, "the stream has not reached this node yet", { "retry-after": "2" });
    }
    let negotiated;
    try {
      negotiated = await ViewerLeg.answering(offer, this.#init.peerConfig, source.videoCodec);
    } catch (e) {
      throw new RelayError(400, `cannot negotiate the offer: ${(e as Error).message}`);
    }
    const { viewer, answer } = negotiated;
    hub.add(viewer);
    this.#afterChange(hub);
    let channel: RTCDataChannel | undefined;
    const queued: string[] = [];
    let onPay: (text: string) => void = () => {};
    viewer.onPayChannel((open) => {
      channel = open;
      for (const text of queued.splice(0)) open.send(text);
      open.onMessage.subscribe((data) => onPay(String(data)));
    });
    return {
      answer,
      trickle: (candidates) => addCandidates(viewer.pc, candidates),
      onGone: (handler) => viewer.onGone(handler),
      sendPay: (text) => {
        if (channel?.readyState === "open") channel.send(text);
        else queued.push(text);
      },
      onPay: (handler) => onPay = handler,
      onStart: (handler) => viewer.onStart(handler),
      stats: () => viewer.stats(),
      // The in-process plane forwards one layer, the one its source sends: nothing to choose.
      setLayer: () => Promise.resolve(),
      onLayer: () => {},
      close: async () => {
        hub.remove(viewer);
        this.#wantedUntil.set(hub, Date.now() + SOURCE_WAIT_MS);
        await viewer.close();
        this.#afterChange(hub);
      },
    };
  }

  carried(): Map<bigint, SourceOrigin | null> {
    return new Map([...this.#hubs.values()].map((hub) => [hub.stream, hub.source?.origin ?? null]));
  }

  traffic(): { inBytes: number; outBytes: number; forwarded: number } {
    let { inBytes, outBytes, forwarded } = this.#closedHubsTraffic;
    for (const hub of this.#hubs.values()) {
      inBytes += hub.bytesIn;
      outBytes += hub.bytesOut;
      forwarded += hub.forwarded;
    }
    return { inBytes, outBytes, forwarded };
  }

  async close(): Promise<void> {
    this.#init.upstream?.stop();
    for (const timer of this.#idle.values()) clearTimeout(timer);
    await Promise.all([...this.#hubs.values()].map((h) => h.close()));
    this.#hubs.clear();
  }

  /**
   * Pulls `hub` from another relay while it has viewers (or one is waiting
   * for it to arrive, or left less than {@link SOURCE_WAIT_MS} ago) and no
   * publisher here took over.
   */
  #pullUpstream(hub: StreamHub): void {
    const upstream = this.#init.upstream;
    if (!upstream) return;
    this.#wantedUntil.set(hub, Date.now() + SOURCE_WAIT_MS);
    upstream.pull(
      hub.stream,
      () => this.#pullLeg(hub),
      () =>
        this.#hubs.get(hub.stream) === hub && hub.source?.origin !== "publisher" &&
        (hub.viewers.size > 0 || Date.now() < (this.#wantedUntil.get(hub) ?? 0)),
    );
  }

  /** An offer to receive `hub`'s stream from a carrier; it feeds the hub once media flows. */
  async #pullLeg(hub: StreamHub): Promise<PullLeg> {
    const { source, offer } = await SourceLeg.offering(this.#init.peerConfig);
    const channel = source.payChannel!;
    return {
      offer,
      accept: async (answer) => {
        // werift's offer went out with its candidates gathered: none to trickle.
        await source.accept(answer);
        return [];
      },
      flowing: async (timeoutMs) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const codec = await Promise.race([
          source.codecKnown(),
          new Promise<undefined>((resolve) =>
            timer = setTimeout(() => resolve(undefined), timeoutMs)
          ),
        ]);
        clearTimeout(timer);
        if (codec) hub.attach(source);
        return !!codec;
      },
      sendPay: (text) => {
        if (channel.readyState !== "open") return false;
        channel.send(text);
        return true;
      },
      onPay: (handler) => channel.onMessage.subscribe((data) => handler(String(data))),
      gone: () =>
        new Promise((resolve) => {
          const timer = setInterval(() => {
            if (Date.now() - source.lastPacketAt > SILENCE_MS) done();
          }, 250);
          const done = () => {
            clearInterval(timer);
            resolve();
          };
          source.onGone(done);
        }),
      close: async () => {
        hub.detach(source);
        await source.close();
      },
    };
  }

  /** Tells the directory what is carried, and drops hubs left idle. */
  #afterChange(hub: StreamHub): void {
    const carrying = !!hub.source?.videoCodec;
    this.#init.directory?.setCarrying(hub.stream, carrying);
    clearTimeout(this.#idle.get(hub.stream));
    this.#idle.delete(hub.stream);
    if (hub.source || hub.viewers.size > 0) return;
    this.#idle.set(
      hub.stream,
      setTimeout(() => {
        this.#idle.delete(hub.stream);
        if (hub.source || hub.viewers.size > 0 || this.#hubs.get(hub.stream) !== hub) return;
        this.#hubs.delete(hub.stream);
        this.#closedHubsTraffic.inBytes += hub.bytesIn;
        this.#closedHubsTraffic.outBytes += hub.bytesOut;
        this.#closedHubsTraffic.forwarded += hub.forwarded;
        void hub.close();
      }, IDLE_HUB_MS),
    );
  }

  #hub(stream: bigint): StreamHub {
    let hub = this.#hubs.get(stream);
    if (!hub) {
      hub = new StreamHub(stream);
      this.#hubs.set(stream, hub);
    }
    return hub;
  }
}

async function addCandidates(
  pc: SourceLeg["pc"],
  candidates: TrickledCandidate[],
): Promise<void> {
  for (const candidate of candidates) {
    await pc.addIceCandidate(candidate).catch(() => {
      throw new RelayError(400, `bad candidate: ${candidate.candidate}`);
    });
  }
}
