/**
 * The peers a node has talked to, kept in a JSON file (a list of multiaddrs
 * ending in `/p2p/<id>`, newest first, bounded) so that after a restart it
 * finds the network again without its bootnodes: at start they go into the
 * peer store, where discovery dials them from.
 *
 * @module
 */

import type { Libp2p, PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { multiaddr } from "@multiformats/multiaddr";
import { BoundedMap } from "../bounded_map.ts";
import { peerIdOf } from "../../client/p2p/mod.ts";

/** How many peers the file holds at most. */
export const MAX_KNOWN_PEERS = 64;
/** How many addresses of one peer it holds at most. */
const MAX_ADDRESSES = 4;
/** How often the file is written (and at stop). */
const SAVE_MS = 30_000;

/** Known peers and their addresses, read from and written to one file. */
export class KnownPeers {
  readonly #path: string;
  readonly #host: Libp2p;
  readonly #log: (message: string) => void;
  /** Peer id to its addresses (with `/p2p/<id>`); the newest peer last. */
  readonly #peers = new BoundedMap<string, string[]>(MAX_KNOWN_PEERS);
  #dirty = false;
  #timer?: ReturnType<typeof setInterval>;

  constructor(path: string, host: Libp2p, log: (message: string) => void) {
    this.#path = path;
    this.#host = host;
    this.#log = log;
  }

  /**
   * Reads the file into the peer store and writes it every 30 s from now on.
   * A missing or unreadable file counts as empty: the node still has its bootnodes.
   */
  async start(): Promise<void> {
    for (const [peerId, addresses] of await this.#read()) {
      this.#peers.set(peerId, addresses);
      if (peerId === this.#host.peerId.toString()) continue;
      await this.#host.peerStore.merge(peerIdFromString(peerId), {
        multiaddrs: addresses.map((a) => multiaddr(a)),
      }).catch((e) => this.#log(`known peer ${peerId} skipped: ${e}`));
    }
    this.#timer = setInterval(() => void this.#save(), SAVE_MS);
  }

  /** `peer` just connected: its dialable addresses are kept, and it becomes the newest. */
  async remember(peer: PeerId): Promise<void> {
    const stored = await this.#host.peerStore.get(peer).catch(() => undefined);
    const listened = stored?.addresses.map((a) => a.multiaddr.toString()) ?? [];
    const dialled = this.#host.getConnections(peer).filter((c) => c.direction === "outbound")
      .map((c) => c.remoteAddr.toString().replace(/\/p2p\/.*$/, ""));
    const addresses = [...new Set([...dialled, ...listened])].slice(0, MAX_ADDRESSES);
    if (addresses.length === 0) return;
    this.#peers.set(peer.toString(), addresses.map((a) => `${a}/p2p/${peer}`));
    this.#dirty = true;
  }

  /** Writes the file a last time and stops writing it. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#save();
  }

  /** Peer id to addresses, oldest peer first. */
  async #read(): Promise<[string, string[]][]> {
    let listed: unknown;
    try {
      listed = JSON.parse(await Deno.readTextFile(this.#path));
    } catch {
      return [];
    }
    if (!Array.isArray(listed)) return [];
    const grouped = new Map<string, string[]>();
    for (const text of listed.map(String)) {
      try {
        const peerId = peerIdOf(multiaddr(text));
        grouped.set(peerId, [...(grouped.get(peerId) ?? []), text].slice(0, MAX_ADDRESSES));
      } catch {
        // an address edited by hand: skip it, keep the rest
      }
    }
    return [...grouped].reverse().slice(-MAX_KNOWN_PEERS);
  }

  /** Writes the file if anything changed since the last write, through a rename: never half-written. */
  async #save(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const newestFirst = [...this.#peers.values()].reverse().flat();
    const temporary = `${this.#path}.tmp`;
    try {
      await Deno.writeTextFile(temporary, JSON.stringify(newestFirst, null, 1));
      await Deno.rename(temporary, this.#path);
    } catch (e) {
      this.#log(`peers file not written: ${e}`);
    }
  }
}
