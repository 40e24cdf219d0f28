/**
 * A pull's leg on a media worker: the peer connection this relay receives a
 * stream on from another relay, which it does not carry itself (WHEP, this
 * side the client). It offers to receive video in every codec the relay
 * forwards and Opus, with a `sutantra-pay` channel for the pull's backing;
 * once the carrier's answer is set it is the stream's source here, as a
 * publisher would be: the answer's codecs, `RtcpReceivingSession` on its
 * tracks (receiver reports, PLI), and only those payload types handed on.
 *
 * The offer carries no ICE candidates. libdatachannel's offering side
 * checks the DTLS fingerprint against the answer, which `setRemoteDescription`
 * stores only after handing the answer's ICE credentials to the agent. A
 * carrier given this side's candidates reaches it before the answer (its
 * checks are answered, its DTLS hello sent and lost), and the agent, given
 * the credentials, at once checks back the addresses those checks came
 * from. When the worker's thread is descheduled in that gap, the handshake
 * completes into it and fails ("DTLS alert: unknown CA"); otherwise it
 * may wait a second for the carrier to resend its hello. Pinned to one
 * core, 6 of 170 such pulls failed, and in two runs of three the median
 * pull took 970 ms from the answer to media. Without candidates the carrier
 * has nowhere to send until this side's first check, which the agent sends
 * only once it has the answer's candidates, added after the answer is
 * stored: 0 of 170 failed, each run's median 255 ms.
 * The candidates are handed back on {@link PullLeg.accept}, for the node to
 * trickle to the carrier (a carrier behind NAT may need this side's
 * addresses to open its own).
 *
 * @module
 */
import type { PeerConnection, Track } from "node-datachannel";
import { PAY_CHANNEL_LABEL } from "../../../client/relay/pay_messages.ts";
import { addOpusCodec, addVideoCodec, gatherLocal } from "./_negotiate.ts";
import { PayChannel } from "./_pay_channel.ts";
import { watchPeerState } from "./_peer_state.ts";
import type { MediaKind, PacketHandler } from "./_publisher.ts";
import type { Rtc, RtcOptions } from "./_rtc.ts";
import { isRtcp, payloadType } from "./rtp.ts";
import type { TrickledCandidate } from "./protocol.ts";
import {
  chooseAnsweredVideo,
  chooseOpus,
  type ChosenCodec,
  parseOffer,
  splitCandidates,
  type VideoCodec,
} from "./sdp.ts";

/** A pull whose media stops this long after it began flowing has lost its upstream. */
export const PULL_SILENT_MS = 2_000;

/** How often a flowing pull is checked for silence. */
const SILENCE_CHECK_MS = 250;

const VIDEO_MID = "0";
const AUDIO_MID = "1";

/**
 * The video a pull offers to receive: VP8, then H.264 in packetization mode
 * 1 in the profiles browsers publish (the relay forwards any of them; a
 * carrier answers in the one its source sends).
 */
const OFFERED_VIDEO: ChosenCodec<VideoCodec>[] = [
  { payloadType: 96, name: "vp8", clockRate: 90_000, fmtp: "" },
  ...["42e01f", "42001f", "4d001f", "64001f"].map((profile, i) => ({
    payloadType: 97 + i,
    name: "h264" as const,
    clockRate: 90_000,
    fmtp: `level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=${profile}`,
  })),
];
const OFFERED_OPUS: ChosenCodec = {
  payloadType: 111,
  name: "opus",
  clockRate: 48_000,
  fmtp: "minptime=10;useinbandfec=1",
};

/** Receives one stream from another relay. */
export class PullLeg {
  readonly pc: PeerConnection;
  /** The answer's codecs, once accepted. */
  video?: ChosenCodec<VideoCodec>;
  audio?: ChosenCodec;
  /** RTP packets and bytes of the answered payload types received. */
  packets = 0;
  videoPackets = 0;
  bytes = 0;
  readonly #pay = new PayChannel();
  /** This side's candidates, kept out of the offer until the answer is set. */
  #candidates: TrickledCandidate[] = [];
  readonly #video: Track;
  /** Every track, held: node-datachannel closes a track whose JavaScript object is collected. */
  readonly #tracks: Track[];
  #onPacket: PacketHandler = () => {};
  #onFlowing: () => void = () => {};
  #onGone: (reason: string) => void = () => {};
  #gone = false;
  #iceConnected = false;
  #connected = false;
  #lastPacketAt = -Infinity;
  #silence?: ReturnType<typeof setInterval>;
  /** RTCP sent on a track that is not open throws in a native thread and aborts the process. */
  #videoOpen = false;
  #closed = false;

