/**
 * One stream on one media worker: its source (its publisher, or a pull
 * from another relay) and the viewers it fans out to. The per-packet path
 * is one callback in and one native send per viewer: the packet
 * node-datachannel handed over is renumbered in place once per lane of
 * viewers ({@link VideoLanes}: one SSRC and unbroken numbering for every
 * viewer, across a change of source or of simulcast layer), its payload
 * type set in place once per group of a lane's viewers that negotiated
 * the same one, and sent as it is; nothing is copied in JavaScript. A
 * simulcast source's packets come with their layer, and go to the lanes
 * of that layer only. A viewer gets video from the start of a keyframe on,
 * and changes layer at the new layer's keyframe; keyframe requests are
 * merged per layer ({@link KeyframeRequests}).
 *
 * @module
 */
import { startsKeyframe } from "../media/keyframe.ts";
import { byPayloadType, VideoLanes } from "./_lanes.ts";
import type { MediaKind, PacketHandler } from "./_publisher.ts";
import type { OutgoingIds, ViewerLeg } from "./_viewer.ts";
import { KeyframeRequests } from "./keyframe_requests.ts";
import { OutgoingNumbering, PacketFields } from "./numbering.ts";
import { payloadOffset } from "./rtp.ts";
import type { ChosenCodec, VideoCodec } from "./sdp.ts";

/** Where a stream's media comes from on a worker: its publisher, or a pull. */
export interface StreamSource {
  /** The video codec it sends (a pull's is known once its answer is set). */
  readonly video?: ChosenCodec<VideoCodec>;
  readonly audio?: ChosenCodec;
  /** Sets where its packets go: one handler, the stream's fan-out. */
  onPacket(handler: PacketHandler): void;
  /** Asks it for a keyframe: of one simulcast layer, or of all when `layer` is empty. */
  requestKeyframe(layer?: string): void;
  /** A simulcast source's layers flowing, lowest resolution first; undefined for one stream. */
  layers?(): string[] | undefined;
  /** A simulcast source's RIDs, as offered. */
  readonly rids?: readonly string[];
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

/** How often viewers' layers are chosen again (layers come and go), milliseconds. */
const REVIEW_MS = 500;

/** The layer of a source that sends one stream. */
const SINGLE = "";

/** Fans one stream's source out to its viewers. */
export class StreamFan {
  readonly stream: string;
  readonly ids: OutgoingIds;
  readonly viewers = new Set<ViewerLeg>();
  /** Packets sent to viewers (one per viewer sent to). */
  forwarded = 0;
  /** Packets from the source dropped because the event loop was behind. */
  dropped = 0;
  readonly #lanes: VideoLanes;
  readonly #audio: OutgoingNumbering;
  /** Viewers by the audio payload type they negotiated. */
  #audioGroups: [number, ViewerLeg[]][] = [];
  readonly #fields = new PacketFields();
  /** Keyframe requests, merged per layer. */
  readonly #keyframes = new Map<string, KeyframeRequests>();
  /** Layers a viewer waits for a keyframe of (to begin, or to switch to). */
  readonly #awaited = new Set<string>();
  /** Layers a viewer is to be switched to. */
  readonly #switching = new Set<string>();
  /** Steps below the top layer every viewer is held to while the worker sheds load. */
  #shed = 0;
  #source?: StreamSource;
  /** When the source's packets last came, and when their flow began (`performance.now()`). */
  #lastPacketAt = -Infinity;
  #flowingSince = 0;
  readonly #review: ReturnType<typeof setInterval>;
  readonly #behind: () => number;

