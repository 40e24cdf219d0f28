/**
 * A stream's source: the one peer connection a relay receives a stream's
 * media on, from a publisher (WHIP) or from another relay (upstream).
 *
 * @module
 */
import {
  type MediaStreamTrack,
  type PeerConfig,
  type RTCDataChannel,
  type RTCPeerConnection,
  type RTCRtpCodecParameters,
  type RtpPacket,
} from "werift";
import {
  audioCodecs,
  sourceHeaderExtensions,
  sourceVideoCodecs,
  videoCodecName,
} from "./codecs.ts";
import { PAY_CHANNEL_LABEL } from "../../../client/relay/pay_messages.ts";
import { createPeerConnection, gatheringComplete, onPeerGone } from "./peer.ts";

/** Where a source's media comes from. */
export type SourceOrigin = "publisher" | "upstream";

/** The media kind of a packet. */
export type MediaKind = "video" | "audio";

/** Receives a stream's media on one peer connection and hands each packet on. */
export class SourceLeg {
  readonly pc: RTCPeerConnection;
  readonly origin: SourceOrigin;
  /** The video codec, known from the first video packet. */
  videoCodec?: RTCRtpCodecParameters;
  /** When the last packet arrived (`Date.now()`), 0 before the first. */
  lastPacketAt = 0;
  /** A pulling source's `sutantra-pay` channel: the pull's backing goes upstream on it. */
  payChannel?: RTCDataChannel;
  #videoSsrc?: number;
  #onRtp: (kind: MediaKind, packet: RtpPacket) => void = () => {};
  #onCodec: (() => void)[] = [];
  #closed = false;

  private constructor(origin: SourceOrigin, config: Partial<PeerConfig>) {
    this.origin = origin;
    this.pc = createPeerConnection({
      ...config,
      codecs: { video: sourceVideoCodecs(), audio: audioCodecs() },
      headerExtensions: sourceHeaderExtensions(),
    });
    this.pc.onTrack.subscribe((track) => this.#receive(track));
  }

  /** A source answering a publisher's SDP `offer` (WHIP); returns the answer too. */
  static async answering(
    offer: string,
    config: Partial<PeerConfig>,
  ): Promise<{ source: SourceLeg; answer: string }> {
    const source = new SourceLeg("publisher", config);
    try {
      await source.pc.setRemoteDescription({ type: "offer", sdp: offer });
      const kinds = source.pc.getTransceivers().map((t) => t.kind);
      if (!kinds.includes("video")) throw new TypeError("the offer has no video");
      await source.pc.setLocalDescription(await source.pc.createAnswer());
      await gatheringComplete(source.pc);
      return { source, answer: source.pc.localDescription!.sdp };
    } catch (e) {
      await source.close();
      throw e;
    }
  }

  /** A source offering to receive video and audio (pulling from another relay). */
  static async offering(
    config: Partial<PeerConfig>,
  ): Promise<{ source: SourceLeg; offer: string }> {
    const source = new SourceLeg("upstream", config);
    source.pc.addTransceiver("video", { direction: "recvonly" });
    source.pc.addTransceiver("audio", { direction: "recvonly" });
    source.payChannel = source.pc.createDataChannel(PAY_CHANNEL_LABEL);
    await source.pc.setLocalDescription(await source.pc.createOffer());
    await gatheringComplete(source.pc);
    return { source, offer: source.pc.localDescription!.sdp };
  }

  /** Completes an offering source with the other side's SDP answer. */
  async accept(answer: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: "answer", sdp: answer });
  }

  /** Sets where packets go: one handler, the stream's hub. */
  onRtp(handler: (kind: MediaKind, packet: RtpPacket) => void): void {
    this.#onRtp = handler;
  }

  /** Calls `handler` once the peer connection is gone (failed, closed or silent). */
  onGone(handler: () => void): void {
    onPeerGone(this.pc, handler);
  }

  /** Resolves with the video codec once the first video packet has told it. */
  codecKnown(): Promise<RTCRtpCodecParameters> {
    if (this.videoCodec) return Promise.resolve(this.videoCodec);
    return new Promise((resolve) => this.#onCodec.push(() => resolve(this.videoCodec!)));
  }

  /** Asks the sender for a keyframe (RTCP PLI). */
  requestKeyframe(): void {
    if (this.#videoSsrc === undefined || this.#closed) return;
    const video = this.pc.getTransceivers().find((t) => t.kind === "video");
    video?.receiver.sendRtcpPLI(this.#videoSsrc).catch(() => {});
  }

  /** Closes the peer connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pc.close().catch(() => {});
  }

  #receive(track: MediaStreamTrack): void {
    const kind = track.kind as MediaKind;
    track.onReceiveRtp.subscribe((packet) => {
      this.lastPacketAt = Date.now();
      if (kind === "video" && !this.videoCodec) this.#learnCodec(packet);
      if (kind === "video") this.#videoSsrc = packet.header.ssrc;
      // The sender's own extensions are the ones viewers get (they are per
      // connection, the MID among them); incoming ones would override them.
      packet.header.extensions = [];
      this.#onRtp(kind, packet);
    });
  }

  #learnCodec(packet: RtpPacket): void {
    const video = this.pc.getTransceivers().find((t) => t.kind === "video");
    const codec = video?.codecs.find((c) => c.payloadType === packet.header.payloadType);
    if (!codec || !videoCodecName(codec.mimeType)) return;
    this.videoCodec = codec;
    for (const resolve of this.#onCodec.splice(0)) resolve();
  }
}
