/**
 * A WHEP viewer without a screen: werift receives a relay's video and audio,
 * meters them, and pays on the `sutantra-pay` data channel. `stream watch`,
 * the relay's tests and the relay benchmarks watch through it.
 *
 * @module
 */
import type { RTCDataChannel, RTCPeerConnection } from "werift";
import { createPeerConnection } from "../relay/media/peer.ts";
import { peerConfig } from "../relay/rtc_config.ts";
import {
  PAY_CHANNEL_LABEL,
  type RelayMessage,
  type ViewerMessage,
} from "../../client/relay/pay_messages.ts";
import { waitConnected } from "../relay/testing/synthetic_source.ts";
import { startsVp8Keyframe } from "../relay/media/keyframe.ts";
import { endSession, exchangeSdp, type TokenFor } from "../../client/relay/whep_client.ts";
import { type FrameDelay, RtpMeter, type RtpReading } from "./rtp_meter.ts";
import { type PayOptions, ViewerPayments } from "../../client/viewer_payments.ts";

/** While video arrives without a keyframe, a PLI is sent this often. */
const PLI_INTERVAL_MS = 300;

/** Where and how to watch. */
export interface HeadlessViewerOptions {
  /** The relay's WHEP endpoint, `http://host:port/whep/{streamId}`. */
  whepUrl: string;
  /**
   * A bearer token with role "watch" (`issueToken`), or a function making
   * one for a relay's URL: then a full relay's redirect to another is
   * followed, with a token for that one.
   */
  token: TokenFor;
  /** Use 127.0.0.1 only (tests, benchmarks, a node on the same machine). */
  loopback?: boolean;
  /** Pay by voucher and sign receipts; without it the viewer only listens. */
  pay?: PayOptions;
  /** Called with each message the relay sends on the pay channel. */
  onMessage?: (message: RelayMessage) => void;
  /** Record one-way delays of synthetic frames (see `RtpMeter`). */
  latencies?: boolean;
  /** Milliseconds to wait for the connection (default 10 s). */
  connectTimeoutMs?: number;
}

/** What a viewer has received. */
export interface ViewerStats {
  video: RtpReading;
  audio: RtpReading;
  /** Milliseconds from the WHEP POST to the first video packet. */
  firstPacketMs?: number;
  /** Milliseconds from the WHEP POST to the first keyframe's first packet. */
  firstKeyframeMs?: number;
  /** Milliseconds from the WHEP POST to the last packet of the first keyframe. */
  firstFrameMs?: number;
  /** The newest voucher's cumulative amount, planck (0 when not paying). */
  paid: bigint;
}

/** Why a session ended: DELETE by the viewer, a relay `cutoff`, or the connection dropping. */
export type EndReason = "stopped" | "cutoff" | "disconnected";

/** A running WHEP session. */
export class HeadlessViewer {
  /** Every message the relay sent on the pay channel, oldest first. */
  readonly messages: RelayMessage[] = [];
  /** Voucher and receipt sending; undefined unless `pay` was given. */
  readonly payments: ViewerPayments | undefined;
  /** Resolves once the session is over, with why. */
  readonly ended: Promise<EndReason>;
  /** The session's URL (DELETE ends it). */
  location = "";
  /** The WHEP endpoint serving the session: `whepUrl`, or where a full relay sent the viewer. */
  endpoint = "";
  /** The token the session was made with. */
  #token = "";
  readonly #pc: RTCPeerConnection;
  readonly #channel: RTCDataChannel;
  readonly #video: RtpMeter;
  readonly #audio = new RtpMeter({ clockRate: 48_000 });
  readonly #postedAt = performance.now();
  #first: Pick<ViewerStats, "firstPacketMs" | "firstKeyframeMs" | "firstFrameMs"> = {};
  #inKeyframe = false;
  #end!: (reason: EndReason) => void;
  #over = false;
  #unsent: string[] = [];

