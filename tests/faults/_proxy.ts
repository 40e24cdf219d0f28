/**
 * A TCP proxy for one directed link between two nodes (node A dials B
 * through the proxy A→B), which the fault tests control in-process: it
 * passes bytes through, cuts the link (closes its connections and refuses
 * new ones), or delays every chunk, optionally stalling some of them.
 *
 * @module
 */
import type { Random } from "../../node/consensus/finality/sim/random.ts";

/** Occasional long holds on top of a delay, as a congested or lossy path gives. */
export interface Stalls {
  /** Chance that a chunk is held longer. */
  probability: number;
  /** Extra hold of a stalled chunk: from `minMs` to `maxMs`. */
  minMs: number;
  maxMs: number;
}

/** What a link does to the bytes it carries. */
export type LinkFault =
  | { kind: "pass" }
  | { kind: "cut" }
  /** Each chunk leaves `ms` after it arrived (in order; a stalled chunk holds up those behind it). */
  | { kind: "delay"; ms: number; stalls?: Stalls };

/** Passing bytes through unchanged. */
export const PASS: LinkFault = { kind: "pass" };

/** A link's proxy: listens on a free port of 127.0.0.1 and forwards to `targetPort`. */
export class LinkProxy {
  /** Where the dialling node connects. */
  readonly port: number;
  readonly #listener: Deno.TcpListener;
  readonly #targetPort: number;
  readonly #random: Random;
  readonly #connections = new Set<Deno.TcpConn>();
  readonly #pumps = new Set<Promise<void>>();
  #fault: LinkFault = PASS;

  /** Starts a proxy to `targetPort`; `random` draws the stalls. */
  constructor(targetPort: number, random: Random) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#targetPort = targetPort;
    this.#random = random;
    this.#track(this.#accept());
  }

  /** What the link does now. */
  get fault(): LinkFault {
    return this.#fault;
  }

  /** Applies `fault` from now on; a cut also closes the connections open now. */
  set(fault: LinkFault): void {
    this.#fault = fault;
    if (fault.kind === "cut") this.#closeAll();
  }

  /** Closes the listener and every connection, and waits for the pumps to end. */
  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    this.#closeAll();
    while (this.#pumps.size) await Promise.allSettled([...this.#pumps]);
  }

  async #accept(): Promise<void> {
    try {
      for await (const inbound of this.#listener) {
        if (this.#fault.kind === "cut") {
          inbound.close();
          continue;
        }
        this.#track(this.#bridge(inbound));
      }
    } catch {
      // the listener was closed
    }
  }

  async #bridge(inbound: Deno.TcpConn): Promise<void> {
    this.#connections.add(inbound);
    let outbound: Deno.TcpConn;
    try {
      outbound = await Deno.connect({ hostname: "127.0.0.1", port: this.#targetPort });
    } catch {
      // The target is down (killed, or not started yet): the dialler sees a closed connection.
      this.#close(inbound);
      return;
    }
    this.#connections.add(outbound);
    for (const conn of [inbound, outbound]) conn.setNoDelay(true);
    await Promise.allSettled([this.#pump(inbound, outbound), this.#pump(outbound, inbound)]);
    this.#close(inbound);
    this.#close(outbound);
  }

  /**
   * Copies `from` to `to`, each chunk released when the fault at its arrival
   * says; ends (closing both sides) on end of input or any error.
   */
  async #pump(from: Deno.TcpConn, to: Deno.TcpConn): Promise<void> {
    let releasedAt = 0;
    let writing = Promise.resolve();
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        const chunk = buffer.slice(0, n);
        // In order: a chunk never leaves before the one read ahead of it.
        releasedAt = Math.max(releasedAt, Date.now() + this.#holdMs());
        const due = releasedAt;
        writing = writing.then(async () => {
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          await writeAll(to, chunk);
        });
        // Failed writes end the copy at the next read; keep the chain from rejecting unhandled.
        writing.catch(() => this.#close(from));
      }
      await writing;
    } finally {
      this.#close(from);
      this.#close(to);
    }
  }

  /** How long the current fault holds one chunk (ms). */
  #holdMs(): number {
    const fault = this.#fault;
    if (fault.kind !== "delay") return 0;
    const { stalls } = fault;
    const stalled = stalls !== undefined && this.#random.chance(stalls.probability);
    return fault.ms + (stalled ? this.#random.int(stalls.minMs, stalls.maxMs) : 0);
  }

  #closeAll(): void {
    for (const conn of this.#connections) this.#close(conn);
  }

  #close(conn: Deno.TcpConn): void {
    if (!this.#connections.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // already closed
    }
  }

  #track(pump: Promise<void>): void {
    const settled = pump.catch(() => {}).finally(() => this.#pumps.delete(settled));
    this.#pumps.add(settled);
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
}
