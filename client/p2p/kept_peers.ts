/**
 * Keeps a peer connected to the peers it was told of (a node's bootnodes
 * and reserved nodes, a light client's bootnodes): dials them at start and
 * again, with exponential backoff, whenever a dial fails or a connection
 * drops, until it is told to forget one.
 *
 * @module
 */

import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";

/** Backoff of the redials of bootnodes and reserved nodes. */
export interface RedialInit {
  /** First retry delay. Default 500 ms. */
  minMs?: number;
  /** Longest retry delay. Default 30 s. */
  maxMs?: number;
}

interface Entry {
  peerId: string;
  addr: Multiaddr;
  failures: number;
  timer?: ReturnType<typeof setTimeout>;
}

/** The peer id a `/p2p/<id>` multiaddr names. @throws {TypeError} when it names none */
export function peerIdOf(addr: Multiaddr): string {
  const id = addr.getComponents().findLast((c) => c.name === "p2p")?.value;
  if (id === undefined) throw new TypeError(`Invalid peer address: ${addr} has no /p2p/<peer id>`);
  return id;
}

/** The peers the node keeps dialling, and their redial timers. */
export class KeptPeers {
  readonly #entries = new Map<string, Entry>();
  readonly #abort = new AbortController();
  readonly #minMs: number;
  readonly #maxMs: number;

  constructor(
    addrs: readonly string[],
    readonly dial: (addr: Multiaddr, signal: AbortSignal) => Promise<unknown>,
    init: RedialInit = {},
  ) {
    for (const text of addrs) {
      const addr = multiaddr(text);
      const peerId = peerIdOf(addr);
      this.#entries.set(peerId, { peerId, addr, failures: 0 });
    }
    this.#minMs = init.minMs ?? 500;
    this.#maxMs = init.maxMs ?? 30_000;
  }

  /** Dials every kept peer except `self`. */
  start(self: string): void {
    this.#entries.delete(self);
    for (const entry of this.#entries.values()) this.#dial(entry);
  }

  /** A connection to `peerId` is up: its backoff starts over. */
  connected(peerId: string): void {
    const entry = this.#entries.get(peerId);
    if (entry === undefined) return;
    entry.failures = 0;
    clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  /** The last connection to `peerId` closed: redial it after a backoff. */
  disconnected(peerId: string): void {
    const entry = this.#entries.get(peerId);
    if (entry !== undefined) this.#schedule(entry);
  }

  /** No longer keeps `peerId` (a peer banned for good): it is not redialled. */
  forget(peerId: string): void {
    clearTimeout(this.#entries.get(peerId)?.timer);
    this.#entries.delete(peerId);
  }

  /** Cancels pending dials and redials. */
  stop(): void {
    this.#abort.abort();
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
  }

  #dial(entry: Entry): void {
    if (this.#abort.signal.aborted || !this.#kept(entry)) return;
    this.dial(entry.addr, this.#abort.signal).catch(() => this.#schedule(entry));
  }

  #schedule(entry: Entry): void {
    if (this.#abort.signal.aborted || entry.timer !== undefined || !this.#kept(entry)) return;
    const delay = Math.min(this.#maxMs, this.#minMs * 2 ** entry.failures);
    entry.failures++;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.#dial(entry);
    }, delay);
  }

  /** Whether `entry` is still kept (it was not forgotten while a dial was under way). */
  #kept(entry: Entry): boolean {
    return this.#entries.get(entry.peerId) === entry;
  }
}
