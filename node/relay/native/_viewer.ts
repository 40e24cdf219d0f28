/**
 * A viewer's leg on a media worker (WHEP egress): the peer connection one
 * stream's media is sent to, with the `sutantra-pay` data channel beside
 * it. Each sending track runs libdatachannel's `RtcpSrReporter` (sender
 * reports) and `RtcpNackResponder` (retransmits what the viewer NACKs, in
 * C++); the viewer's PLI, FIR and receiver reports come up to JavaScript.
 * Of a simulcast stream it gets one layer, which its {@link LayerChoice}
 * picks from its receiver reports or its pin, and the stream's fan-out
 * switches it to at that layer's keyframes.
 *
 * @module
 */
import type { PeerConnection, Track } from "node-datachannel";
import { PAY_CHANNEL_LABEL } from "../../../client/relay/pay_messages.ts";
import { addOpusCodec, addVideoCodec, answerOffer } from "./_negotiate.ts";
import { PayChannel } from "./_pay_channel.ts";
import { watchPeerState } from "./_peer_state.ts";
import type { MediaKind } from "./_publisher.ts";
import type { Rtc, RtcOptions } from "./_rtc.ts";
import { LayerChoice } from "./layer_choice.ts";
import { isRtcp, readFeedback } from "./rtp.ts";
import {
  chooseOpus,
  chooseViewerVideo,
  type ChosenCodec,
  parseOffer,
  type VideoCodec,
} from "./sdp.ts";

/** The SSRCs and CNAME a worker sends one stream with (the same to every viewer). */
export interface OutgoingIds {
  videoSsrc: number;
  audioSsrc: number;
  cname: string;
}

/** Sends one stream's media to one viewer. */
export class ViewerLeg {
  readonly pc: PeerConnection;
  /** The payload types this viewer negotiated (the source's are rewritten to them). */
  readonly videoType: number;
  readonly audioType: number | undefined;
  /** Whether the viewer waits for a keyframe before it gets video. */
  waiting = true;
  /** Which simulcast layer it is to get. */
  readonly choice = new LayerChoice();
  /** The layer it is being switched to, at that layer's next keyframe. */
  pending?: string;
  packets = 0;
  videoPackets = 0;
  bytes = 0;
  /** Video packets the viewer reports lost (cumulative). */
  lost = 0;
  /** The viewer's video jitter, RTP timestamp units. */
  jitter = 0;
  readonly #video: Track;
  readonly #audio?: Track;
  /** The inactive m-lines' tracks, held: node-datachannel closes a track whose object is collected. */
  readonly #inactive: Track[];
  readonly #videoSsrc: number;
  #videoOpen = false;
  #audioOpen = false;
  /** When RTCP last came from the viewer (`performance.now()`), or its video began. */
  #heardAt = Infinity;
  #started = false;
  #closed = false;
  #layer?: string;
  readonly #pay = new PayChannel();
  #onStart: () => void = () => {};
  #onKeyframeRequest: () => void = () => {};
  #onReport: () => void = () => {};
  #onLayer: (layer: string) => void = () => {};

