/**
 * A media worker's sessions and the stream fan-outs they are on: which leg
 * each session is, how one ends (its leg leaves its fan and closes; a fan
 * nobody is on any more stops), and their counters.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { StreamFan } from "./_fanout.ts";
import type { PublisherLeg } from "./_publisher.ts";
import type { PullLeg } from "./_pull.ts";
import type { ViewerLeg } from "./_viewer.ts";
import type { SessionStats, WorkerError } from "./protocol.ts";

/** A session on the worker. */
export type Session =
  | { kind: "publish"; fan: StreamFan; leg: PublisherLeg }
  | { kind: "watch"; fan: StreamFan; leg: ViewerLeg }
  | { kind: "pull"; fan: StreamFan; leg: PullLeg };

/** A refused request: its reply's error. */
export class PlaneError extends Error {
  constructor(readonly error: WorkerError) {
    super(error.message);
  }
}

/** Every session and stream of one worker. */
export class Sessions {
  readonly #fans = new Map<string, StreamFan>();
  readonly #sessions = new Map<string, Session>();
  /** What fans closed since start counted: the counters never go back. */
  readonly #closedFans = { forwarded: 0, dropped: 0 };
  readonly #behind: () => number;
  readonly #onEnded: (id: string, reason: string) => void;

  /**
   * Sessions whose fans learn how late the event loop runs from `behind`
   * (milliseconds); `onEnded` hears of each session that ends.
   */
  constructor(behind: () => number, onEnded: (id: string, reason: string) => void) {
    this.#behind = behind;
    this.#onEnded = onEnded;
  }

  /** The fan-out of `stream`, if the worker has one. */
  fan(stream: string): StreamFan | undefined {
    return this.#fans.get(stream);
  }

  /** The fan-out of `stream`, made if the worker has none (one SSRC pair per stream). */
  fanOf(stream: string): StreamFan {
    let fan = this.#fans.get(stream);
    if (!fan) {
      const ids = randomBytes(8);
      fan = new StreamFan(stream, {
        videoSsrc: ids.readUInt32BE(0),
        audioSsrc: ids.readUInt32BE(4),
        cname: `sutantra-${stream}`,
      }, this.#behind);
      this.#fans.set(stream, fan);
    }
    return fan;
  }

  /**
   * Holds the viewers of every simulcast stream a layer lower (see
   * {@link StreamFan.shedLayer}); returns whether one could go lower.
   */
  shedLayer(): boolean {
    let shed = false;
    for (const fan of this.#fans.values()) shed = fan.shedLayer() || shed;
    return shed;
  }

  /** Gives the viewers held lower a layer back. */
  restoreLayer(): void {
    for (const fan of this.#fans.values()) fan.restoreLayer();
  }

  /** Adds a session (its leg is already on its fan, or waits to be). */
  add(id: string, session: Session): void {
    this.#sessions.set(id, session);
  }

  /**
   * The session by that id.
   *
   * @throws {PlaneError} `no-session` when there is none
   */
  get(id: string): Session {
    const session = this.#sessions.get(id);
    if (!session) throw new PlaneError({ code: "no-session", message: `no session ${id}` });
    return session;
  }

  /**
   * Checks that no session has that id.
   *
   * @throws {PlaneError} `session-exists` when one has
   */
  fresh(id: string): void {
    if (this.#sessions.has(id)) {
      throw new PlaneError({ code: "session-exists", message: `session ${id} exists already` });
    }
  }

  /** Every session, by id. */
  entries(): [string, Session][] {
    return [...this.#sessions];
  }

  /** The sessions on `fan`, by id. */
  on(fan: StreamFan): [string, Session][] {
    return this.entries().filter(([, session]) => session.fan === fan);
  }

  /** Ends a session, if it is still there: its leg leaves its fan and closes. */
  end(id: string, reason: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    const { fan, leg } = session;
    if (session.kind === "watch") fan.remove(session.leg);
    else fan.detach(session.leg);
    leg.close();
    this.#onEnded(id, reason);
    // A pull not answered yet has no place in the fan but keeps it.
    if (this.on(fan).length === 0) {
      fan.stop();
      this.#closedFans.forwarded += fan.forwarded;
      this.#closedFans.dropped += fan.dropped;
      this.#fans.delete(fan.stream);
    }
  }

  /** Packets forwarded and dropped since the worker started, and each session's counters. */
  stats(): { forwarded: number; dropped: number; sessions: SessionStats[] } {
    let { forwarded, dropped } = this.#closedFans;
    for (const fan of this.#fans.values()) {
      forwarded += fan.forwarded;
      dropped += fan.dropped;
    }
    const sessions: SessionStats[] = [];
    for (const [session, { kind, fan, leg }] of this.#sessions) {
      const viewer = kind === "watch" ? leg as ViewerLeg : undefined;
      const layers = fan.layers();
      sessions.push({
        session,
        stream: fan.stream,
        kind,
        packets: leg.packets,
        videoPackets: leg.videoPackets,
        bytes: leg.bytes,
        lost: viewer?.lost ?? 0,
        jitterMs: viewer ? Math.round(viewer.jitter / 90) : 0,
        ...(viewer?.layer ? { layer: viewer.layer } : {}),
        ...(layers ? { layers } : {}),
      });
    }
    return { forwarded, dropped, sessions };
  }
}
