/**
 * One stream on one relay: its source and the viewers it fans out to.
 *
 * Packets go from the source to every viewer as they are (each viewer's
 * sender renumbers them for its own connection). A viewer gets video only
 * from the start of a keyframe on; keyframe requests (a viewer joining, a
 * viewer's PLI or FIR, a new source) are merged so the source sees at most
 * one per {@link KEYFRAME_MERGE_MS}, none dropped, and repeated while anyone
 * still waits.
 *
 * @module
 */
import type { RtpPacket } from "werift";
import { type VideoCodecName, videoCodecName } from "./codecs.ts";
import { startsKeyframe } from "./keyframe.ts";
import type { MediaKind, SourceLeg } from "./source.ts";
import type { ViewerLeg } from "./viewer.ts";

/** Keyframe requests closer together than this are merged into one. */
export const KEYFRAME_MERGE_MS = 300;

/** While a viewer waits for a keyframe, the request is repeated this often. */
export const KEYFRAME_REPEAT_MS = 600;

/** Fans one stream's source out to its viewers. */
export class StreamHub {
  readonly stream: bigint;
  readonly viewers = new Set<ViewerLeg>();
  #source?: SourceLeg;
  #codec?: VideoCodecName;
  #lastRequest = 0;
  #pendingRequest?: ReturnType<typeof setTimeout>;
  #repeat?: ReturnType<typeof setInterval>;
  #sourceWaiters: (() => void)[] = [];
  /** Packets forwarded (one per viewer sent to). */
  forwarded = 0;
  /** RTP bytes received from the source. */
  bytesIn = 0;
  /** RTP bytes forwarded (counted once per viewer sent to). */
  bytesOut = 0;

  constructor(stream: bigint) {
    this.stream = stream;
  }

  /** The current source, if any. */
  get source(): SourceLeg | undefined {
    return this.#source;
  }

  /** Makes `source` the stream's source (the old one, if any, is closed). */
  attach(source: SourceLeg): void {
    const previous = this.#source;
    this.#source = source;
    this.#codec = undefined;
    source.onRtp((kind, packet) => this.#fanOut(source, kind, packet));
    source.codecKnown().then((codec) => {
      if (this.#source !== source) return;
      this.#codec = videoCodecName(codec.mimeType);
      for (const resolve of this.#sourceWaiters.splice(0)) resolve();
    });
    if (previous) {
      void previous.close();
      for (const viewer of this.viewers) viewer.sourceChanged();
    }
    this.requestKeyframe();
  }

  /** Forgets `source` if it is the current one (it went away). */
  detach(source: SourceLeg): void {
    if (this.#source !== source) return;
    this.#source = undefined;
    this.#codec = undefined;
    for (const viewer of this.viewers) viewer.sourceChanged();
  }

  /**
   * The source, once its video codec is known; undefined if none is within
   * `timeoutMs`.
   */
  async sourceReady(timeoutMs: number): Promise<SourceLeg | undefined> {
    if (this.#source && this.#codec) return this.#source;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.#sourceWaiters.push(resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    return this.#codec ? this.#source : undefined;
  }

  /** Adds a viewer; it gets video from the next keyframe, which is asked for now. */
  add(viewer: ViewerLeg): void {
    this.viewers.add(viewer);
    viewer.onKeyframeRequest(() => this.requestKeyframe());
    this.requestKeyframe();
  }

  /** Removes a viewer. */
  remove(viewer: ViewerLeg): void {
    this.viewers.delete(viewer);
  }

  /** Asks the source for a keyframe, merging requests that come close together. */
  requestKeyframe(): void {
    if (this.#pendingRequest) return;
    const wait = this.#lastRequest + KEYFRAME_MERGE_MS - Date.now();
    const send = () => {
      this.#pendingRequest = undefined;
      this.#lastRequest = Date.now();
      this.#source?.requestKeyframe();
    };
    if (wait <= 0) send();
    else this.#pendingRequest = setTimeout(send, wait);
    this.#repeatWhileWaiting();
  }

  /** Stops timers and closes the source and every viewer. */
  async close(): Promise<void> {
    clearTimeout(this.#pendingRequest);
    clearInterval(this.#repeat);
    this.#repeat = undefined;
    const source = this.#source;
    this.#source = undefined;
    for (const resolve of this.#sourceWaiters.splice(0)) resolve();
    await Promise.all([source?.close(), ...[...this.viewers].map((v) => v.close())]);
    this.viewers.clear();
  }

  #repeatWhileWaiting(): void {
    if (this.#repeat) return;
    this.#repeat = setInterval(() => {
      const waiting = [...this.viewers].some((v) => v.waitingForKeyframe);
      if (waiting) this.requestKeyframe();
      else {
        clearInterval(this.#repeat);
        this.#repeat = undefined;
      }
    }, KEYFRAME_REPEAT_MS);
  }

  #fanOut(source: SourceLeg, kind: MediaKind, packet: RtpPacket): void {
    if (source !== this.#source) return;
    const bytes = packet.payload.length + packet.header.serializeSize;
    this.bytesIn += bytes;
    let keyframe = false;
    if (kind === "video" && this.#codec) {
      for (const viewer of this.viewers) {
        if (!viewer.waitingForKeyframe) continue;
        keyframe = startsKeyframe(this.#codec, packet.payload);
        break;
      }
    }
    for (const viewer of this.viewers) {
      if (!viewer.forward(kind, packet, keyframe)) continue;
      this.forwarded++;
      this.bytesOut += bytes;
    }
  }
}
