/**
 * A synthetic publisher for tests and benchmarks: VP8-shaped video at a set
 * bitrate and Opus-shaped audio, sent from werift, either on a peer
 * connection the caller owns ({@link SyntheticSource}) or to a relay's WHIP
 * endpoint ({@link SyntheticPublisher}).
 *
 * Packets are paced evenly over each frame interval: werift loses packets
 * when more than ~64 are in flight, so a frame is never sent as one burst.
 * Each frame's last packet has the RTP marker bit (RFC 7741 §4.1); a PLI or
 * FIR from the receiver makes the next frame a keyframe.
 *
 * @module
 */
import {
  MediaStreamTrack,
  type RTCPeerConnection,
  type RtcpPacket,
  type RTCRtpSender,
  RtpHeader,
  RtpPacket,
} from "werift";
import { Buffer } from "node:buffer";
import { createPeerConnection } from "../media/peer.ts";
import { peerConfig } from "../rtc_config.ts";
import { endSession, exchangeSdp } from "../../../client/relay/whep_client.ts";
import { synthesizeFrame, wallClockMs } from "./vp8.ts";

/** The media a synthetic source sends. */
export interface SyntheticMediaOptions {
  /** Video bitrate, bit/s (default 2.5 Mbit/s). */
  bitrate?: number;
  /** Frames per second (default 30). */
  fps?: number;
  /** Target RTP payload bytes per video packet (default 1100). */
  packetBytes?: number;
  /** Seconds between unrequested keyframes; 0 sends them only on PLI/FIR (default 2). */
  keyframeInterval?: number;
}

/** What a synthetic source has sent so far. */
export interface SyntheticStats {
  videoPackets: number;
  audioPackets: number;
  frames: number;
  keyframes: number;
  /** Video RTP payload bytes. */
  videoBytes: number;
  /** PLI and FIR messages received. */
  keyframeRequests: number;
}

const VIDEO_CLOCK = 90_000;
const AUDIO_PACKET_MS = 20;
const AUDIO_TIMESTAMP_STEP = 960; // 20 ms at Opus's 48 kHz clock
const AUDIO_PAYLOAD_BYTES = 160; // ~64 kbit/s
/** A CELT-only fullband 20 ms mono frame's TOC byte (RFC 6716 §3.1). */
const OPUS_TOC = 0xf8;
/** RTCP payload-specific feedback (RFC 4585 §6.3): PLI is FMT 1, FIR is FMT 4 (RFC 5104). */
const PSFB = 206;
const PLI_FMT = 1;
const FIR_FMT = 4;
/** Beyond this lag the schedule jumps to now instead of bursting to catch up. */
const MAX_LAG_MS = 100;

