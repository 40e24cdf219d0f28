/**
 * A stream's viewers by the video layer they get, in lanes: the viewers of
 * a lane are sent the same packets numbered alike, so a packet is
 * renumbered once per lane, not once per viewer. A viewer that joins takes
 * any lane of its layer (it has been sent nothing to carry on from). A
 * viewer that changes layer keeps its numbering: its lane moves with it
 * when every viewer of the lane moves, else the movers fork a lane of
 * their own. Without simulcast, or while nobody changes layer, a layer has
 * one lane.
 *
 * @module
 */
import type { ViewerLeg } from "./_viewer.ts";
import { OutgoingNumbering } from "./numbering.ts";

/** The video timestamps' clock, Hz. */
const VIDEO_CLOCK = 90_000;

/** Viewers sent one layer with one numbering. */
export class Lane {
  layer: string;
  readonly numbering: OutgoingNumbering;
  readonly viewers = new Set<ViewerLeg>();
  /** The viewers by the payload type they negotiated (the packet's is set once per group). */
  groups: [number, ViewerLeg[]][] = [];

  constructor(layer: string, numbering: OutgoingNumbering) {
    this.layer = layer;
    this.numbering = numbering;
  }

  /** Rebuilds the groups after the viewers changed. */
  regroup(): void {
    this.groups = byPayloadType(this.viewers, (viewer) => viewer.videoType);
  }
}

/** `viewers` by their payload type `typeOf` (those without one left out). */
export function byPayloadType(
  viewers: Iterable<ViewerLeg>,
  typeOf: (viewer: ViewerLeg) => number | undefined,
): [number, ViewerLeg[]][] {
  const groups = new Map<number, ViewerLeg[]>();
  for (const viewer of viewers) {
    const type = typeOf(viewer);
    if (type === undefined) continue;
    const group = groups.get(type);
    if (group) group.push(viewer);
    else groups.set(type, [viewer]);
  }
  return [...groups];
}

/** The lanes of one stream's video. */
export class VideoLanes {
  readonly #ssrc: number;
  readonly #byLayer = new Map<string, Lane[]>();
  readonly #laneOf = new Map<ViewerLeg, Lane>();

  /** Lanes whose packets go out with `ssrc`. */
  constructor(ssrc: number) {
    this.#ssrc = ssrc;
  }

  /** The lanes of `layer`, if it has any. */
  on(layer: string): readonly Lane[] | undefined {
    return this.#byLayer.get(layer);
  }

  /** The layers that have lanes. */
  layers(): string[] {
    return [...this.#byLayer.keys()];
  }

  /** Puts a viewer that has been sent no video yet on `layer`. */
  place(viewer: ViewerLeg, layer: string): void {
    if (this.#laneOf.get(viewer)?.layer === layer) return;
    this.remove(viewer);
    const lane = this.#byLayer.get(layer)?.[0] ??
      this.#index(new Lane(layer, new OutgoingNumbering(this.#ssrc, VIDEO_CLOCK)));
    this.#join(viewer, lane);
  }

  /**
   * Moves viewers that have been sent video to `layer`, from the packet
   * about to be sent on: each carries on its numbering from the last packet
   * it was sent.
   */
  move(viewers: Iterable<ViewerLeg>, layer: string): void {
    const movers = new Map<Lane, ViewerLeg[]>();
    for (const viewer of viewers) {
      const lane = this.#laneOf.get(viewer);
      if (!lane || lane.layer === layer) continue;
      const group = movers.get(lane);
      if (group) group.push(viewer);
      else movers.set(lane, [viewer]);
    }
    for (const [lane, moving] of movers) {
      if (moving.length === lane.viewers.size) {
        this.#unindex(lane);
        lane.layer = layer;
        lane.numbering.restart();
        this.#index(lane);
        for (const viewer of moving) viewer.setLayer(layer);
        continue;
      }
      const fork = this.#index(new Lane(layer, lane.numbering.fork()));
      fork.numbering.restart();
      for (const viewer of moving) {
        this.#leave(viewer, lane);
        this.#join(viewer, fork);
      }
      lane.regroup();
    }
  }

  /** Takes a viewer off its lane (a lane left empty goes). */
  remove(viewer: ViewerLeg): void {
    const lane = this.#laneOf.get(viewer);
    if (!lane) return;
    this.#leave(viewer, lane);
    lane.regroup();
  }

  /** The source changed: every lane carries on from its last packet with the new one's. */
  restart(): void {
    for (const lanes of this.#byLayer.values()) for (const lane of lanes) lane.numbering.restart();
  }

  #join(viewer: ViewerLeg, lane: Lane): void {
    lane.viewers.add(viewer);
    this.#laneOf.set(viewer, lane);
    lane.regroup();
    viewer.setLayer(lane.layer);
  }

  #leave(viewer: ViewerLeg, lane: Lane): void {
    lane.viewers.delete(viewer);
    this.#laneOf.delete(viewer);
    if (lane.viewers.size === 0) this.#unindex(lane);
  }

  #index(lane: Lane): Lane {
    const lanes = this.#byLayer.get(lane.layer);
    if (lanes) lanes.push(lane);
    else this.#byLayer.set(lane.layer, [lane]);
    return lane;
  }

  #unindex(lane: Lane): void {
    const lanes = this.#byLayer.get(lane.layer)?.filter((l) => l !== lane) ?? [];
    if (lanes.length > 0) this.#byLayer.set(lane.layer, lanes);
    else this.#byLayer.delete(lane.layer);
  }
}