  private constructor(pc: PeerConnection, video: Track, audio: Track) {
    this.pc = pc;
    this.#video = video;
    this.#tracks = [video, audio];
    video.onOpen(() => this.#videoOpen = true);
    this.#receive(video, "video");
    this.#receive(audio, "audio");
    pc.onIceStateChange((state) => {
      if (state === "connected" || state === "completed") this.#iceConnected = true;
    });
    watchPeerState(pc, {
      onConnected: () => this.#connected = true,
      onGone: (reason) =>
        this.#end(
          this.#iceConnected && !this.#connected
            ? `${reason}: the DTLS handshake failed (the carrier's certificate is not its answer's)`
            : reason,
        ),
    });
  }

  /** A pull's offer: receive video and audio, and a `sutantra-pay` channel. */
  static async offering(rtc: Rtc, options: RtcOptions): Promise<{ leg: PullLeg; offer: string }> {
    const pc = new rtc.PeerConnection("pull", {
      iceServers: options.iceServers,
      bindAddress: options.bindAddress,
      disableAutoNegotiation: true,
    });
    try {
      const v = new rtc.Video(VIDEO_MID, "RecvOnly");
      for (const codec of OFFERED_VIDEO) addVideoCodec(v, codec);
      const video = pc.addTrack(v);
      video.setMediaHandler(new rtc.RtcpReceivingSession());
      const a = new rtc.Audio(AUDIO_MID, "RecvOnly");
      addOpusCodec(a, OFFERED_OPUS);
      const audio = pc.addTrack(a);
      audio.setMediaHandler(new rtc.RtcpReceivingSession());
      const leg = new PullLeg(pc, video, audio);
      leg.#pay.take(pc.createDataChannel(PAY_CHANNEL_LABEL));
      const { sdp, candidates } = splitCandidates(await gatherLocal(pc, "offer"));
      leg.#candidates = candidates;
      return { leg, offer: sdp };
    } catch (e) {
      pc.close();
      throw e;
    }
  }

  /**
   * Sets the carrier's answer: the leg takes the codecs it chose. Returns
   * this side's candidates, to trickle to the carrier now.
   *
   * @throws {TypeError} when the answer sends no video in a codec the relay
   * forwards, or libdatachannel refuses it
   */
  accept(answer: string): TrickledCandidate[] {
    const media = parseOffer(answer, "answer");
    const sending = (m: { direction: string }) =>
      m.direction === "sendonly" || m.direction === "sendrecv";
    const videoMedia = media.find((m) => m.mid === VIDEO_MID && sending(m));
    const video = videoMedia && chooseAnsweredVideo(videoMedia);
    if (!video) throw new TypeError("the answer sends no VP8 or H.264 video");
    const audioMedia = media.find((m) => m.mid === AUDIO_MID && sending(m));
    this.pc.setRemoteDescription(answer, "answer");
    this.video = video;
    this.audio = audioMedia && chooseOpus(audioMedia);
    return this.#candidates;
  }

  /** Sets where packets go: one handler, the stream's fan-out. */
  onPacket(handler: PacketHandler): void {
    this.#onPacket = handler;
  }

  /** Calls `handler` once, when the first video packet arrived: media flows. */
  onFlowing(handler: () => void): void {
    this.#onFlowing = handler;
  }

  /**
   * Calls `onGone` once the pull is gone, with why: its connection failed or
   * closed, or its media stopped for {@link PULL_SILENT_MS}.
   */
  onGone(onGone: (reason: string) => void): void {
    this.#onGone = onGone;
  }

  /** Calls `handler` with each text message of the carrier on the `sutantra-pay` channel. */
  onPay(handler: (text: string) => void): void {
    this.#pay.onMessage(handler);
  }

  /** Sends `text` to the carrier on the pay channel, or once it opens. */
  sendPay(text: string): void {
    this.#pay.send(text);
  }

  /** Asks the carrier for a keyframe (a PLI from the receiving session). */
  requestKeyframe(): void {
    if (this.#closed || !this.#videoOpen) return;
    this.#video.requestKeyframe();
  }

  /** Closes the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#videoOpen = false;
    clearInterval(this.#silence);
    this.pc.close();
  }

  #receive(track: Track, kind: MediaKind): void {
    track.onMessage((packet) => {
      const codec = kind === "video" ? this.video : this.audio;
      if (!codec || isRtcp(packet) || payloadType(packet) !== codec.payloadType) return;
      this.#lastPacketAt = performance.now();
      this.packets++;
      this.bytes += packet.length;
      if (kind === "video" && this.videoPackets++ === 0) this.#flowing();
      this.#onPacket(kind, packet);
    });
  }

  #flowing(): void {
    this.#silence = setInterval(() => {
      if (performance.now() - this.#lastPacketAt > PULL_SILENT_MS) {
        this.#end("the upstream went silent");
      }
    }, SILENCE_CHECK_MS);
    this.#onFlowing();
  }

  #end(reason: string): void {
    if (this.#gone) return;
    this.#gone = true;
    clearInterval(this.#silence);
    this.#onGone(reason);
  }
}
