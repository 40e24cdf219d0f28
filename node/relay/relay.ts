/**
 * The relay: every stream this node carries, the sessions publishing into
 * and watching from it, and who may do which (the chain says).
 *
 * A publisher (WHIP) becomes its stream's source on the media plane; a
 * viewer (WHEP) is served from it, or, when the stream is not published
 * here, from another relay the plane pulls it from. Viewers pay through the
 * payment desk over their `sutantra-pay` data channel; a viewer the desk
 * cuts off loses its session.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { base64urlnopad } from "@scure/base";
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import { canWatch } from "../../pallets/access/mod.ts";
import { isRegisteredRelay } from "../../pallets/qos-rewards/mod.ts";
import { getStream } from "../../pallets/streams/mod.ts";
import type { ChainClient } from "../chain/mod.ts";
import type { Logger } from "../log.ts";
import type { Authenticated } from "./auth.ts";
import { RelayError } from "./errors.ts";
import { layerRequest, type RelayMessage } from "../../client/relay/pay_messages.ts";
import type {
  MediaPlane,
  PlaneLeg,
  TrickledCandidate,
  ViewerPlaneLeg,
  ViewerStats,
} from "./plane.ts";
import { type Seat, SessionCaps } from "./session_caps.ts";
import { iceUfrag } from "../../client/relay/whep_client.ts";
import type { CarriedStream } from "../../client/relay/answers.ts";

export { RelayError };
export type { CarriedStream };

/** Ended sessions remembered, so that a client's late DELETE of one succeeds. */
const ENDED_KEPT = 4096;

/** What the payment desk is told of a viewer and can do to it. */
export interface ViewerPort {
  stream: bigint;
  viewer: Uint8Array;
  send(message: RelayMessage): void;
  cutOff(reason: string): void;
  stats(): ViewerStats;
}

/** A viewer's payments, metered by the desk. */
export interface MeteredSession {
  start(): void;
  onMessage(text: string): void;
  close(): Promise<void>;
}

/** The payment desk, as the relay uses it. */
export interface PaymentSessions {
  /** Meters a viewer. */
  session(port: ViewerPort): MeteredSession;
  /** Meters a relay pulling a stream, against its paying viewers' vouchers. */
  pull(port: ViewerPort): MeteredSession;
}

/** A WHIP or WHEP session. */
interface Session {
  id: string;
  kind: "publish" | "watch";
  stream: bigint;
  account: Uint8Array;
  /** The token's role: publish, watch, or relay (another relay pulling). */
  role: Authenticated["role"];
  /** The ICE ufrag of the client's offer: trickled candidates must repeat it. */
  ufrag?: string;
  leg: PlaneLeg;
  end(): Promise<void>;
}

/** Options of a relay. */
export interface RelayInit {
  client: ChainClient;
  /** Where the sessions' media runs. */
  plane: MediaPlane;
  log: Logger;
  payments?: PaymentSessions;
  /** Caps on sessions per account, per IP and in all (the defaults if unset). */
  caps?: SessionCaps;
  /** Viewers served at once at most (relays pulling are not counted); unlimited if unset. */
  maxViewers?: number;
  /** Finds another relay for a viewer that finds this one full (relay trees). */
  overflow?: Overflow;
}

/** Where a viewer goes when this relay is full. */
export interface Overflow {
  /** The WHEP URL of another relay with room for a viewer of `stream`, if one is known. */
  elsewhere(stream: bigint): Promise<string | undefined>;
}

/** Every stream this node carries, and the sessions on them. */
export class Relay {
  readonly #init: RelayInit;
  readonly #caps: SessionCaps;
  readonly #sessions = new Map<string, Session>();
  /** The accounts of sessions that ended on their own lately, by id, oldest first. */
  readonly #ended = new Map<string, Uint8Array>();
  /** Viewers admitted whose sessions are still being negotiated. */
  #joining = 0;

  constructor(init: RelayInit) {
    this.#init = init;
    this.#caps = init.caps ?? new SessionCaps();
  }