  private constructor(
    pc: PeerConnection,
    tracks: { video: Track; audio?: Track; inactive: Track[] },
    types: { video: number; audio?: number },
    ids: OutgoingIds,
  ) {
    this.pc = pc;
    this.#video = tracks.video;
    this.#audio = tracks.audio;
    this.#inactive = tracks.inactive;
    this.videoType = types.video;
    this.audioType = types.audio;
    this.#videoSsrc = ids.videoSsrc;
    tracks.video.onOpen(() => {
      this.#videoOpen = true;
      this.#onKeyframeRequest();
    });
    tracks.audio?.onOpen(() => this.#audioOpen = true);
    tracks.video.onMessage((packet) => this.#onRtcp(packet));
    pc.onDataChannel((channel) => {
      if (channel.getLabel() === PAY_CHANNEL_LABEL) this.#pay.take(channel);
    });
  }

  /**
   * Answers a viewer's `offer` with video in the source's `codec`, audio in
   * Opus if both sides have it, sent with `ids`.
   *
   * @throws {TypeError} when the offer does not accept the source's video codec
   */
  static async answering(
    rtc: Rtc,
    options: RtcOptions,
    offer: string,
    source: { video: ChosenCodec<VideoCodec>; audio?: ChosenCodec },
    ids: OutgoingIds,
  ): Promise<{ viewer: ViewerLeg; answer: string }> {
    const media = parseOffer(offer);
    const videoMedia = media.find((m) => m.kind === "video" && m.direction !== "sendonly");
    const video = videoMedia && chooseViewerVideo(videoMedia, source.video);
    if (!videoMedia || !video) {
      throw new TypeError(`the offer does not accept ${source.video.name} video`);
    }
    const audioMedia = media.find((m) => m.kind === "audio" && m.direction !== "sendonly");
    const audio = audioMedia && source.audio && chooseOpus(audioMedia);
    const { pc, answer, tracks, inactive } = await answerOffer(rtc, options, offer, media, (pc) => {
      const v = new rtc.Video(videoMedia.mid, "SendOnly");
      addVideoCodec(v, video);
      v.addSSRC(ids.videoSsrc, ids.cname, ids.cname, "video");
      const videoTrack = pc.addTrack(v);
      videoTrack.setMediaHandler(senderHandlers(rtc, ids.videoSsrc, ids.cname, video));
      let audioTrack: Track | undefined;
      if (audioMedia && audio) {
        const a = new rtc.Audio(audioMedia.mid, "SendOnly");
        addOpusCodec(a, audio);
        a.addSSRC(ids.audioSsrc, ids.cname, ids.cname, "audio");
        audioTrack = pc.addTrack(a);
        audioTrack.setMediaHandler(senderHandlers(rtc, ids.audioSsrc, ids.cname, audio));
      }
      return { video: videoTrack, audio: audioTrack };
    });
    const types = { video: video.payloadType, audio: audio?.payloadType };
    return { viewer: new ViewerLeg(pc, { ...tracks, inactive }, types, ids), answer };
  }

  /** Calls `handler` once, when the first keyframe went out: media reaches the viewer. */
  onStart(handler: () => void): void {
    this.#onStart = handler;
  }

  /** Calls `handler` on the viewer's PLI or FIR, and when its video track opens. */
  onKeyframeRequest(handler: () => void): void {
    this.#onKeyframeRequest = handler;
  }

  /** Calls `handler` after each receiver report about its video (its layer choice took it). */
  onReport(handler: () => void): void {
    this.#onReport = handler;
  }

  /** Calls `handler` with each simulcast layer it is moved to. */
  onLayer(handler: (layer: string) => void): void {
    this.#onLayer = handler;
  }

  /** Whether it has been sent video (a keyframe first): its numbering has begun. */
  get started(): boolean {
    return this.#started;
  }

  /** The layer it gets (`""` without simulcast), once placed on one. */
  get layer(): string | undefined {
    return this.#layer;
  }

  /** Places it on `layer` (the stream's lanes do), telling `onLayer` of a simulcast layer. */
  setLayer(layer: string): void {
    if (layer === this.#layer) return;
    this.#layer = layer;
    if (layer) this.#onLayer(layer);
  }

  /** Calls `handler` with each text message of the viewer's `sutantra-pay` channel. */
  onPay(handler: (text: string) => void): void {
    this.#pay.onMessage(handler);
  }

  /** Calls `onGone` once the connection is gone, with why. */
  onGone(onGone: (reason: string) => void): void {
    watchPeerState(this.pc, { onGone });
  }

  /** Sends `text` on the pay channel, or once it opens. */
  sendPay(text: string): void {
    this.#pay.send(text);
  }

  /**
   * Sends a packet of the source on (its payload type already the
   * viewer's); video waits for a keyframe to begin, audio for video.
   * Returns whether it was sent.
   */
  forward(kind: MediaKind, packet: Uint8Array, keyframe: boolean): boolean {
    let track: Track | undefined;
    if (kind === "video") {
      if (!this.#videoOpen) return false;
      if (this.waiting) {
        if (!keyframe) return false;
        this.waiting = false;
        if (!this.#started) {
          this.#started = true;
          this.#heardAt = performance.now();
          this.#onStart();
        }
      }
      track = this.#video;
    } else {
      if (!this.#started || !this.#audioOpen) return false;
      track = this.#audio;
    }
    try {
      // deno-lint-ignore no-explicit-any -- node-datachannel types it Buffer; it takes any Uint8Array
      if (!track!.sendMessageBinary(packet as any)) return false;
    } catch {
      return false; // closed under us: the state callback ends the session
    }
    this.packets++;
    if (kind === "video") this.videoPackets++;
    this.bytes += packet.length;
    return true;
  }

  /**
   * Milliseconds since the viewer last sent RTCP (0 before its video began).
   * A WebRTC receiver reports every second or so while media reaches it;
   * one silent for long has gone without closing, which ICE consent would
   * notice only after 30 s.
   */
  silentFor(): number {
    return Math.max(0, performance.now() - this.#heardAt);
  }

  /** Closes the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#videoOpen = this.#audioOpen = false;
    this.pc.close();
  }

  #onRtcp(packet: Uint8Array): void {
    if (!isRtcp(packet)) return;
    this.#heardAt = performance.now();
    const feedback = readFeedback(packet);
    if (feedback.keyframe) this.#onKeyframeRequest();
    for (const report of feedback.reports) {
      if (report.ssrc !== this.#videoSsrc) continue;
      this.lost = Math.max(0, report.lost);
      this.jitter = report.jitter;
      this.choice.report(report.lost, report.highestSeq, this.#heardAt);
      this.#onReport();
    }
  }
}

/** SR reporting and NACK responding for one sending track. */
function senderHandlers(rtc: Rtc, ssrc: number, cname: string, codec: ChosenCodec) {
  const config = new rtc.RtpPacketizationConfig(ssrc, cname, codec.payloadType, codec.clockRate);
  const reporter = new rtc.RtcpSrReporter(config);
  reporter.addToChain(new rtc.RtcpNackResponder());
  return reporter;
}
