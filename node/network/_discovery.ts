/**
 * Keeps the node's outbound slots filled, as Substrate's peerset does: while
 * fewer than `outPeers` peers are connected by this node's own dials, it
 * dials peers it knows of (from the DHT, gossipsub peer exchange, identify
 * and the peers file) and, when it knows too few, walks the Kademlia DHT
 * towards a random key to learn of more.
 *
 * @module
 */

import type { KadDHT } from "@libp2p/kad-dht";
import type { Libp2p, Peer } from "@libp2p/interface";
import { BoundedMap } from "../bounded_map.ts";

/** Targets and pace of discovery. */
export interface DiscoveryInit {
  /** How many peers to dial out to. */
  outPeers: number;
  /** How often the slots are looked at. Default 1 s. */
  intervalMs?: number;
}

/** What discovery needs from the rest of the network service. */
export interface DiscoveryComponents {
  host: Libp2p<{ dht: KadDHT }>;
  /** Whether a peer is banned now (it is not dialled). */
  isBanned: (peerId: string) => boolean;
  log: (message: string) => void;
}

/** After a failed dial a peer waits this long, doubled per failure, up to the maximum. */
const RETRY_MS = 2_000;
const MAX_RETRY_MS = 5 * 60_000;
/** A random walk gives up after this long. */
const WALK_TIMEOUT_MS = 10_000;
/**
 * Walks while slots stay free are spaced 1 s, 2 s, 4 s ... apart, up to a minute (as
 * Substrate's discovery): a small network, where every slot can never be filled, is not
 * queried every second for ever.
 */
const FIRST_WALK_DELAY_MS = 1_000;
const MAX_WALK_DELAY_MS = 60_000;

/** The dialler of outbound slots; `start` and `stop` it with the host. */
export class Discovery {
  readonly #host: Libp2p<{ dht: KadDHT }>;
  readonly #components: DiscoveryComponents;
  readonly #outPeers: number;
  readonly #intervalMs: number;
  /** Peer id to its failures and when it may be dialled again. */
  readonly #failures = new BoundedMap<string, { count: number; retryAt: number }>(1_024);
  readonly #dialling = new Set<string>();
  readonly #abort = new AbortController();
  #timer?: ReturnType<typeof setInterval>;
  #walking = false;
  #walkDelayMs = FIRST_WALK_DELAY_MS;
  #nextWalkAt = 0;

  constructor(components: DiscoveryComponents, init: DiscoveryInit) {
    this.#components = components;
    this.#host = components.host;
    this.#outPeers = init.outPeers;
    this.#intervalMs = init.intervalMs ?? 1_000;
  }

  /** Looks at the slots now and every interval after. */
  start(): void {
    const tick = () => void this.#fill().catch((e) => this.#components.log(`discovery: ${e}`));
    tick();
    this.#timer = setInterval(tick, this.#intervalMs);
  }

  /** Stops dialling and walking. */
  stop(): void {
    clearInterval(this.#timer);
    this.#abort.abort();
  }

  async #fill(): Promise<void> {
    const connections = this.#host.getConnections();
    const connected = new Set(connections.map((c) => c.remotePeer.toString()));
    const outbound = new Set(
      connections.filter((c) => c.direction === "outbound").map((c) => c.remotePeer.toString()),
    );
    const free = this.#outPeers - outbound.size - this.#dialling.size;
    if (free <= 0) return;
    const self = this.#host.peerId.toString();
    const now = Date.now();
    const candidates = (await this.#host.peerStore.all()).filter((peer) => {
      const id = peer.id.toString();
      return id !== self && peer.addresses.length > 0 && !connected.has(id) &&
        !this.#dialling.has(id) && !this.#components.isBanned(id) &&
        (this.#failures.get(id)?.retryAt ?? 0) <= now;
    });
    for (const peer of shuffle(candidates).slice(0, free)) this.#dial(peer);
    if (candidates.length < free) this.#walk();
  }

  #dial(peer: Peer): void {
    const id = peer.id.toString();
    this.#dialling.add(id);
    this.#host.dial(peer.id, { signal: this.#abort.signal }).then(
      () => this.#failures.delete(id),
      () => {
        const count = (this.#failures.get(id)?.count ?? 0) + 1;
        const wait = Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** (count - 1));
        this.#failures.set(id, { count, retryAt: Date.now() + wait });
      },
    ).finally(() => this.#dialling.delete(id));
  }

  /** Asks the DHT for the peers closest to a random key: every peer met on the way becomes known. */
  #walk(): void {
    if (this.#walking || Date.now() < this.#nextWalkAt) return;
    this.#walking = true;
    this.#nextWalkAt = Date.now() + this.#walkDelayMs;
    this.#walkDelayMs = Math.min(MAX_WALK_DELAY_MS, this.#walkDelayMs * 2);
    const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(WALK_TIMEOUT_MS)]);
    (async () => {
      const key = crypto.getRandomValues(new Uint8Array(32));
      for await (const _ of this.#host.services.dht.getClosestPeers(key, { signal })) {
        // the DHT adds what it meets to the peer store; the next look at the slots dials it
      }
    })().catch(() => {}).finally(() => this.#walking = false);
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
