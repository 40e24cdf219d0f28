/**
 * A publisher's leg on a media worker (WHIP ingest): the peer connection
 * the relay receives one stream's media on. Its video track runs
 * libdatachannel's `RtcpReceivingSession`, which sends receiver reports,
 * keyframe requests (PLI) and the REMB that drives the publisher's bitrate;
 * only packets of the negotiated media payload types are handed on (a
 * browser's RTX and padding probes travel on payload types of their own).
 *
 * @module
 */
import type { PeerConnection, Track } from "node-datachannel";
import { addOpusCodec, addVideoCodec, answerOffer } from "./_negotiate.ts";
import { watchPeerState } from "./_peer_state.ts";
import type { Rtc, RtcOptions } from "./_rtc.ts";
import { isRtcp, payloadType } from "./rtp.ts";
import {
  chooseOpus,
  chooseSourceVideo,
  type ChosenCodec,
  parseOffer,
  type VideoCodec,
} from "./sdp.ts";

/** The media kind of a packet. */
export type MediaKind = "video" | "audio";

/** What a publisher's tracks deliver. */
export type PacketHandler = (kind: MediaKind, packet: Uint8Array) => void;

/** Receives one stream from its publisher. */
export class PublisherLeg {
  readonly pc: PeerConnection;
  readonly video: ChosenCodec<VideoCodec>;
  readonly audio?: ChosenCodec;
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

  private constructor(
    pc: PeerConnection,
    tracks: { video: Track; audio?: Track; inactive: Track[] },
    codecs: { video: ChosenCodec<VideoCodec>; audio?: ChosenCodec },
    bitrate: number,
  ) {
    this.pc = pc;
    this.video = codecs.video;
    this.audio = codecs.audio;
    this.#videoTrack = tracks.video;
    this.#tracks = [tracks.video, ...(tracks.audio ? [tracks.audio] : []), ...tracks.inactive];
    this.#bitrate = bitrate;
    this.#receive(tracks.video, "video", codecs.video.payloadType);
    if (tracks.audio && codecs.audio) {
      this.#receive(tracks.audio, "audio", codecs.audio.payloadType);
    }
    tracks.video.onOpen(() => {
      this.#videoOpen = true;
      tracks.video.requestBitrate(bitrate);
    });
  }

  /**
   * Answers a publisher's `offer`, asking it by REMB for `bitrate` bit/s.
   *
   * @throws {TypeError} when the offer sends no video in a codec the relay forwards
   */
  static async answering(
    rtc: Rtc,
    options: RtcOptions,
    offer: string,
    bitrate: number,
  ): Promise<{ publisher: PublisherLeg; answer: string }> {
    const media = parseOffer(offer);
    const videoMedia = media.find((m) => m.kind === "video" && m.direction !== "recvonly");
    const video = videoMedia && chooseSourceVideo(videoMedia);
    if (!videoMedia || !video) throw new TypeError("the offer sends no VP8 or H.264 video");
    const audioMedia = media.find((m) => m.kind === "audio" && m.direction !== "recvonly");
    const audio = audioMedia && chooseOpus(audioMedia);
    const { pc, answer, tracks, inactive } = await answerOffer(rtc, options, offer, media, (pc) => {
      const v = new rtc.Video(videoMedia.mid, "RecvOnly");
      addVideoCodec(v, video);
      const videoTrack = pc.addTrack(v);
      videoTrack.setMediaHandler(new rtc.RtcpReceivingSession());
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
      publisher: new PublisherLeg(pc, { ...tracks, inactive }, { video, audio }, bitrate),
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

  /** Asks the publisher for a keyframe (a PLI from the receiving session). */
  requestKeyframe(): void {
    // Not open yet: the viewers' repeated requests follow.
    if (this.#closed || !this.#videoOpen) return;
    this.#videoTrack.requestKeyframe();
  }

  /** Closes the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#videoOpen = false;
    this.pc.close();
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
