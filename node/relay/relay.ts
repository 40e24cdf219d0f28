/**
 * The relay: every stream this node carries, the sessions publishing into
 * and watching from it, and who may do which (the chain says).
 *
 * A publisher (WHIP) becomes its stream's source; a viewer (WHEP) gets a leg
 * on the stream's hub, fed from the local source or, when there is none,
 * from another relay pulled upstream. Viewers pay through the payment desk
 * over their `sutantra-pay` data channel; a viewer the desk cuts off loses
 * its session.
 *
 * @module
 */
import type { PeerConfig, RTCDataChannel, RTCPeerConnection } from "werift";
import { randomBytes } from "node:crypto";
import { base64urlnopad } from "@scure/base";
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import { canWatch } from "../../pallets/access/mod.ts";
import { isRegisteredRelay } from "../../pallets/qos-rewards/mod.ts";
import { getStream } from "../../pallets/streams/mod.ts";
import type { ChainClient } from "../chain/mod.ts";
import type { Logger } from "../log.ts";
import type { Authenticated } from "./auth.ts";
import type { RelayDirectory } from "./directory.ts";
import { StreamHub } from "./media/hub.ts";
import { SourceLeg } from "./media/source.ts";
import { ViewerLeg, type ViewerStats } from "./media/viewer.ts";
import type { RelayMessage } from "./pay/messages.ts";
import { type Seat, SessionCaps } from "./session_caps.ts";
import type { UpstreamPuller } from "./upstream.ts";

/** How long a viewer's request waits for the stream to arrive (locally or from upstream). */
const SOURCE_WAIT_MS = 8_000;
/** A hub with no source and no viewer for this long is dropped. */
const IDLE_HUB_MS = 30_000;

/** A relay request refused, with the HTTP status that says why. */
export class RelayError extends Error {
  override name = "RelayError";
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

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
  /** The session's peer connection, for trickled candidates. */
  pc: RTCPeerConnection;
  end(): Promise<void>;
}

/** A stream as `GET /relay/streams` lists it. */
export interface CarriedStream {
  stream: number;
  viewers: number;
  source: "publisher" | "upstream" | null;
}

/** Options of a relay. */
export interface RelayInit {
  client: ChainClient;
  peerConfig: Partial<PeerConfig>;
  log: Logger;
  payments?: PaymentSessions;
  directory?: RelayDirectory;
  upstream?: UpstreamPuller;
  /** Caps on sessions per account, per IP and in all (the defaults if unset). */
  caps?: SessionCaps;
}

