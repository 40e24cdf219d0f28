/**
 * A viewer's leg: the peer connection a relay sends one stream's media to,
 * with the `sutantra-pay` data channel beside it and the quality the viewer
 * reports back in RTCP.
 *
 * @module
 */
import {
  type PeerConfig,
  type RTCDataChannel,
  type RTCPeerConnection,
  type RtcpPacket,
  type RTCRtpCodecParameters,
  type RTCRtpSender,
  type RtpPacket,
} from "werift";
import { PAY_CHANNEL_LABEL } from "../../../client/relay/pay_messages.ts";
import { audioCodecs, viewerVideoCodec } from "./codecs.ts";
import { createPeerConnection, gatheringComplete, onPeerGone } from "./peer.ts";
import { boundResends } from "./retransmit.ts";
import type { MediaKind } from "./source.ts";

const RTCP_RR = 201;
const RTCP_SR = 200;
const RTCP_PSFB = 206;
const FIR_FORMAT = 4;

/** What a viewer has been sent, and what its receiver reports say of it. */
export interface ViewerStats {
  bytesSent: number;
  packetsSent: number;
  /** Video packets reported lost, in parts per million of those sent. */
  lossPermill: number;
  /** Interarrival jitter of the video, in milliseconds. */
  jitterMs: number;
}

/** Sends one stream's media to one viewer. */
export class ViewerLeg {
  readonly pc: RTCPeerConnection;
  /** Whether the viewer waits for a keyframe before it gets video. */
  waitingForKeyframe = true;
  readonly #video: RTCRtpSender;
  readonly #audio: RTCRtpSender;
  readonly #clockRate: number;
  #videoSent = 0;
  #bytesSent = 0;
  #packetsSent = 0;
  #lost = 0;
  #jitter = 0;
  #started = false;
  /** Whether DTLS is up: packets sent before are dropped by werift, keyframes with them. */
  #connected = false;
  #onStart: () => void = () => {};
  #onKeyframeRequest: () => void = () => {};
  #closed = false;

  private constructor(config: Partial<PeerConfig>, videoCodec: RTCRtpCodecParameters) {
    this.#clockRate = videoCodec.clockRate;
    this.pc = createPeerConnection({
      ...config,
      codecs: { video: [viewerVideoCodec(videoCodec)], audio: audioCodecs() },
    });
    this.#video = this.pc.addTransceiver("video", { direction: "sendonly" }).sender;
    boundResends(this.#video);
    this.#audio = this.pc.addTransceiver("audio", { direction: "sendonly" }).sender;
    this.#video.onPictureLossIndication.subscribe(() => this.#onKeyframeRequest());
    this.#video.onRtcp.subscribe((packet) => this.#onRtcp(packet));
    this.pc.connectionStateChange.subscribe((state) => {
      if (state !== "connected" || this.#connected) return;
      this.#connected = true;
      this.#onKeyframeRequest();
    });
  }

  /**
   * A leg answering a viewer's SDP `offer` (WHEP) with video in the source's
   * codec; returns the answer too.
   */
  static async answering(
    offer: string,
    config: Partial<PeerConfig>,
    videoCodec: RTCRtpCodecParameters,
  ): Promise<{ viewer: ViewerLeg; answer: string }> {
    const viewer = new ViewerLeg(config, videoCodec);
    try {
      await viewer.pc.setRemoteDescription({ type: "offer", sdp: offer });
      await viewer.pc.setLocalDescription(await viewer.pc.createAnswer());
      await gatheringComplete(viewer.pc);
      const answer = viewer.pc.localDescription!.sdp;
      if (!/^m=video [1-9]/m.test(answer)) {
        throw new TypeError(`the offer does not accept ${videoCodec.mimeType} video`);
      }
      return { viewer, answer };
    } catch (e) {
      await viewer.close();
      throw e;
    }
  }

  /** Calls `handler` when the viewer's `sutantra-pay` data channel opens. */
  onPayChannel(handler: (channel: RTCDataChannel) => void): void {
    this.pc.onDataChannel.subscribe((channel) => {
      if (channel.label !== PAY_CHANNEL_LABEL) return;
      if (channel.readyState === "open") handler(channel);
      else channel.stateChanged.subscribe((s) => s === "open" && handler(channel));
    });
  }

  /** Calls `handler` once, when the first keyframe went out: media reaches the viewer. */
  onStart(handler: () => void): void {
    this.#onStart = handler;
  }

  /**
   * Calls `handler` for every keyframe request: the viewer's PLI or FIR, and
   * once when its connection comes up (it waits for a keyframe to begin).
   */
  onKeyframeRequest(handler: () => void): void {
    this.#onKeyframeRequest = handler;
  }

  /** Calls `handler` once the peer connection is gone. */
  onGone(handler: () => void): void {
    onPeerGone(this.pc, handler);
  }

  /**
   * Sends a packet of the source on; video waits for a keyframe to begin.
   * Returns whether it was sent.
   */
  forward(kind: MediaKind, packet: RtpPacket, startsKeyframe: boolean): boolean {
    if (this.#closed || !this.#connected) return false;
    if (kind === "video") {
      if (this.waitingForKeyframe) {
        if (!startsKeyframe) return false;
        this.waitingForKeyframe = false;
        if (!this.#started) {
          this.#started = true;
          this.#onStart();
        }
      }
      this.#videoSent++;
      this.#video.sendRtp(packet).catch(() => {});
    } else {
      if (!this.#started) return false;
      this.#audio.sendRtp(packet).catch(() => {});
    }
    this.#packetsSent++;
    this.#bytesSent += packet.payload.length + packet.header.serializeSize;
    return true;
  }

  /**
   * The source changed (a new publisher or upstream): its numbering starts
   * over, so sequence numbers and timestamps are stitched on, and video
   * waits for the new source's keyframe.
   */
  sourceChanged(): void {
    this.waitingForKeyframe = true;
    for (const sender of [this.#video, this.#audio]) {
      sender.replaceRTP({ sequenceNumber: 0, timestamp: 0 }, true);
    }
  }

  /** What the viewer was sent and reported. */
  stats(): ViewerStats {
    const lossPermill = this.#videoSent === 0
      ? 0
      : Math.min(1_000_000, Math.round((this.#lost * 1_000_000) / this.#videoSent));
    return {
      bytesSent: this.#bytesSent,
      packetsSent: this.#packetsSent,
      lossPermill,
      jitterMs: Math.round(this.#jitter / (this.#clockRate / 1000)),
    };
  }

  /** Closes the peer connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pc.close().catch(() => {});
  }

  #onRtcp(packet: RtcpPacket): void {
    if (packet.type === RTCP_RR || packet.type === RTCP_SR) {
      const reports =
        (packet as { reports: { ssrc: number; packetsLost: number; jitter: number }[] })
          .reports;
      for (const report of reports) {
        if (report.ssrc !== this.#video.ssrc) continue;
        this.#lost = Math.max(0, report.packetsLost);
        this.#jitter = report.jitter;
      }
    } else if (packet.type === RTCP_PSFB) {
      const feedback = (packet as { feedback: { count: number } }).feedback;
      if (feedback.count === FIR_FORMAT) this.#onKeyframeRequest();
    }
  }
}