/** Sends synthetic video and audio on a peer connection once it connects. */
export class SyntheticSource {
  readonly #video: RTCRtpSender;
  readonly #audio: RTCRtpSender;
  readonly #fps: number;
  readonly #packets: number;
  readonly #packetBytes: number;
  readonly #keyframeEvery: number;
  #stats: SyntheticStats = {
    videoPackets: 0,
    audioPackets: 0,
    frames: 0,
    keyframes: 0,
    videoBytes: 0,
    keyframeRequests: 0,
  };
  #keyframeWanted = true;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** Adds sendonly video and audio transceivers to `pc`; media flows once `pc` connects. */
  constructor(pc: RTCPeerConnection, options: SyntheticMediaOptions = {}) {
    const bitrate = options.bitrate ?? 2_500_000;
    this.#fps = options.fps ?? 30;
    const frameBytes = bitrate / 8 / this.#fps;
    this.#packets = Math.max(1, Math.round(frameBytes / (options.packetBytes ?? 1100)));
    this.#packetBytes = Math.max(32, Math.round(frameBytes / this.#packets));
    this.#keyframeEvery = Math.round((options.keyframeInterval ?? 2) * this.#fps);
    this.#video = pc.addTransceiver(new MediaStreamTrack({ kind: "video" }), {
      direction: "sendonly",
    }).sender;
    this.#audio = pc.addTransceiver(new MediaStreamTrack({ kind: "audio" }), {
      direction: "sendonly",
    }).sender;
    this.#video.onRtcp.subscribe((packet) => this.#onRtcp(packet));
    pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") this.#begin();
      if (state === "closed" || state === "failed") this.stop();
    });
  }

  /** Counts so far. */
  stats(): SyntheticStats {
    return { ...this.#stats };
  }

  /** Makes the next frame a keyframe, as a PLI does. */
  requestKeyframe(): void {
    this.#keyframeWanted = true;
  }

  /** Stops sending (the peer connection stays open). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #onRtcp(packet: RtcpPacket): void {
    if (packet.type !== PSFB) return;
    const fmt = packet.feedback.count;
    if (fmt === PLI_FMT || fmt === FIR_FMT) {
      this.#stats.keyframeRequests++;
      this.#keyframeWanted = true;
    }
  }

  #begin(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    const frameMs = 1000 / this.#fps;
    const packetMs = frameMs / this.#packets;
    let videoSeq = randomU16();
    let audioSeq = randomU16();
    let videoTs = randomU32();
    let audioTs = randomU32();
    let pictureId = randomU16() & 0x7fff;
    let frame: Uint8Array[] = [];
    let nextPacket = 0;
    let videoDue = performance.now();
    let audioDue = videoDue;

    const tick = () => {
      if (this.#stopped) return;
      const now = performance.now();
      if (now - videoDue > MAX_LAG_MS) videoDue = now;
      if (now - audioDue > MAX_LAG_MS) audioDue = now;
      while (videoDue <= now) {
        if (nextPacket === 0) {
          const keyframe = this.#keyframeWanted ||
            (this.#keyframeEvery > 0 && this.#stats.frames % this.#keyframeEvery === 0);
          this.#keyframeWanted = false;
          pictureId = (pictureId + 1) & 0x7fff;
          frame = synthesizeFrame({
            keyframe,
            pictureId,
            packets: this.#packets,
            packetBytes: this.#packetBytes,
            sentAt: wallClockMs(),
          });
          this.#stats.frames++;
          if (keyframe) this.#stats.keyframes++;
        }
        const last = nextPacket === frame.length - 1;
        send(this.#video, videoSeq, videoTs, last, frame[nextPacket]);
        this.#stats.videoPackets++;
        this.#stats.videoBytes += frame[nextPacket].length;
        videoSeq = (videoSeq + 1) & 0xffff;
        nextPacket = last ? 0 : nextPacket + 1;
        if (last) videoTs = (videoTs + Math.round(VIDEO_CLOCK / this.#fps)) >>> 0;
        videoDue += packetMs;
      }
      while (audioDue <= now) {
        send(this.#audio, audioSeq, audioTs, true, opusPayload());
        this.#stats.audioPackets++;
        audioSeq = (audioSeq + 1) & 0xffff;
        audioTs = (audioTs + AUDIO_TIMESTAMP_STEP) >>> 0;
        audioDue += AUDIO_PACKET_MS;
      }
      this.#timer = setTimeout(tick, Math.max(0, Math.min(videoDue, audioDue) - performance.now()));
    };
    tick();
  }
}

function send(
  sender: RTCRtpSender,
  sequenceNumber: number,
  timestamp: number,
  marker: boolean,
  payload: Uint8Array,
): void {
  // The sender puts in its own SSRC and payload type.
  const header = new RtpHeader({ sequenceNumber, timestamp, marker });
  sender.sendRtp(
    new RtpPacket(header, Buffer.from(payload.buffer, payload.byteOffset, payload.length)),
  )
    .catch(() => {}); // a packet lost to a closing transport is a lost packet, as on the wire
}

function opusPayload(): Uint8Array {
  const payload = new Uint8Array(AUDIO_PAYLOAD_BYTES);
  payload[0] = OPUS_TOC;
  return payload;
}

function randomU16(): number {
  return crypto.getRandomValues(new Uint16Array(1))[0];
}

function randomU32(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/** Where and how a {@link SyntheticPublisher} publishes. */
export interface SyntheticPublisherOptions extends SyntheticMediaOptions {
  /** The relay's WHIP endpoint, `http://host:port/whip/{streamId}`. */
  whipUrl: string;
  /** A bearer token with role "publish" (`encodeToken`). */
  token: string;
  /** Use 127.0.0.1 only (tests, benchmarks, a node on the same machine). */
  loopback?: boolean;
  /** Milliseconds to wait for the connection (default 10 s). */
  connectTimeoutMs?: number;
}

/** A synthetic stream published to a relay over WHIP. */
export class SyntheticPublisher {
  private constructor(
    readonly location: string,
    private readonly pc: RTCPeerConnection,
    private readonly source: SyntheticSource,
    private readonly token: string,
  ) {}

  /**
   * Offers video and audio to `whipUrl`, and resolves once the connection is
   * up and media flows.
   *
   * @throws {SdpExchangeError} when the relay refuses the offer
   */
  static async start(options: SyntheticPublisherOptions): Promise<SyntheticPublisher> {
    const pc = createPeerConnection(peerConfig({ loopbackOnly: options.loopback }));
    const source = new SyntheticSource(pc, options);
    try {
      const connected = waitConnected(pc, options.connectTimeoutMs ?? 10_000);
      connected.catch(() => {}); // awaited below; a refusal before then must not go unhandled
      await pc.setLocalDescription(await pc.createOffer());
      const exchange = await exchangeSdp(options.whipUrl, pc.localDescription!.sdp, options.token);
      await pc.setRemoteDescription({ type: "answer", sdp: exchange.answer });
      await connected;
      return new SyntheticPublisher(exchange.location, pc, source, options.token);
    } catch (error) {
      source.stop();
      await pc.close();
      throw error;
    }
  }

  /** What has been sent so far. */
  stats(): SyntheticStats {
    return this.source.stats();
  }

  /** Stops the media, ends the WHIP session (DELETE) and closes the connection. */
  async stop(): Promise<void> {
    this.source.stop();
    try {
      await endSession(this.location, this.token);
    } finally {
      await this.pc.close();
    }
  }
}

/** Resolves when `pc` connects; rejects when it fails or `ms` pass first. */
export function waitConnected(pc: RTCPeerConnection, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`Peer connection not up after ${ms} ms`)), ms);
    const { unSubscribe } = pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") done();
      if (state === "failed" || state === "closed") {
        done(new Error(`Peer connection ${state}`));
      }
    });
    function done(error?: Error) {
      clearTimeout(timer);
      unSubscribe();
      if (error) reject(error);
      else resolve();
    }
  });
}
