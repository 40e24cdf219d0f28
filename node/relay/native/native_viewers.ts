/**
 * Native viewers (`native_viewer_process.ts`) spread over several
 * processes, watching through a {@link MediaWorkers} supervisor: each
 * viewer's offer goes to the workers as a watch and the answer comes back.
 * A viewer whose connection fails is offered again (libdatachannel's
 * offering side loses the race when the relay's DTLS arrives before the
 * answer is set; issue 13).
 *
 * @module
 */
import { LineProcess } from "./lines.ts";
import type { NativeViewerRequest } from "./native_viewer_process.ts";
import type { MediaWorkers } from "./supervisor.ts";

/** Tries per viewer before it counts as failed. */
const TRIES = 3;
/** The viewer processes' niceness (0 is the worker's, 19 the least CPU). */
const VIEWER_NICENESS = 15;
/** A join slower than this is logged. */
const SLOW_JOIN_MS = 3_000;

/** A native viewer process, niced: on a machine with few cores the viewers (the rig) must not take the CPU the measured worker needs. */
function nativeViewerProcess(): LineProcess<NativeViewerRequest> {
  return new LineProcess("nice", [
    `-n${VIEWER_NICENESS}`,
    Deno.execPath(),
    "run",
    "--quiet",
    "--allow-ffi",
    "--allow-read",
    new URL("./native_viewer_process.ts", import.meta.url).pathname,
  ], "native viewer");
}

/** What adding viewers gave. */
export interface NativeAddResult {
  added: number;
  /** The sessions of the viewers added. */
  sessions: string[];
  failed: number;
  /** Offers made again after a failed connection. */
  retried: number;
  errors: string[];
}

/** Native viewers over `processes` processes, added round-robin. */
export class NativeViewerPool {
  readonly #processes: LineProcess<NativeViewerRequest>[];
  #viewers = 0;

  constructor(processes: number) {
    this.#processes = Array.from({ length: processes }, nativeViewerProcess);
  }

  /** Viewers connected so far. */
  get viewers(): number {
    return this.#viewers;
  }

  /** Adds `count` viewers of `stream`, the processes in parallel. */
  async add(count: number, workers: MediaWorkers, stream: bigint): Promise<NativeAddResult> {
    const result: NativeAddResult = { added: 0, sessions: [], failed: 0, retried: 0, errors: [] };
    const n = this.#processes.length;
    await Promise.all(this.#processes.map(async (process, i) => {
      const share = Math.floor(count / n) + (i < count % n ? 1 : 0);
      for (let v = 0; v < share; v++) {
        const session = await this.#addOne(process, workers, stream, result);
        if (session) {
          result.added++;
          result.sessions.push(session);
        } else result.failed++;
      }
    }));
    this.#viewers += result.added;
    return result;
  }

  /** Bytes received (SRTP included) and connected viewers, over every process. */
  async stats(): Promise<{ connected: number; bytes: number }> {
    const all = await Promise.all(
      this.#processes.map((p) => p.ask<{ connected: number; bytes: number }>({ op: "stats" })),
    );
    return {
      connected: all.reduce((s, r) => s + r.connected, 0),
      bytes: all.reduce((s, r) => s + r.bytes, 0),
    };
  }

  /** Stops every viewer and process. */
  async close(): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.close({ op: "stop" })));
  }

  /** Kills every viewer process (SIGKILL), as a crash or a pulled cable would. */
  async kill(): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.kill()));
  }

  async #addOne(
    process: LineProcess<NativeViewerRequest>,
    workers: MediaWorkers,
    stream: bigint,
    result: NativeAddResult,
  ): Promise<string | undefined> {
    for (let attempt = 0; attempt < TRIES; attempt++) {
      if (attempt > 0) result.retried++;
      const began = performance.now();
      const { id, offer } = await process.ask<{ id: number; offer: string }>({ op: "offer" });
      const offered = performance.now();
      let session: string | undefined;
      try {
        const watched = await workers.watch(stream, offer);
        session = watched.session;
        const reply = await process.ask<{ connected: boolean; state: string }>({
          op: "answer",
          id,
          answer: watched.answer,
        });
        const took = performance.now() - began;
        if (took > SLOW_JOIN_MS) {
          console.error(
            `native viewers: a join took ${Math.round(took)} ms ` +
              `(offer ${Math.round(offered - began)} ms), ${reply.state}`,
          );
        }
        if (reply.connected) return session;
        result.errors.push(`connection ${reply.state}`);
      } catch (e) {
        result.errors.push((e as Error).message);
      }
      await process.ask({ op: "drop", id });
      if (session) await workers.close(session).catch(() => {});
    }
    return undefined;
  }
}
