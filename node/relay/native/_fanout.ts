/**
 * One stream on one media worker: its source (its publisher, or a pull
 * from another relay) and the viewers it fans out to. The per-packet path is one callback in and one native send per
 * viewer: the packet node-datachannel handed over is renumbered in place
 * once (one SSRC and unbroken numbering for every viewer, across a change
 * of source), its payload type set in place once per group of viewers
 * that negotiated the same one, and sent as it is; nothing is copied in
 * JavaScript. A viewer gets video from the start of a keyframe on; keyframe
 * requests are merged ({@link KeyframeRequests}).
 *
 * @module
 */
import { startsKeyframe } from "../media/keyframe.ts";
import type { MediaKind, PacketHandler } from "./_publisher.ts";
import type { OutgoingIds, ViewerLeg } from "./_viewer.ts";
import { KeyframeRequests } from "./keyframe_requests.ts";
import { OutgoingNumbering, payloadOffset } from "./rtp.ts";
import type { ChosenCodec, VideoCodec } from "./sdp.ts";

/** Where a stream's media comes from on a worker: its publisher, or a pull. */
export interface StreamSource {
  /** The video codec it sends (a pull's is known once its answer is set). */
  readonly video?: ChosenCodec<VideoCodec>;
  readonly audio?: ChosenCodec;
  /** Sets where its packets go: one handler, the stream's fan-out. */
  onPacket(handler: PacketHandler): void;
  /** Asks it for a keyframe. */
  requestKeyframe(): void;
}

/**
 * A packet handled this late (the event loop this far behind its timers) is
 * dropped unsent: a backlog of queued packets is drained at the cost of a
 * callback each instead of a send per viewer, and media this old is past
 * any viewer's jitter buffer anyway.
 */
export const DROP_BEHIND_MS = 250;

/** A gap this long in the source's packets is a pause in the flow. */
const FLOW_PAUSE_MS = 1_000;

/** RTP timestamp gaps put between two sources: a frame at 30 fps, a 20 ms Opus packet. */
const VIDEO_STEP = 3000;
const AUDIO_STEP = 960;

/** Fans one stream's source out to its viewers. */
export class StreamFan {
  readonly stream: string;
  readonly ids: OutgoingIds;
  readonly viewers = new Set<ViewerLeg>();
  /** Packets sent to viewers (one per viewer sent to). */
  forwarded = 0;
  /** Packets from the source dropped because the event loop was behind. */
  dropped = 0;
  readonly #video: OutgoingNumbering;
  readonly #audio: OutgoingNumbering;
  /** Viewers by the payload type they negotiated, per kind. */
  readonly #groups = {
    video: new Map<number, ViewerLeg[]>(),
    audio: new Map<number, ViewerLeg[]>(),
  };
  readonly #keyframes: KeyframeRequests;
  #source?: StreamSource;
  #waiting = 0;
  /** When the source's packets last came, and when their flow began (`performance.now()`). */
  #lastPacketAt = -Infinity;
  #flowingSince = 0;

  readonly #behind: () => number;

  /** A stream sent with `ids`; `behind` says how late the event loop runs, milliseconds. */
  constructor(stream: string, ids: OutgoingIds, behind: () => number) {
    this.stream = stream;
    this.#behind = behind;
    this.ids = ids;
    this.#video = new OutgoingNumbering(ids.videoSsrc, VIDEO_STEP);
    this.#audio = new OutgoingNumbering(ids.audioSsrc, AUDIO_STEP);
    this.#keyframes = new KeyframeRequests(
      () => this.#source?.requestKeyframe(),
      () => this.#waiting > 0,
    );
  }

  /** The current source, if any. */
  get source(): StreamSource | undefined {
    return this.#source;
  }

  /**
   * Makes `source` the stream's source (the caller closes the one it
   * replaces); viewers wait for its first keyframe, which is asked for now.
   */
  attach(source: StreamSource): void {
    this.#source = source;
    this.#video.restart();
    this.#audio.restart();
    for (const viewer of this.viewers) viewer.waiting = true;
    this.#countWaiting();
    source.onPacket((kind, packet) => this.#fanOut(source, kind, packet));
    this.#keyframes.request();
  }

  /** Forgets `source` if it is the current one (it went away); viewers stay. */
  detach(source: StreamSource): void {
    if (this.#source === source) this.#source = undefined;
  }

  /** Adds a viewer; it gets video from the next keyframe, which it asks for once connected. */
  add(viewer: ViewerLeg): void {
    this.viewers.add(viewer);
    this.#regroup();
    this.#countWaiting();
    viewer.onKeyframeRequest(() => this.#keyframes.request());
  }

  /** Removes a viewer. */
  remove(viewer: ViewerLeg): void {
    if (!this.viewers.delete(viewer)) return;
    this.#regroup();
    this.#countWaiting();
  }

  /** Asks the source for a keyframe (merged with the others). */
  requestKeyframe(): void {
    this.#keyframes.request();
  }

  /**
   * How long the source's packets have been flowing without a pause of a
   * second, milliseconds (0 when they are not).
   */
  flowingFor(): number {
    const now = performance.now();
    return now - this.#lastPacketAt < FLOW_PAUSE_MS ? now - this.#flowingSince : 0;
  }

  /** Stops the keyframe timers. */
  stop(): void {
    this.#keyframes.stop();
  }

  #fanOut(source: StreamSource, kind: MediaKind, packet: Uint8Array): void {
    if (source !== this.#source) return;
    const now = performance.now();
    if (now - this.#lastPacketAt >= FLOW_PAUSE_MS) this.#flowingSince = now;
    this.#lastPacketAt = now;
    if (this.#behind() > DROP_BEHIND_MS) {
      this.dropped++;
      return;
    }
    (kind === "video" ? this.#video : this.#audio).rewrite(packet);
    let keyframe = false;
    if (kind === "video" && this.#waiting > 0) {
      const offset = payloadOffset(packet);
      keyframe = offset > 0 && startsKeyframe(source.video!.name, packet.subarray(offset));
    }
    const marker = packet[1] & 0x80;
    for (const [type, viewers] of this.#groups[kind]) {
      // sendMessageBinary copies synchronously: the next group's type may overwrite this one's.
      packet[1] = marker | type;
      for (const viewer of viewers) if (viewer.forward(kind, packet, keyframe)) this.forwarded++;
    }
    if (keyframe) this.#countWaiting();
  }

  #regroup(): void {
    for (const kind of ["video", "audio"] as const) {
      const groups = this.#groups[kind];
      groups.clear();
      for (const viewer of this.viewers) {
        const type = kind === "video" ? viewer.videoType : viewer.audioType;
        if (type === undefined) continue;
        const group = groups.get(type);
        if (group) group.push(viewer);
        else groups.set(type, [viewer]);
      }
    }
  }

  #countWaiting(): void {
    let waiting = 0;
    for (const viewer of this.viewers) if (viewer.waiting) waiting++;
    this.#waiting = waiting;
  }
}