  private constructor(private readonly options: HeadlessViewerOptions) {
    this.ended = new Promise((resolve) => this.#end = resolve);
    this.#video = new RtpMeter({ clockRate: 90_000, vp8: true, latencies: options.latencies });
    this.#pc = createPeerConnection(peerConfig({ loopbackOnly: options.loopback }));
    this.#pc.addTransceiver("video", { direction: "recvonly" });
    this.#pc.addTransceiver("audio", { direction: "recvonly" });
    this.#channel = this.#pc.createDataChannel(PAY_CHANNEL_LABEL);
    this.#channel.onMessage.subscribe((data) => this.#onRelayMessage(data));
    this.#channel.stateChanged.subscribe((state) => {
      if (state !== "open") return;
      for (const text of this.#unsent) this.#channel.send(text);
      this.#unsent = [];
    });
    this.payments = options.pay
      ? new ViewerPayments((m) => this.send(m), options.pay, () => this.bytesReceived())
      : undefined;
    this.#pc.onTrack.subscribe((track) => {
      if (track.kind !== "video") {
        track.onReceiveRtp.subscribe((rtp) => {
          this.#audio.add(rtp.header, rtp.payload, performance.now());
        });
        return;
      }
      const receiver = this.#pc.getReceivers().find((r) => r.track === track);
      let pliAt = -Infinity;
      track.onReceiveRtp.subscribe((rtp) => {
        const now = performance.now();
        this.#video.add(rtp.header, rtp.payload, now);
        this.#timeFirsts(rtp.header.marker, rtp.payload, now - this.#postedAt);
        // As a browser does: video that cannot be decoded yet asks for a keyframe.
        if (this.#first.firstKeyframeMs === undefined && now - pliAt > PLI_INTERVAL_MS) {
          pliAt = now;
          receiver?.sendRtcpPLI(rtp.header.ssrc).catch(() => {});
        }
      });
    });
    this.#pc.connectionStateChange.subscribe((state) => {
      if (state === "failed" || state === "closed") this.#finish("disconnected");
    });
  }

  /**
   * Offers to receive video, audio and the pay channel, and resolves once
   * the connection is up.
   *
   * @throws {SdpExchangeError} when the relay refuses (401, 403, 409 not live, ...)
   */
  static async start(options: HeadlessViewerOptions): Promise<HeadlessViewer> {
    const viewer = new HeadlessViewer(options);
    const pc = viewer.#pc;
    try {
      const connected = waitConnected(pc, options.connectTimeoutMs ?? 10_000);
      connected.catch(() => {}); // awaited below; a refusal before then must not go unhandled
      await pc.setLocalDescription(await pc.createOffer());
      const exchange = await exchangeSdp(options.whepUrl, pc.localDescription!.sdp, options.token);
      viewer.location = exchange.location;
      viewer.endpoint = exchange.endpoint;
      viewer.#token = exchange.token;
      await pc.setRemoteDescription({ type: "answer", sdp: exchange.answer });
      await connected;
      return viewer;
    } catch (error) {
      viewer.#finish("disconnected");
      await pc.close();
      throw error;
    }
  }

  /** Counts so far. */
  stats(): ViewerStats {
    return {
      video: this.#video.read(),
      audio: this.#audio.read(),
      ...this.#first,
      paid: this.payments?.paid ?? 0n,
    };
  }

  /** Media payload bytes received, video and audio. */
  bytesReceived(): number {
    return this.#video.read().bytes + this.#audio.read().bytes;
  }

  /** One-way delays of synthetic video frames since the last call (with `latencies`). */
  takeLatencies(): FrameDelay[] {
    return this.#video.takeLatencies();
  }

  /**
   * Sends a message, or any text (tests of malformed input), on the pay
   * channel; held until the channel opens (the relay may speak first).
   */
  send(message: ViewerMessage | string): void {
    const text = typeof message === "string" ? message : JSON.stringify(message);
    if (this.#channel.readyState === "open") this.#channel.send(text);
    else if (this.#channel.readyState === "connecting") this.#unsent.push(text);
  }

  /** Ends the session: DELETE on its URL, then closes the connection. */
  async stop(): Promise<void> {
    const wasOver = this.#over;
    this.#finish("stopped");
    try {
      if (!wasOver && this.location) await endSession(this.location, this.#token);
    } finally {
      await this.#pc.close();
    }
  }

  #timeFirsts(marker: boolean, payload: Uint8Array, sincePost: number): void {
    this.#first.firstPacketMs ??= sincePost;
    if (this.#first.firstFrameMs !== undefined) return;
    if (startsVp8Keyframe(payload)) {
      this.#inKeyframe = true;
      this.#first.firstKeyframeMs ??= sincePost;
    }
    if (marker && this.#inKeyframe) this.#first.firstFrameMs = sincePost;
  }

  #onRelayMessage(data: string | Buffer): void {
    let message: RelayMessage;
    try {
      message = JSON.parse(typeof data === "string" ? data : data.toString("utf8"));
    } catch {
      return; // not ours to judge: a relay bug shows in the tests that read `messages`
    }
    this.messages.push(message);
    this.payments?.onMessage(message);
    this.options.onMessage?.(message);
    if (message.type === "cutoff") this.#finish("cutoff");
  }

  #finish(reason: EndReason): void {
    if (this.#over) return;
    this.#over = true;
    this.payments?.stop();
    this.#end(reason);
  }
}
