/**
 * The node's libp2p host: gossip on genesis-scoped topics, request-response
 * protocols, a genesis handshake, peer reputation with temporary bans,
 * bootnodes and reserved nodes that are redialled when they drop, and peer
 * discovery (a Kademlia DHT on the chain's own protocol, gossipsub peer
 * exchange, peers remembered across restarts) that fills the outbound slots.
 *
 * @module
 */

import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { type GossipSub, gossipsub, TopicValidatorResult } from "@libp2p/gossipsub";
import { type Identify, identify } from "@libp2p/identify";
import type { Libp2p, PeerId } from "@libp2p/interface";
import { type KadDHT, kadDHT, passthroughMapper } from "@libp2p/kad-dht";
import { peerIdFromString } from "@libp2p/peer-id";
import { type Ping, ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { webSockets } from "@libp2p/websockets";
import { createLibp2p } from "libp2p";
import {
  chainScope,
  decodeStatus,
  KeptPeers,
  localStatus,
  MAX_STATUS_BYTES,
  NetworkError,
  NetworkErrorCode,
  protocolId,
  sendRequest,
  serveRequest,
  type Status,
  STATUS_PROTOCOL,
} from "../../client/p2p/mod.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import { Discovery } from "./_discovery.ts";
import { connectionGate } from "./_gater.ts";
import { KnownPeers } from "./_known_peers.ts";
import { Reputation } from "./_reputation.ts";
import type {
  GossipHandler,
  GossipVerdict,
  NetworkOptions,
  PeerEvent,
  PeerInfo,
  RequestHandler,
  Topic,
} from "./types.ts";

/** The libp2p host; a reserved-only node runs no DHT. */
type Host = Libp2p<{ identify: Identify; ping: Ping; pubsub: GossipSub; dht?: KadDHT }>;

const HANDSHAKE_TIMEOUT_MS = 5_000;
/** A peer sending request frames over the limit is banned at the fourth (the threshold is 100). */
const OVERSIZED_FRAME_PENALTY = 30;
/** Substrate's default inbound and outbound peer slots. */
const DEFAULT_IN_PEERS = 32;
const DEFAULT_OUT_PEERS = 8;

/**
 * The network service; create it with {@link Network.start}, end it with {@link Network.stop}.
 *
 * @example
 * ```ts ignore
 * const net = await Network.start({ genesisHash, privateKey, listen: ["/ip4/127.0.0.1/tcp/0"], bootnodes: [] });
 * net.subscribe("blocks", (data, from) => console.log(from, data.length));
 * await net.publish("blocks", new Uint8Array([1]));
 * await net.stop();
 * ```
 */
export class Network {
  /** This node's peer id (base58). */
  readonly peerId: string;
  readonly #host: Host;
  readonly #scope: string;
  readonly #options: NetworkOptions;
  readonly #reputation: Reputation;
  readonly #kept: KeptPeers;
  readonly #discovery?: Discovery;
  readonly #knownPeers?: KnownPeers;
  readonly #ready = new Map<string, Status>();
  readonly #gossip = new Map<string, Set<GossipHandler>>();
  readonly #peerHandlers = {
    connect: new Set<(p: string) => void>(),
    disconnect: new Set<(p: string) => void>(),
  };
  readonly #traffic = { inBytes: 0, outBytes: 0 };
  #running = true;

  private constructor(host: Host, options: NetworkOptions, reputation: Reputation) {
    this.#host = host;
    this.#options = options;
    this.#reputation = reputation;
    this.peerId = host.peerId.toString();
    this.#scope = chainScope(options.genesisHash);
    const reserved = options.reserved ?? [];
    this.#kept = new KeptPeers(
      options.reservedOnly ? reserved : [...options.bootnodes, ...reserved],
      (addr, signal) => host.dial(addr, { signal }),
      options.redial,
    );
    if (options.reservedOnly) return;
    if (options.peersFile) {
      this.#knownPeers = new KnownPeers(options.peersFile, host, (line) => this.#log(line));
    }
    this.#discovery = new Discovery({
      host: host as Libp2p<{ dht: KadDHT }>,
      isBanned: (peerId) => reputation.isBanned(peerId),
      log: (line) => this.#log(line),
    }, { outPeers: options.outPeers ?? DEFAULT_OUT_PEERS });
  }

  /**
   * Starts libp2p, listens, and dials the bootnodes and reserved nodes.
   *
   * @throws {TypeError} on a genesis hash that is not 32 bytes, or a bootnode
   * or reserved node without `/p2p/<id>`
   */
  static async start(options: NetworkOptions): Promise<Network> {
    if (options.genesisHash.length !== 32) {
      throw new TypeError(
        `Invalid genesis hash: expected 32 bytes, got ${options.genesisHash.length}`,
      );
    }
    const reputation = new Reputation(options.reputation);
    const reserved = options.reserved ?? [];
    const discover = !options.reservedOnly;
    const inPeers = options.inPeers ?? DEFAULT_IN_PEERS;
    // Assigned right below: the gate asks the host how many peers came in.
    // deno-lint-ignore prefer-const
    let host: Host;
    host = await createLibp2p({
      privateKey: options.privateKey,
      addresses: { listen: options.listen },
      transports: [tcp(), webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: {
        maxConnections: inPeers + (options.outPeers ?? DEFAULT_OUT_PEERS) + reserved.length,
      },
      connectionGater: connectionGate({
        isBanned: (peerId) => reputation.isBanned(peerId),
        reserved,
        reservedOnly: !discover,
        inboundFull: () => inboundPeers(host) >= inPeers,
      }),
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({
          allowPublishToZeroTopicPeers: true,
          ignoreDuplicatePublishError: true,
          doPX: discover,
        }),
        ...(discover
          ? {
            dht: kadDHT({
              protocol: `${chainScope(options.genesisHash)}/kad/1`,
              // Every node serves the DHT, also on private and loopback addresses (a LAN, a test).
              clientMode: false,
              peerInfoMapper: passthroughMapper,
            }),
          }
          : {}),
      },
      start: false,
    });
    const network = new Network(host, options, reputation);
    try {
      await network.#start();
    } catch (e) {
      await network.stop(); // a port in use: what did start must not keep the process alive
      throw e;
    }
    return network;
  }

  async #start(): Promise<void> {
    const host = this.#host;
    host.addEventListener("peer:connect", (e) => void this.#handshake(e.detail));
    host.addEventListener("peer:disconnect", (e) => this.#disconnected(e.detail.toString()));
    host.services.pubsub.addEventListener("gossipsub:message", (e) => {
      this.#traffic.inBytes += e.detail.msg.data.length;
    });
    await host.handle(STATUS_PROTOCOL, (stream) => {
      serveRequest(
        stream,
        MAX_STATUS_BYTES,
        HANDSHAKE_TIMEOUT_MS,
        () => Promise.resolve(this.#status()),
      )
        .then((n) => this.#count(n), () => {});
    });
    await host.start();
    this.#kept.start(this.peerId);
    await this.#knownPeers?.start();
    this.#discovery?.start();
  }

  /** The addresses this node listens on, each ending in `/p2p/<peer id>`. */
  listenAddresses(): string[] {
    return this.#host.getMultiaddrs().map((a) => a.toString());
  }

  /** Connected peers that passed the genesis handshake. */
  peers(): PeerInfo[] {
    return [...this.#ready.keys()].map((peerId) => this.peer(peerId)!);
  }

  /** A connected peer that passed the genesis handshake, if `peerId` is one. */
  peer(peerId: string): PeerInfo | undefined {
    const status = this.#ready.get(peerId);
    if (!status) return undefined;
    return {
      peerId,
      addresses: this.#host.getConnections(peerIdFromString(peerId)).map((c) =>
        c.remoteAddr.toString()
      ),
      roles: status.role,
      name: status.name,
      best: status.best,
      finalized: status.finalized,
    };
  }

  /** How many peers {@link Network.peers} lists. */
  get peerCount(): number {
    return this.#ready.size;
  }

  /** Bytes of gossip, requests and responses sent and received so far (payloads, not framing). */
  bandwidth(): { inBytes: number; outBytes: number } {
    return { ...this.#traffic };
  }

  /** Gossips `data` on `topic`; resolves with how many peers it was sent to (0 without peers). */
  async publish(topic: Topic, data: Uint8Array): Promise<number> {
    this.#assertRunning();
    const { recipients } = await this.#host.services.pubsub.publish(this.#topic(topic), data);
    this.#traffic.outBytes += data.length * recipients.length;
    return recipients.length;
  }

  /** Calls `handler` for every gossip message on `topic`; returns a function that unsubscribes. */
  subscribe(topic: Topic, handler: GossipHandler): () => void {
    this.#assertRunning();
    const name = this.#topic(topic);
    let handlers = this.#gossip.get(name);
    if (handlers === undefined) {
      const all = handlers = new Set();
      this.#gossip.set(name, all);
      // Handlers run as the topic's validator: a message is forwarded only once they accept it.
      this.#host.services.pubsub.topicValidators.set(
        name,
        (peer, msg) => this.#validate(name, all, msg.data, peer.toString()),
      );
      this.#host.services.pubsub.subscribe(name);
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.#gossip.get(name) !== handlers) return;
      this.#gossip.delete(name);
      this.#host.services.pubsub.topicValidators.delete(name);
      if (this.#running) this.#host.services.pubsub.unsubscribe(name);
    };
  }

  /**
   * Serves requests on protocol `name` (`/sutantra/<genesis hex>/<name>/1`).
   *
   * @throws {TypeError} on a name that is not `[A-Za-z0-9_-]+`
   */
  async handle(name: string, handler: RequestHandler): Promise<void> {
    this.#assertRunning();
    const maxRequest = this.#options.maxRequestBytes ?? 1 << 20;
    const maxResponse = this.#options.maxResponseBytes ?? 16 << 20;
    const timeout = this.#options.requestTimeoutMs ?? 20_000;
    await this.#host.handle(this.#protocol(name), (stream, connection) => {
      const from = connection.remotePeer.toString();
      serveRequest(stream, maxRequest, timeout, async (request) => {
        const response = await handler(request, from);
        if (response.length > maxResponse) {
          throw new RangeError(
            `Response too large: ${response.length} bytes, limit ${maxResponse}`,
          );
        }
        return response;
      }).then(
        (n) => this.#count(n),
        (err) => {
          this.#log(`request from ${from} on ${name} dropped: ${err}`);
          // it-length-prefixed's error for a length prefix over the limit: the peer
          // sent what this node said it refuses (one may be a mistake, a stream is not).
          if ((err as Error)?.name === "InvalidDataLengthError") {
            this.report(from, OVERSIZED_FRAME_PENALTY, `request frame over ${maxRequest} bytes`);
          }
        },
      );
    });
  }

  /** Stops serving protocol `name`. */
  async unhandle(name: string): Promise<void> {
    await this.#host.unhandle(this.#protocol(name));
  }

  /**
   * Sends `request` to `peerId` on protocol `name` and resolves with the response.
   *
   * @throws {RangeError} when the request is larger than `maxRequestBytes`
   * @throws {NetworkError} `NETWORK_REQUEST_TIMEOUT`, `NETWORK_REMOTE_ERROR` or `NETWORK_REQUEST_FAILED`
   */
  async request(
    peerId: string,
    name: string,
    request: Uint8Array,
    options: { timeoutMs?: number } = {},
  ): Promise<Uint8Array> {
    this.#assertRunning();
    const maxRequest = this.#options.maxRequestBytes ?? 1 << 20;
    if (request.length > maxRequest) {
      throw new RangeError(`Request too large: ${request.length} bytes, limit ${maxRequest}`);
    }
    const exchange = await sendRequest(
      this.#host,
      peerIdFromString(peerId),
      this.#protocol(name),
      request,
      {
        maxResponseBytes: this.#options.maxResponseBytes ?? 16 << 20,
        timeoutMs: options.timeoutMs ?? this.#options.requestTimeoutMs ?? 20_000,
      },
    );
    this.#count(exchange);
    return exchange.response;
  }

  /**
   * Lowers a peer's reputation by `penalty` (negative rewards). Below the ban
   * threshold the peer is disconnected and refused for the ban period.
   */
  report(peerId: string, penalty: number, reason: string): void {
    if (!this.#reputation.report(peerId, penalty)) return;
    this.#ban(peerId, `reputation below ${this.#reputation.banThreshold} (last: ${reason})`);
  }

  /** The current (decayed) reputation of a peer; 0 when it was never reported. */
  reputation(peerId: string): number {
    return this.#reputation.score(peerId);
  }

  /** Calls `handler` with the peer id on each `connect`/`disconnect`; returns a function that stops it. */
  onPeer(event: PeerEvent, handler: (peerId: string) => void): () => void {
    this.#peerHandlers[event].add(handler);
    return () => this.#peerHandlers[event].delete(handler);
  }

  /** Closes every connection, stops listening and dialling. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#kept.stop();
    this.#discovery?.stop();
    await this.#knownPeers?.stop();
    await this.#host.stop();
    this.#ready.clear();
  }

  async #handshake(peer: PeerId): Promise<void> {
    const id = peer.toString();
    try {
      const exchange = await sendRequest(this.#host, peer, STATUS_PROTOCOL, this.#status(), {
        maxResponseBytes: MAX_STATUS_BYTES,
        timeoutMs: HANDSHAKE_TIMEOUT_MS,
      });
      this.#count(exchange);
      const status = decodeStatus(exchange.response);
      if (toHexRaw(status.genesisHash) !== toHexRaw(this.#options.genesisHash)) {
        return this.#ban(id, `different genesis 0x${toHexRaw(status.genesisHash)}`);
      }
      if (!this.#running || this.#host.getConnections(peer).length === 0) return;
      if (this.#ready.has(id)) return;
      this.#ready.set(id, status);
      this.#kept.connected(id);
      this.#emit("connect", id);
      await this.#knownPeers?.remember(peer);
    } catch (err) {
      if (!this.#running) return;
      this.#log(`handshake with ${id} failed: ${(err as Error).message}`);
      await this.#host.hangUp(peer).catch(() => {});
    }
  }

  /** This node's status as of now: the chain head moves, so it is encoded per handshake. */
  #status(): Uint8Array {
    const { genesisHash, roles, name, head } = this.#options;
    return localStatus(genesisHash, roles ?? "full", name ?? "", head);
  }

  #disconnected(peerId: string): void {
    this.#kept.disconnected(peerId);
    if (this.#ready.delete(peerId)) this.#emit("disconnect", peerId);
  }

  #ban(peerId: string, reason: string): void {
    this.#reputation.ban(peerId);
    this.#log(`banned ${peerId} for ${this.#reputation.banMs} ms: ${reason}`);
    if (this.#running) this.#host.hangUp(peerIdFromString(peerId)).catch(() => {});
  }

  #emit(event: PeerEvent, peerId: string): void {
    for (const handler of this.#peerHandlers[event]) {
      this.#guard(`${event} handler`, () => handler(peerId));
    }
  }

  /** Runs every handler of a topic; a handler that throws counts as `ignore`. */
  async #validate(
    topic: string,
    handlers: Set<GossipHandler>,
    data: Uint8Array,
    from: string,
  ): Promise<TopicValidatorResult> {
    let verdict: GossipVerdict = "accept";
    for (const handler of handlers) {
      let said: GossipVerdict | void;
      try {
        said = await handler(data, from);
      } catch (err) {
        this.#log(`gossip handler on ${topic} failed: ${(err as Error)?.message ?? err}`);
        said = "ignore";
      }
      if (said === "reject") verdict = "reject";
      else if (said === "ignore" && verdict === "accept") verdict = "ignore";
    }
    return verdict === "accept"
      ? TopicValidatorResult.Accept
      : verdict === "reject"
      ? TopicValidatorResult.Reject
      : TopicValidatorResult.Ignore;
  }

  /** Runs a user callback so that neither a throw nor a rejection escapes. */
  #guard(what: string, fn: () => unknown): void {
    const fail = (err: unknown) => this.#log(`${what} failed: ${(err as Error)?.message ?? err}`);
    try {
      Promise.resolve(fn()).catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  #count(n: { sent: number; received: number }): void {
    this.#traffic.outBytes += n.sent;
    this.#traffic.inBytes += n.received;
  }

  #topic(topic: Topic): string {
    if (topic !== "blocks" && topic !== "transactions" && topic !== "grandpa") {
      throw new TypeError(`Invalid topic: ${topic}`);
    }
    return `${this.#scope}/${topic}/1`;
  }

  #protocol(name: string): string {
    return protocolId(this.#options.genesisHash, name);
  }

  #assertRunning(): void {
    if (!this.#running) throw new NetworkError(NetworkErrorCode.NotRunning, "Network is stopped");
  }

  #log(message: string): void {
    this.#options.log?.(message);
  }
}

/** Peers with a connection this node accepted. */
function inboundPeers(host: Host): number {
  const inbound = host.getConnections().filter((c) => c.direction === "inbound");
  return new Set(inbound.map((c) => c.remotePeer.toString())).size;
}