  /**
   * A publisher's WHIP offer for a stream it created: its answer and session id.
   * A publisher already on the stream here is replaced (a reconnecting encoder).
   *
   * @param address the client's IP address, for the per-IP cap
   * @throws {RelayError} 403 not the creator, 404/410 no such or ended stream, 400 bad SDP,
   * 429/503 past a session cap
   */
  async publish(
    auth: Authenticated,
    offer: string,
    address: string,
  ): Promise<{ id: string; answer: string }> {
    if (auth.role !== "publish") throw new RelayError(403, "the token's role is not publish");
    const info = this.#streamOrThrow(auth.stream);
    if (!equalBytes(info.creator, auth.account)) {
      throw new RelayError(403, "only the stream's creator may publish it");
    }
    const seat = this.#caps.admit(auth.account, auth.role, address);
    let leg: PlaneLeg;
    try {
      leg = await this.#init.plane.publish(auth.stream, offer);
    } catch (e) {
      seat.release();
      throw e;
    }
    for (const session of this.#sessions.values()) {
      if (session.kind === "publish" && session.stream === auth.stream) void session.end();
    }
    const id = this.#newId();
    let ended = false;
    const end = async () => {
      if (ended) return;
      ended = true;
      seat.release();
      this.#forget(id, auth.account);
      await leg.close();
      this.#endOrphanedViewers(auth.stream);
    };
    leg.onGone(() => void end());
    this.#sessions.set(id, {
      id,
      kind: "publish",
      stream: auth.stream,
      account: auth.account,
      role: auth.role,
      ufrag: iceUfrag(offer),
      leg,
      end,
    });
    this.#init.log.info(`🎥 Stream ${auth.stream}: publisher connected`);
    return { id, answer: leg.answer };
  }

  /**
   * Ends the sessions watching `stream` here once no publisher sends it (one
   * that took over from another is still sending): a viewer is not to pay on
   * for a stream nobody publishes, whatever its client does about it.
   */
  #endOrphanedViewers(stream: bigint): void {
    const sessions = [...this.#sessions.values()].filter((s) => s.stream === stream);
    if (sessions.some((s) => s.kind === "publish")) return;
    const watching = sessions.filter((s) => s.kind === "watch");
    if (watching.length === 0) return;
    this.#init.log.info(
      `🎥 Stream ${stream}: publisher gone, ending ${watching.length} viewer session(s)`,
    );
    for (const session of watching) void session.end();
  }

  /**
   * A viewer's (or another relay's) WHEP offer: its answer and session id.
   *
   * @throws {RelayError} 403 no access, 404/410 no such or ended stream, 409 not live or
   * not reachable here yet (with Retry-After), 400 bad SDP, 429/503 past a session cap,
   * 307 (with Location) or 503 (with Retry-After) past the relay's viewers,
   * 503 past a media worker's load
   */
  async watch(
    auth: Authenticated,
    offer: string,
    address: string,
    options: { layer?: string } = {},
  ): Promise<{ id: string; answer: string }> {
    const state = this.#init.client.stateAt(this.#init.client.best.header);
    const info = this.#streamOrThrow(auth.stream);
    if (auth.role === "watch") {
      if (!canWatch(state, auth.account, auth.stream)) {
        throw new RelayError(403, "no access: open a payment channel to the stream first");
      }
    } else if (auth.role === "relay") {
      if (!isRegisteredRelay(state, auth.account)) {
        throw new RelayError(403, "only registered relays may pull streams");
      }
    } else throw new RelayError(403, "the token's role is not watch");
    if (info.status.tag !== "Live") {
      throw new RelayError(409, "the stream is not live", { "retry-after": "5" });
    }
    // A viewer counts from admission on: those still negotiating keep the bound too.
    const joining = auth.role === "watch" ? 1 : 0;
    if (joining) await this.#admitViewer(auth.stream, options.layer);
    try {
      const seat = this.#caps.admit(auth.account, auth.role, address);
      try {
        return await this.#startWatching(auth, offer, seat, options.layer);
      } catch (e) {
        seat.release();
        throw e;
      }
    } finally {
      this.#joining -= joining;
    }
  }

  /** Negotiates a viewer's session on the plane; `seat` is given back when it ends. */
  async #startWatching(
    auth: Authenticated,
    offer: string,
    seat: Seat,
    layer?: string,
  ): Promise<{ id: string; answer: string }> {
    // Relays are served from a local source only, so two relays never pull from each other.
    const leg = await this.#init.plane.watch(auth.stream, offer, {
      pull: auth.role === "watch",
      ...(layer === undefined ? {} : { layer }),
    });
    const id = this.#newId();
    const metered = this.#meter(auth, leg, () => void end());
    this.#talk(leg, metered);
    let ended = false;
    const end = async () => {
      if (ended) return;
      ended = true;
      seat.release();
      this.#forget(id, auth.account);
      await leg.close();
      await metered?.close();
    };
    leg.onGone(() => void end());
    this.#sessions.set(id, {
      id,
      kind: "watch",
      stream: auth.stream,
      account: auth.account,
      role: auth.role,
      ufrag: iceUfrag(offer),
      leg,
      end,
    });
    return { id, answer: leg.answer };
  }

  /**
   * Ends session `id` on behalf of `account`; a session of `account` that
   * ended on its own lately counts as ended by this call, once.
   *
   * @throws {RelayError} 404 no such session, 403 another account's session
   */
  async end(id: string, account: Uint8Array): Promise<void> {
    const ended = this.#ended.get(id);
    // A session whose peer went first (a client closing its connection, then
    // sending DELETE) is ended already: that DELETE is done, not a 404.
    if (ended && !this.#sessions.has(id) && equalBytes(ended, account)) {
      this.#ended.delete(id);
      return;
    }
    const session = this.#ownSession(id, account);
    await session.end();
    this.#ended.delete(id);
  }

  /**
   * Adds ICE candidates the client trickled to session `id` (its ICE
   * credentials must be the session's: an ICE restart is not supported).
   *
   * @throws {RelayError} 404 no such session, 403 another account's session,
   * 422 an ICE restart
   */
  async trickle(
    id: string,
    account: Uint8Array,
    fragment: { ufrag?: string; candidates: TrickledCandidate[] },
  ): Promise<void> {
    const { leg, ufrag } = this.#ownSession(id, account);
    if (fragment.ufrag && ufrag && fragment.ufrag !== ufrag) {
      throw new RelayError(422, "ICE restarts are not supported; start a new session");
    }
    await leg.trickle(fragment.candidates);
  }

  /** Whether session `id` is open. */
  has(id: string): boolean {
    return this.#sessions.has(id);
  }

  /** The streams carried here, with their viewers and where their media comes from. */
  streams(): CarriedStream[] {
    const viewers = new Map<bigint, number>();
    for (const session of this.#sessions.values()) {
      if (session.kind === "watch") {
        viewers.set(session.stream, (viewers.get(session.stream) ?? 0) + 1);
      }
    }
    return [...this.#init.plane.carried()].map(([stream, source]) => ({
      stream: Number(stream),
      viewers: viewers.get(stream) ?? 0,
      source,
    }));
  }

  /** Viewers served now (relays pulling not counted), and the most this relay serves. */
  load(): { viewers: number; maxViewers?: number } {
    let viewers = this.#joining;
    for (const session of this.#sessions.values()) {
      if (session.kind === "watch" && session.role === "watch") viewers++;
    }
    return { viewers, maxViewers: this.#init.maxViewers };
  }

  /** RTP bytes received from sources and sent to viewers so far, over every stream. */
  mediaTraffic(): { inBytes: number; outBytes: number } {
    const { inBytes, outBytes } = this.#init.plane.traffic();
    return { inBytes, outBytes };
  }

  /** Packets forwarded to viewers so far, over every stream. */
  get forwarded(): number {
    return this.#init.plane.traffic().forwarded;
  }

  /** Ends every session and closes the media plane. */
  async close(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((s) => s.end()));
    await this.#init.plane.close();
  }

  #meter(auth: Authenticated, leg: ViewerPlaneLeg, end: () => void): MeteredSession | undefined {
    const payments = this.#init.payments;
    if (!payments) return undefined;
    const who = auth.role === "relay" ? "relay pulling" : "viewer";
    const port: ViewerPort = {
      stream: auth.stream,
      viewer: auth.account,
      send: (message) => leg.sendPay(JSON.stringify(message)),
      cutOff: (reason) => {
        this.#init.log.info(`✂️  Stream ${auth.stream}: ${who} cut off (${reason})`);
        // Let the cutoff message leave before the connection closes.
        setTimeout(end, 200);
      },
      stats: () => leg.stats(),
    };
    const metered = auth.role === "relay" ? payments.pull(port) : payments.session(port);
    leg.onStart(() => metered.start());
    return metered;
  }

  /**
   * The viewer's `sutantra-pay` channel: a `layer` request goes to the
   * plane, anything else to the payment desk; the layer the plane gives the
   * viewer is told back.
   */
  #talk(leg: ViewerPlaneLeg, metered: MeteredSession | undefined): void {
    const send = (message: RelayMessage) => leg.sendPay(JSON.stringify(message));
    leg.onPay((text) => {
      let layer: string | undefined;
      try {
        layer = layerRequest(text);
      } catch (e) {
        return send({ type: "refused", what: "message", reason: (e as Error).message });
      }
      if (layer === undefined) return metered?.onMessage(text);
      leg.setLayer(layer).catch((e) =>
        send({ type: "refused", what: "message", reason: (e as Error).message })
      );
    });
    leg.onLayer((layer, layers) => send({ type: "layer", layer, ...(layers ? { layers } : {}) }));
  }

  /**
   * Admits a viewer (counted as joining until its session is made, or it
   * fails) or refuses it past the node's capacity: sends it to another
   * relay with room when one is known, else asks it to come back.
   *
   * @throws {RelayError} 307 with Location, or 503 with Retry-After
   */
  async #admitViewer(stream: bigint, layer?: string): Promise<void> {
    const { viewers, maxViewers } = this.load();
    if (maxViewers === undefined || viewers < maxViewers) {
      // Counted before anything is awaited, so viewers arriving together cannot overshoot.
      this.#joining++;
      return;
    }
    const relay = await this.#init.overflow?.elsewhere(stream);
    if (relay) {
      // The layer the viewer pinned goes with it.
      const elsewhere = layer === undefined ? relay : `${relay}?layer=${layer}`;
      throw new RelayError(307, `this relay is full: watch at ${elsewhere}`, {
        location: elsewhere,
      });
    }
    throw new RelayError(503, `this relay serves ${viewers} viewers, its most`, {
      "retry-after": "5",
    });
  }

  #streamOrThrow(stream: bigint) {
    const state = this.#init.client.stateAt(this.#init.client.best.header);
    const info = getStream(state, stream);
    if (!info) throw new RelayError(404, `no stream ${stream}`);
    if (info.status.tag === "Ended") throw new RelayError(410, `stream ${stream} has ended`);
    return info;
  }

  #ownSession(id: string, account: Uint8Array): Session {
    const session = this.#sessions.get(id);
    if (!session) throw new RelayError(404, "no such session");
    if (!equalBytes(session.account, account)) {
      throw new RelayError(403, "the session belongs to another account");
    }
    return session;
  }

  /** Drops session `id`, remembering for a while that it ended (see {@link end}). */
  #forget(id: string, account: Uint8Array): void {
    this.#sessions.delete(id);
    this.#ended.delete(id);
    this.#ended.set(id, account);
    if (this.#ended.size > ENDED_KEPT) this.#ended.delete(this.#ended.keys().next().value!);
  }

  #newId(): string {
    return base64urlnopad.encode(randomBytes(16));
  }
}
