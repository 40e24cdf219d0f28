/**
 * A light client's transport that runs in a browser as in Deno: a small
 * libp2p host (WebSockets, noise and yamux, nothing more) that dials full
 * nodes at their `/ws` addresses, passes the status handshake a full node
 * asks of every peer (role `light`), and asks them on their `light`
 * protocol with the node network's request framing (`client/p2p/`).
 *
 * It listens nowhere and accepts no connection. A peer the client bans is
 * hung up on and never dialled or accepted again; a bootnode that drops is
 * redialled with a backoff. A peer of another chain (its handshake names
 * another genesis) is banned the same way.
 *
 * @module
 */
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import type { Libp2p, PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { webSockets } from "@libp2p/websockets";
import { createLibp2p } from "libp2p";
import {
  type ChainHead,
  decodeStatus,
  KeptPeers,
  localStatus,
  MAX_STATUS_BYTES,
  protocolId,
  type RedialInit,
  sendRequest,
  serveRequest,
  type Status,
  STATUS_PROTOCOL,
} from "../p2p/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { LightTransport } from "./client.ts";
import { LIGHT_PROTOCOL } from "./protocol.ts";

const HANDSHAKE_TIMEOUT_MS = 5_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** A proof may be large: the full node's own bound on what it answers. */
const DEFAULT_MAX_RESPONSE_BYTES = 16 << 20;

/** Options of {@link Libp2pTransport.start}. */
export interface Libp2pTransportInit {
  /** The chain: peers whose handshake names another genesis are banned. */
  genesisHash: Uint8Array;
  /** Full nodes' WebSocket multiaddrs, each with `/p2p/<id>` (`/ip4/…/tcp/N/ws/p2p/…`). */
  bootnodes: string[];
  /** The name the handshake announces (at most 64 bytes are sent). */
  name?: string;
  /** Where the client's chain is, said at each handshake. Default: genesis for both. */
  head?: () => ChainHead;
  /** How long a light request may wait for its answer. Default 10 s. */
  requestTimeoutMs?: number;
  /** Largest answer accepted. Default 16 MiB. */
  maxResponseBytes?: number;
  /** Redial backoff of the bootnodes. */
  redial?: RedialInit;
  /** Receives one line per notable event (handshakes failed, bans). */
  log?: (line: string) => void;
}

/**
 * Full nodes reached over WebSockets, as a {@link LightTransport}; start it
 * with {@link Libp2pTransport.start}, end it with {@link Libp2pTransport.stop}.
 *
 * @example
 * ```ts ignore
 * const transport = await Libp2pTransport.start({
 *   genesisHash,
 *   bootnodes: ["/ip4/127.0.0.1/tcp/30334/ws/p2p/12D3KooW…"],
 * });
 * const client = new LightClient(checkpoint, transport, verify);
 * await client.sync();
 * ```
 */
export class Libp2pTransport implements LightTransport {
  /** This client's peer id (a fresh key each start). */
  readonly peerId: string;
  readonly #host: Libp2p;
  readonly #init: Libp2pTransportInit;
  readonly #kept: KeptPeers;
  readonly #banned: Map<string, string>;
  /** Peers that passed the handshake, with what they said, in the order they did. */
  readonly #ready = new Map<string, Status>();
  #running = true;

  private constructor(host: Libp2p, init: Libp2pTransportInit, banned: Map<string, string>) {
    this.#host = host;
    this.#init = init;
    this.#banned = banned;
    this.peerId = host.peerId.toString();
    this.#kept = new KeptPeers(
      init.bootnodes,
      (addr, signal) => host.dial(addr, { signal }),
      init.redial,
    );
  }

  /**
   * Starts the host, and dials the bootnodes (and keeps dialling them).
   *
   * @throws {TypeError} on a genesis hash that is not 32 bytes, or a
   * bootnode without `/p2p/<id>`
   */
  static async start(init: Libp2pTransportInit): Promise<Libp2pTransport> {
    if (init.genesisHash.length !== 32) {
      throw new TypeError(
        `Invalid genesis hash: expected 32 bytes, got ${init.genesisHash.length}`,
      );
    }
    const banned = new Map<string, string>();
    const refused = (peer: PeerId) => banned.has(peer.toString());
    const host = await createLibp2p({
      addresses: { listen: [] },
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        denyInboundConnection: () => true,
        denyDialPeer: refused,
        denyOutboundEncryptedConnection: refused,
        // A browser's libp2p refuses plain ws and private addresses unless told
        // otherwise; a page's own node is on ws at 127.0.0.1 or on a LAN.
        denyDialMultiaddr: () => false,
      },
      start: false,
    });
    const transport = new Libp2pTransport(host, init, banned);
    await transport.#start();
    return transport;
  }

  async #start(): Promise<void> {
    const host = this.#host;
    host.addEventListener("peer:connect", (e) => void this.#handshake(e.detail));
    host.addEventListener("peer:disconnect", (e) => {
      const id = e.detail.toString();
      this.#ready.delete(id);
      this.#kept.disconnected(id);
    });
    // A full node hangs up on a peer that does not answer its handshake.
    await host.handle(STATUS_PROTOCOL, (stream) => {
      serveRequest(
        stream,
        MAX_STATUS_BYTES,
        HANDSHAKE_TIMEOUT_MS,
        () => Promise.resolve(this.#status()),
      ).catch(() => {});
    });
    await host.start();
    this.#kept.start(this.peerId);
  }

  /** Full nodes that passed the handshake and are not banned, in the order they did. */
  peers(): string[] {
    return [...this.#ready].filter(([id, status]) =>
      status.role !== "light" && !this.#banned.has(id)
    )
      .map(([id]) => id);
  }

  /**
   * Sends a light request's bytes to `peer`; resolves with its answer.
   *
   * @throws {NetworkError} `NETWORK_REQUEST_TIMEOUT`, `NETWORK_REMOTE_ERROR`
   * or `NETWORK_REQUEST_FAILED`
   */
  async request(peer: string, request: Uint8Array): Promise<Uint8Array> {
    const exchange = await sendRequest(
      this.#host,
      peerIdFromString(peer),
      protocolId(this.#init.genesisHash, LIGHT_PROTOCOL),
      request,
      {
        maxResponseBytes: this.#init.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        timeoutMs: this.#init.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      },
    );
    return exchange.response;
  }

  /** Hangs up on `peer` and never dials or accepts it again. */
  ban(peer: string, reason: string): void {
    if (this.#banned.has(peer)) return;
    this.#banned.set(peer, reason);
    this.#ready.delete(peer);
    this.#kept.forget(peer);
    this.#log(`banned ${peer}: ${reason}`);
    if (this.#running) this.#host.hangUp(peerIdFromString(peer)).catch(() => {});
  }

  /** The peers banned so far, with why. */
  get bans(): ReadonlyMap<string, string> {
    return this.#banned;
  }

  /** Hangs up on every peer and stops dialling. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#kept.stop();
    await this.#host.stop();
    this.#ready.clear();
  }

  async #handshake(peer: PeerId): Promise<void> {
    const id = peer.toString();
    try {
      const { response } = await sendRequest(this.#host, peer, STATUS_PROTOCOL, this.#status(), {
        maxResponseBytes: MAX_STATUS_BYTES,
        timeoutMs: HANDSHAKE_TIMEOUT_MS,
      });
      const status = decodeStatus(response);
      if (toHex(status.genesisHash) !== toHex(this.#init.genesisHash)) {
        return this.ban(id, `a peer of another chain (genesis ${toHex(status.genesisHash)})`);
      }
      if (!this.#running || this.#host.getConnections(peer).length === 0) return;
      this.#ready.set(id, status);
      this.#kept.connected(id);
    } catch (err) {
      if (!this.#running) return;
      this.#log(`handshake with ${id} failed: ${(err as Error).message}`);
      await this.#host.hangUp(peer).catch(() => {});
    }
  }

  /** This client's status as of now (its finalized block moves). */
  #status(): Uint8Array {
    return localStatus(this.#init.genesisHash, "light", this.#init.name ?? "", this.#init.head);
  }

  #log(line: string): void {
    this.#init.log?.(line);
  }
}