/** Every stream this node carries, and the sessions on them. */
export class Relay {
  readonly #init: RelayInit;
  readonly #caps: SessionCaps;
  readonly #hubs = new Map<bigint, StreamHub>();
  /** What hubs closed since start carried: the traffic counters never go back. */
  readonly #closedHubsTraffic = { inBytes: 0, outBytes: 0 };
  readonly #sessions = new Map<string, Session>();
  readonly #idle = new Map<bigint, ReturnType<typeof setTimeout>>();
  /** Until when a hub's upstream is kept without viewers. */
  readonly #wantedUntil = new WeakMap<StreamHub, number>();

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
    let negotiated;
    try {
      negotiated = await SourceLeg.answering(offer, this.#init.peerConfig);
    } catch (e) {
      seat.release();
      throw new RelayError(400, `cannot negotiate the offer: ${(e as Error).message}`);
    }
    const { source, answer } = negotiated;
    const hub = this.#hub(auth.stream);
    for (const session of this.#sessions.values()) {
      if (session.kind === "publish" && session.stream === auth.stream) void session.end();
    }
    hub.attach(source);
    const id = this.#newId();
    let ended = false;
    const end = async () => {
      if (ended) return;
      ended = true;
      seat.release();
      this.#sessions.delete(id);
      hub.detach(source);
      await source.close();
      this.#afterChange(hub);
    };
    source.onGone(() => void end());
    this.#sessions.set(id, {
      id,
      kind: "publish",
      stream: auth.stream,
      account: auth.account,
      pc: source.pc,
      end,
    });
    source.codecKnown().then(() => this.#afterChange(hub));
    this.#init.log.info(`🎥 Stream ${auth.stream}: publisher connected`);
    return { id, answer };
  }

  /**
   * A viewer's (or another relay's) WHEP offer: its answer and session id.
   *
   * @throws {RelayError} 403 no access, 404/410 no such or ended stream, 409 not live or
   * not reachable here yet (with Retry-After), 400 bad SDP, 429/503 past a session cap
   */
  async watch(
    auth: Authenticated,
    offer: string,
    address: string,
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
    const seat = this.#caps.admit(auth.account, auth.role, address);
    try {
      return await this.#startWatching(auth, offer, seat);
    } catch (e) {
      seat.release();
      throw e;
    }
  }

  /** Negotiates a viewer's leg on the stream's hub; `seat` is given back when the session ends. */
  async #startWatching(
    auth: Authenticated,
    offer: string,
    seat: Seat,
  ): Promise<{ id: string; answer: string }> {
    const hub = this.#hub(auth.stream);
    // Relays are served from a local source only, so two relays never pull from each other.
    if (!hub.source && auth.role === "watch") this.#pullUpstream(hub);
    const source = await hub.sourceReady(auth.role === "watch" ? SOURCE_WAIT_MS : 0);
    if (!source?.videoCodec) {
      this.#afterChange(hub);
      throw new RelayError(409, "the stream has not reached this node yet", { "retry-after": "2" });
    }
    let negotiated;
    try {
      negotiated = await ViewerLeg.answering(offer, this.#init.peerConfig, source.videoCodec);
    } catch (e) {
      throw new RelayError(400, `cannot negotiate the offer: ${(e as Error).message}`);
    }
    const { viewer, answer } = negotiated;
    const id = this.#newId();
    const metered = this.#meter(auth, viewer, () => void end());
    let ended = false;
    const end = async () => {
      if (ended) return;
      ended = true;
      seat.release();
      this.#sessions.delete(id);
      hub.remove(viewer);
      this.#wantedUntil.set(hub, Date.now() + SOURCE_WAIT_MS);
      await viewer.close();
      await metered?.close();
      this.#afterChange(hub);
    };
    viewer.onGone(() => void end());
    hub.add(viewer);
    this.#sessions.set(id, {
      id,
      kind: "watch",
      stream: auth.stream,
      account: auth.account,
      pc: viewer.pc,
      end,
    });
    this.#afterChange(hub);
    return { id, answer };
  }

  /**
   * Ends session `id` on behalf of `account`.
   *
   * @throws {RelayError} 404 no such session, 403 another account's session
   */
  async end(id: string, account: Uint8Array): Promise<void> {
    const session = this.#ownSession(id, account);
    await session.end();
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
    fragment: { ufrag?: string; candidates: { candidate: string; sdpMid?: string }[] },
  ): Promise<void> {
    const { pc } = this.#ownSession(id, account);
    const remote = pc.remoteDescription?.sdp.match(/^a=ice-ufrag:(\S+)/m)?.[1];
    if (fragment.ufrag && remote && fragment.ufrag !== remote) {
      throw new RelayError(422, "ICE restarts are not supported; start a new session");
    }
    for (const candidate of fragment.candidates) {
      await pc.addIceCandidate(candidate).catch(() => {
        throw new RelayError(400, `bad candidate: ${candidate.candidate}`);
      });
    }
  }

  /** Whether session `id` is open. */
  has(id: string): boolean {
    return this.#sessions.has(id);
  }

  /** The streams carried here, with their viewers and where their media comes from. */
  streams(): CarriedStream[] {
    return [...this.#hubs.values()].map((hub) => ({
      stream: Number(hub.stream),
      viewers:
        [...this.#sessions.values()].filter((s) => s.kind === "watch" && s.stream === hub.stream)
          .length,
      source: hub.source?.origin ?? null,
    }));
  }

  /** RTP bytes received from sources and sent to viewers so far, over every stream. */
  mediaTraffic(): { inBytes: number; outBytes: number } {
    let { inBytes, outBytes } = this.#closedHubsTraffic;
    for (const hub of this.#hubs.values()) {
      inBytes += hub.bytesIn;
      outBytes += hub.bytesOut;
    }
    return { inBytes, outBytes };
  }

  /** Packets forwarded to viewers so far, over every stream. */
  get forwarded(): number {
    let total = 0;
    for (const hub of this.#hubs.values()) total += hub.forwarded;
    return total;
  }

  /** Ends every session and closes every hub. */
  async close(): Promise<void> {
    this.#init.upstream?.stop();
    for (const timer of this.#idle.values()) clearTimeout(timer);
    await Promise.all([...this.#sessions.values()].map((s) => s.end()));
    await Promise.all([...this.#hubs.values()].map((h) => h.close()));
    this.#hubs.clear();
  }

  #meter(auth: Authenticated, viewer: ViewerLeg, end: () => void): MeteredSession | undefined {
    const payments = this.#init.payments;
    if (!payments) return undefined;
    let channel: RTCDataChannel | undefined;
    const queued: string[] = [];
    const who = auth.role === "relay" ? "relay pulling" : "viewer";
    const port: ViewerPort = {
      stream: auth.stream,
      viewer: auth.account,
      send(message) {
        const text = JSON.stringify(message);
        if (channel?.readyState === "open") channel.send(text);
        else queued.push(text);
      },
      cutOff: (reason) => {
        this.#init.log.info(`✂️  Stream ${auth.stream}: ${who} cut off (${reason})`);
        // Let the cutoff message leave before the connection closes.
        setTimeout(end, 200);
      },
      stats: () => viewer.stats(),
    };
    const metered = auth.role === "relay" ? payments.pull(port) : payments.session(port);
    viewer.onPayChannel((open) => {
      channel = open;
      for (const text of queued.splice(0)) open.send(text);
      open.onMessage.subscribe((data) => metered.onMessage(String(data)));
    });
    viewer.onStart(() => metered.start());
    return metered;
  }

  /**
   * Pulls `hub` from another relay while it has viewers (or one is waiting
   * for it to arrive, or left less than {@link SOURCE_WAIT_MS} ago) and no
   * publisher here took over.
   */
  #pullUpstream(hub: StreamHub): void {
    const upstream = this.#init.upstream;
    if (!upstream) return;
    this.#wantedUntil.set(hub, Date.now() + SOURCE_WAIT_MS);
    upstream.pull(
      hub,
      () =>
        this.#hubs.get(hub.stream) === hub && hub.source?.origin !== "publisher" &&
        (hub.viewers.size > 0 || Date.now() < (this.#wantedUntil.get(hub) ?? 0)),
    );
  }

  /** Tells the directory what is carried, and drops hubs left idle. */
  #afterChange(hub: StreamHub): void {
    const carrying = !!hub.source?.videoCodec;
    this.#init.directory?.setCarrying(hub.stream, carrying);
    clearTimeout(this.#idle.get(hub.stream));
    this.#idle.delete(hub.stream);
    if (hub.source || hub.viewers.size > 0) return;
    this.#idle.set(
      hub.stream,
      setTimeout(() => {
        this.#idle.delete(hub.stream);
        if (hub.source || hub.viewers.size > 0 || this.#hubs.get(hub.stream) !== hub) return;
        this.#hubs.delete(hub.stream);
        this.#closedHubsTraffic.inBytes += hub.bytesIn;
        this.#closedHubsTraffic.outBytes += hub.bytesOut;
        void hub.close();
      }, IDLE_HUB_MS),
    );
  }

  #hub(stream: bigint): StreamHub {
    let hub = this.#hubs.get(stream);
    if (!hub) {
      hub = new StreamHub(stream);
      this.#hubs.set(stream, hub);
    }
    return hub;
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

  #newId(): string {
    return base64urlnopad.encode(randomBytes(16));
  }
}
