/**
 * The media plane as the relay drives it: where peer connections are
 * negotiated and media is forwarded. The relay keeps the policy (who may
 * publish or watch, session caps, payments); a plane answers offers and
 * carries media, either in the node's own process (werift, `media/`) or in
 * media worker processes (node-datachannel, `native/`).
 *
 * @module
 */
import type { ViewerStats } from "./media/viewer.ts";

export type { ViewerStats };

/**
 * Viewers a node serves by default when media runs in its own process
 * (`--relay-workers 0`): werift forwarded to 25 viewers of a 2.5 Mbit/s
 * stream without loss on one core and lost 10% at 30 (`relay.fanout`).
 */
export const IN_PROCESS_MAX_VIEWERS = 20;

/** An ICE candidate a client trickled, with the m-line it belongs to. */
export interface TrickledCandidate {
  candidate: string;
  sdpMid?: string;
}

/** One negotiated session on a plane. */
export interface PlaneLeg {
  /** The SDP answer to the client's offer. */
  readonly answer: string;
  /**
   * Adds candidates the client trickled.
   *
   * @throws {RelayError} 400 a candidate the plane cannot read
   */
  trickle(candidates: TrickledCandidate[]): Promise<void>;
  /** Calls `handler` once, when the session ends on the plane's side (its peer went away). */
  onGone(handler: () => void): void;
  /** Ends the session. */
  close(): Promise<void>;
}

/** A viewer's (or a pulling relay's) session: media out, the `sutantra-pay` channel both ways. */
export interface ViewerPlaneLeg extends PlaneLeg {
  /** Sends `text` on the pay channel (queued until it opens). */
  sendPay(text: string): void;
  /** Calls `handler` with each text message the viewer sends on its pay channel. */
  onPay(handler: (text: string) => void): void;
  /** Calls `handler` once, when media first reaches the viewer (metering starts). */
  onStart(handler: () => void): void;
  /** What reached the viewer so far, for QoS. */
  stats(): ViewerStats;
  /**
   * Pins the viewer's simulcast layer (a RID, `low`, `mid` or `high`), or
   * lets the plane choose with `auto`; no effect on a stream without simulcast.
   *
   * @throws {RelayError} 400 a layer the stream does not have
   */
  setLayer(layer: string): Promise<void>;
  /** Calls `handler` with the simulcast layer the viewer gets each time it changes. */
  onLayer(handler: (layer: string, layers?: string[]) => void): void;
}

import type { SourceOrigin } from "../../client/relay/answers.ts";
export type { SourceOrigin };

/** Options of a viewer's session. */
export interface WatchOptions {
  /** Whether to pull the stream from another relay when no publisher is here. */
  pull: boolean;
  /** The simulcast layer to pin (see {@link ViewerPlaneLeg.setLayer}); chosen by the plane if unset. */
  layer?: string;
}

/** Negotiates sessions and forwards media; one per relay. */
export interface MediaPlane {
  /**
   * Answers a publisher's offer: it becomes the stream's source here,
   * replacing one already there.
   *
   * @throws {RelayError} 400 an offer that cannot be answered, 503 the plane is out of capacity
   */
  publish(stream: bigint, offer: string): Promise<PlaneLeg>;
  /**
   * Answers a viewer's offer once the stream's media is here, pulling it
   * upstream first when `options.pull` allows.
   *
   * @throws {RelayError} 409 (with Retry-After) the stream has not reached this node,
   * 400 an offer that cannot be answered, 503 the plane is out of capacity
   */
  watch(stream: bigint, offer: string, options: WatchOptions): Promise<ViewerPlaneLeg>;
  /** The streams carried here and where each one's media comes from (null while it has none). */
  carried(): Map<bigint, SourceOrigin | null>;
  /** RTP bytes received and sent, and packets forwarded to viewers, since start. */
  traffic(): { inBytes: number; outBytes: number; forwarded: number };
  /** Ends every session. */
  close(): Promise<void>;
}
