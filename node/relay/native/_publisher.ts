/**
 * A publisher's leg on a media worker (WHIP ingest): the peer connection
 * the relay receives one stream's media on. Its video track runs
 * libdatachannel's `RtcpReceivingSession`, which sends receiver reports,
 * keyframe requests (PLI) and the REMB that drives the publisher's bitrate;
 * only packets of the negotiated media payload types are handed on (a
 * browser's RTX and padding probes travel on payload types of their own).
 * A simulcast publisher's video track has no handler: a
 * {@link SimulcastReceiver} tells its layers apart and sends its RTCP, and
 * each packet is handed on with its layer's RID.
 *
 * @module
 */
import type { PeerConnection, Track } from "node-datachannel";
import { addOpusCodec, addSimulcastReceive, addVideoCodec, answerOffer } from "./_negotiate.ts";
import { watchPeerState } from "./_peer_state.ts";
import type { Rtc, RtcOptions } from "./_rtc.ts";
import { SimulcastReceiver } from "./_simulcast.ts";
import { isRtcp, payloadType } from "./rtp.ts";
import {
  chooseOpus,
  chooseSimulcast,
  chooseSourceVideo,
  type ChosenCodec,
  parseOffer,
  type SimulcastOffer,
  type VideoCodec,
} from "./sdp.ts";

/** The media kind of a packet. */
export type MediaKind = "video" | "audio";

/** What a publisher's tracks deliver: a simulcast publisher's video with its layer's RID. */
export type PacketHandler = (kind: MediaKind, packet: Uint8Array, layer?: string) => void;

/** The bitrate asked of a publisher by REMB when the request names none, bit/s. */
export const DEFAULT_PUBLISH_BITRATE = 2_500_000;

/**
 * The bitrate asked of a simulcast publisher, all layers together, when the
 * request names none, bit/s: Chrome's three VP8 layers of 720p reach
 * 0.2 + 0.7 + 2.5 Mbit/s at most.
 */
export const DEFAULT_SIMULCAST_BITRATE = 3_500_000;

/** How often a simulcast publisher is sent receiver reports and REMB, milliseconds. */
const SIMULCAST_RTCP_MS = 1_000;

/** Receives one stream from its publisher. */
export class PublisherLeg {
  readonly pc: PeerConnection;
  readonly video: ChosenCodec<VideoCodec>;
  readonly audio?: ChosenCodec;
  /** A simulcast publisher's layers. */
  readonly simulcast?: SimulcastReceiver;
  /** RTP packets and bytes of the media payload types received. */
  packets = 0;
  videoPackets = 0;
  bytes = 0;
  readonly #videoTrack: Track;
  /** Every track, held: node-datachannel closes a track whose JavaScript object is collected. */
  readonly #tracks: Track[];
  readonly #bitrate: number;
  #onPacket: PacketHandler = () => {};
  #closed = false;
  #bitrateAsked = false;
  /** RTCP sent on a track that is not open throws in a native thread and aborts the process. */
  #videoOpen = false;
  #simulcastRtcp?: ReturnType<typeof setInterval>;

  private constructor(
    pc: PeerConnection,
    tracks: { video: Track; audio?: Track; inactive: Track[] },
    codecs: { video: ChosenCodec<VideoCodec>; audio?: ChosenCodec; simulcast?: SimulcastOffer },
    bitrate: number,
  ) {
    this.pc = pc;
    this.video = codecs.video;
    this.audio = codecs.audio;
    this.#videoTrack = tracks.video;
    this.#tracks = [tracks.video, ...(tracks.audio ? [tracks.audio] : []), ...tracks.inactive];
    this.#bitrate = bitrate;
    if (codecs.simulcast) {
      const options = { bitrate, clockRate: codecs.video.clockRate };
      this.simulcast = new SimulcastReceiver(
        codecs.simulcast,
        options,
        (rtcp) => this.#sendRtcp(rtcp),
      );
      this.#receiveSimulcast(tracks.video, this.simulcast);
    } else this.#receive(tracks.video, "video", codecs.video.payloadType);
    if (tracks.audio && codecs.audio) {
      this.#receive(tracks.audio, "audio", codecs.audio.payloadType);
    }
    tracks.video.onOpen(() => {
      this.#videoOpen = true;
      if (!this.simulcast) tracks.video.requestBitrate(bitrate);
    });
  }