  /** A stream sent with `ids`; `behind` says how late the event loop runs, milliseconds. */
  constructor(stream: string, ids: OutgoingIds, behind: () => number) {
    this.stream = stream;
    this.#behind = behind;
    this.ids = ids;
    this.#lanes = new VideoLanes(ids.videoSsrc);
    this.#audio = new OutgoingNumbering(ids.audioSsrc, 48_000);
    this.#review = setInterval(() => this.#source?.rids && this.#reviewAll(), REVIEW_MS);
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
    this.#lanes.restart();
    this.#audio.restart();
    for (const viewer of this.viewers) {
      viewer.waiting = true;
      viewer.pending = undefined;
    }
    source.onPacket((kind, packet, layer) => this.#fanOut(source, kind, packet, layer));
    this.#reviewAll();
    this.requestKeyframe();
  }

  /** Forgets `source` if it is the current one (it went away); viewers stay. */
  detach(source: StreamSource): void {
    if (this.#source === source) this.#source = undefined;
  }

  /** Adds a viewer; it gets video from the next keyframe of its layer, which is asked for. */
  add(viewer: ViewerLeg): void {
    this.viewers.add(viewer);
    this.#audioGroups = byPayloadType(this.viewers, (v) => v.audioType);
    viewer.onKeyframeRequest(() => {
      const layer = viewer.pending ?? viewer.layer;
      if (layer !== undefined) this.#keyframesOf(layer).request();
    });
    viewer.onReport(() => this.review(viewer));
    this.review(viewer);
  }

  /** Removes a viewer. */
  remove(viewer: ViewerLeg): void {
    if (!this.viewers.delete(viewer)) return;
    this.#lanes.remove(viewer);
    this.#audioGroups = byPayloadType(this.viewers, (v) => v.audioType);
    this.#recount();
  }

  /** Chooses `viewer`'s layer again (its pin changed, or it reported). */
  review(viewer: ViewerLeg): void {
    this.#choose(viewer);
    this.#recount();
  }

  /** The source's simulcast layers flowing, lowest resolution first; undefined for one stream. */
  layers(): string[] | undefined {
    return this.#source?.layers?.();
  }

  /** Asks the source for a keyframe of every layer watched (merged with the others). */
  requestKeyframe(): void {
    const layers = this.#lanes.layers();
    for (const layer of layers.length > 0 ? layers : [SINGLE]) this.#keyframesOf(layer).request();
  }

  /**
   * Holds every viewer one more layer below the top, if one gets a layer
   * that high; returns whether it did (a viewer of a lower layer costs
   * fewer packets).
   */
  shedLayer(): boolean {
    const flowing = this.#flowing();
    const top = flowing.length - 1 - this.#shed;
    if (top <= 0) return false;
    const held = [...this.viewers].some((v) => flowing.indexOf(v.pending ?? v.layer ?? "") >= top);
    if (!held) return false;
    this.#shed++;
    this.#reviewAll();
    return true;
  }

  /** Lets viewers one layer higher again after shedding. */
  restoreLayer(): void {
    if (this.#shed === 0) return;
    this.#shed--;
    this.#reviewAll();
  }

  /**
   * How long the source's packets have been flowing without a pause of a
   * second, milliseconds (0 when they are not).
   */
  flowingFor(): number {
    const now = performance.now();
    return now - this.#lastPacketAt < FLOW_PAUSE_MS ? now - this.#flowingSince : 0;
  }

  /** Stops the timers. */
  stop(): void {
    clearInterval(this.#review);
    for (const requests of this.#keyframes.values()) requests.stop();
  }

  #fanOut(source: StreamSource, kind: MediaKind, packet: Uint8Array, layer = SINGLE): void {
    if (source !== this.#source) return;
    const now = performance.now();
    if (now - this.#lastPacketAt >= FLOW_PAUSE_MS) this.#flowingSince = now;
    this.#lastPacketAt = now;
    if (this.#behind() > DROP_BEHIND_MS) {
      this.dropped++;
      return;
    }
    const marker = packet[1] & 0x80;
    if (kind === "audio") {
      if (!this.#audio.rewrite(packet, this.#fields.read(packet, false), now)) return;
      for (const [type, viewers] of this.#audioGroups) {
        // sendMessageBinary copies synchronously: the next group's type may overwrite this one's.
        packet[1] = marker | type;
        for (const viewer of viewers) if (viewer.forward(kind, packet, false)) this.forwarded++;
      }
      return;
    }
    let lanes = this.#lanes.on(layer);
    const switching = this.#switching.has(layer);
    if (!lanes && !switching) return; // a layer nobody gets
    let keyframe = false;
    if (this.#awaited.has(layer)) {
      const offset = payloadOffset(packet);
      keyframe = offset > 0 && startsKeyframe(source.video!.name, packet.subarray(offset));
    }
    if (keyframe && switching) {
      this.#lanes.move([...this.viewers].filter((v) => v.pending === layer), layer);
      for (const viewer of this.viewers) if (viewer.pending === layer) viewer.pending = undefined;
      lanes = this.#lanes.on(layer);
    }
    if (lanes) {
      const fields = this.#fields.read(packet, source.video!.name === "vp8");
      for (const lane of lanes) {
        if (!lane.numbering.rewrite(packet, fields, now)) continue;
        for (const [type, viewers] of lane.groups) {
          packet[1] = marker | type;
          for (const viewer of viewers) {
            if (viewer.forward(kind, packet, keyframe)) this.forwarded++;
          }
        }
      }
    }
    if (keyframe) this.#recount();
  }

  /** The layers to choose from: the source's flowing ones, or its one stream. */
  #flowing(): string[] {
    if (!this.#source) return [];
    return this.#source.layers?.() ?? [SINGLE];
  }

  /**
   * Places a viewer sent no video yet on its layer, or marks a change of
   * layer as pending until the new layer's keyframe, which is asked for.
   */
  #choose(viewer: ViewerLeg, flowing = this.#flowing()): void {
    const want = viewer.choice.choose(flowing, this.#shed);
    if (want === undefined) return;
    if (!viewer.started) {
      if (viewer.layer === want) return;
      this.#lanes.place(viewer, want);
      viewer.pending = undefined;
      // Its video track may be open already (a simulcast's layers became known since).
      this.#keyframesOf(want).request();
    } else if (want === viewer.layer) viewer.pending = undefined;
    else if (viewer.pending !== want) {
      viewer.pending = want;
      this.#keyframesOf(want).request();
    }
  }

  #reviewAll(): void {
    const flowing = this.#flowing();
    for (const viewer of this.viewers) this.#choose(viewer, flowing);
    this.#recount();
  }

  #keyframesOf(layer: string): KeyframeRequests {
    let requests = this.#keyframes.get(layer);
    if (!requests) {
      requests = new KeyframeRequests(
        () => this.#source?.requestKeyframe(layer),
        () => this.#awaited.has(layer),
      );
      this.#keyframes.set(layer, requests);
    }
    return requests;
  }

  #recount(): void {
    this.#awaited.clear();
    this.#switching.clear();
    for (const viewer of this.viewers) {
      if (viewer.pending !== undefined) {
        this.#awaited.add(viewer.pending);
        this.#switching.add(viewer.pending);
      }
      if (viewer.waiting && viewer.layer !== undefined) this.#awaited.add(viewer.layer);
    }
  }
}