  /**
   * Answers a publisher's `offer`, asking it by REMB for `bitrate` bit/s
   * (by default {@link DEFAULT_PUBLISH_BITRATE}, or for a simulcast
   * {@link DEFAULT_SIMULCAST_BITRATE}).
   *
   * @throws {TypeError} when the offer sends no video in a codec the relay
   * forwards, or simulcast it cannot receive ({@link chooseSimulcast})
   */
  static async answering(
    rtc: Rtc,
    options: RtcOptions,
    offer: string,
    bitrate?: number,
  ): Promise<{ publisher: PublisherLeg; answer: string }> {
    const media = parseOffer(offer);
    const videoMedia = media.find((m) => m.kind === "video" && m.direction !== "recvonly");
    const video = videoMedia && chooseSourceVideo(videoMedia);
    if (!videoMedia || !video) throw new TypeError("the offer sends no VP8 or H.264 video");
    const simulcast = chooseSimulcast(videoMedia, media);
    const audioMedia = media.find((m) => m.kind === "audio" && m.direction !== "recvonly");
    const audio = audioMedia && chooseOpus(audioMedia);
    const { pc, answer, tracks, inactive } = await answerOffer(rtc, options, offer, media, (pc) => {
      const v = new rtc.Video(videoMedia.mid, "RecvOnly");
      addVideoCodec(v, video);
      if (simulcast) addSimulcastReceive(v, simulcast);
      const videoTrack = pc.addTrack(v);
      if (!simulcast) videoTrack.setMediaHandler(new rtc.RtcpReceivingSession());
      let audioTrack: Track | undefined;
      if (audioMedia && audio) {
        const a = new rtc.Audio(audioMedia.mid, "RecvOnly");
        addOpusCodec(a, audio);
        audioTrack = pc.addTrack(a);
        audioTrack.setMediaHandler(new rtc.RtcpReceivingSession());
      }
      return { video: videoTrack, audio: audioTrack };
    });
    return {
      publisher: new PublisherLeg(
        pc,
        { ...tracks, inactive },
        { video, audio, simulcast },
        bitrate ?? (simulcast ? DEFAULT_SIMULCAST_BITRATE : DEFAULT_PUBLISH_BITRATE),
      ),
      answer,
    };
  }

  /** Sets where packets go: one handler, the stream's fan-out. */
  onPacket(handler: PacketHandler): void {
    this.#onPacket = handler;
  }

  /** Calls `onGone` once the connection is gone, with why. */
  onGone(onGone: (reason: string) => void): void {
    watchPeerState(this.pc, { onGone });
  }

  /**
   * Asks the publisher for a keyframe (a PLI from the receiving session), of
   * simulcast layer `layer` only if it names one.
   */
  requestKeyframe(layer?: string): void {
    // Not open yet: the viewers' repeated requests follow.
    if (this.#closed || !this.#videoOpen) return;
    if (this.simulcast) this.simulcast.requestKeyframe(layer || undefined);
    else this.#videoTrack.requestKeyframe();
  }

  /** A simulcast publisher's RIDs, as offered. */
  get rids(): readonly string[] | undefined {
    return this.simulcast?.rids;
  }

  /** A simulcast publisher's layers flowing now, lowest resolution first; undefined without simulcast. */
  layers(): string[] | undefined {
    return this.simulcast?.flowing(performance.now());
  }

  /** Closes the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#videoOpen = false;
    clearInterval(this.#simulcastRtcp);
    this.pc.close();
  }

  /**
   * Sends RTCP the worker built on the video track, which has no handler
   * (libdatachannel refuses raw RTCP on a track with one); never before the
   * track is open, which would abort the process.
   */
  #sendRtcp(rtcp: Uint8Array): void {
    if (this.#closed || !this.#videoOpen || !this.#videoTrack.isOpen()) return;
    try {
      // deno-lint-ignore no-explicit-any -- node-datachannel types it Buffer; it takes any Uint8Array
      this.#videoTrack.sendMessageBinary(rtcp as any);
    } catch {
      // Closed under us: the state callback ends the session.
    }
  }

  #receiveSimulcast(track: Track, simulcast: SimulcastReceiver): void {
    const mediaType = this.video.payloadType;
    const vp8 = this.video.name === "vp8";
    this.#simulcastRtcp = setInterval(() => simulcast.report(performance.now()), SIMULCAST_RTCP_MS);
    track.onMessage((packet) => {
      const now = performance.now();
      if (isRtcp(packet)) return simulcast.rtcp(packet, now);
      if (payloadType(packet) !== mediaType) return;
      const layer = simulcast.receive(packet, now, vp8);
      if (layer === undefined) return;
      this.packets++;
      this.videoPackets++;
      this.bytes += packet.length;
      this.#onPacket("video", packet, layer);
    });
  }

  #receive(track: Track, kind: MediaKind, mediaType: number): void {
    track.onMessage((packet) => {
      if (isRtcp(packet) || payloadType(packet) !== mediaType) return;
      this.packets++;
      if (kind === "video") this.videoPackets++;
      this.bytes += packet.length;
      if (kind === "video" && !this.#bitrateAsked && this.#videoOpen) {
        // The receiving session learns the publisher's SSRC from its first packet;
        // REMB asked for before named none. SRs repeat it from now on.
        this.#bitrateAsked = true;
        track.requestBitrate(this.#bitrate);
      }
      this.#onPacket(kind, packet);
    });
  }
}
