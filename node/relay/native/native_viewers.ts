/**
 * Native viewers (`native_viewer_process.ts`) spread over several
 * processes, watching through a {@link MediaWorkers} supervisor (each
 * viewer's offer goes to the workers as a watch and the answer comes back)
 * or through nodes by WHEP over HTTP, following a full node's redirect to
 * another with a token for it; those measure their own video (loss, time
 * to first frame). A viewer whose connection fails is offered again
 * (libdatachannel's offering side loses the race when the relay's DTLS
 * arrives before the answer is set; issue 13).
 *
 * @module
 */
import {
  endSession,
  exchangeSdp,
  type TokenFor,
  trickleCandidates,
} from "../../../client/relay/whep_client.ts";
import { LineProcess } from "./lines.ts";
import type { NativeViewerRequest, VideoMeterReading } from "./native_viewer_process.ts";
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

/** A viewer watching through a node, as its process measured it. */
export interface WatchedViewer extends Omit<VideoMeterReading, "id"> {
  /** The viewer's name in the pool, `process:id`. */
  viewer: string;
  /** The WHEP endpoint asked first. */
  asked: string;
  /** The WHEP endpoint serving it: `asked`, or the relay a full one sent it to. */
  servedBy: string;
  /** When the offer it joined with was posted (to `asked`), Unix milliseconds. */
  postedAt: number;
}

/** A session made for a viewer's offer: the relay's answer, and how to end the session. */
interface Joined {
  answer: string;
  session: string;
  /** Gives the relay the candidates the viewer's offer held back. */
  trickle(candidates: ViewerCandidate[]): Promise<void>;
  end(): Promise<void>;
}

/** An ICE candidate of a viewer's, with its m-line. */
interface ViewerCandidate {
  candidate: string;
  mid: string;
}

/** A viewer's offer, its candidates held back (see `native_viewer_process.ts`). */
interface ViewerOffer {
  id: number;
  offer: string;
  candidates: ViewerCandidate[];
}

/** Where one viewer process's metered viewers watch from, by their id in the process. */
type Watching = Map<number, Omit<WatchedViewer, keyof VideoMeterReading | "viewer">>;

/** Native viewers over `processes` processes, added round-robin. */
export class NativeViewerPool {
  readonly #processes: LineProcess<NativeViewerRequest>[];
  readonly #watching: Watching[];
  #viewers = 0;

  constructor(processes: number) {
    this.#processes = Array.from({ length: processes }, nativeViewerProcess);
    this.#watching = this.#processes.map(() => new Map());
  }

  /** Viewers connected so far. */
  get viewers(): number {
    return this.#viewers;
  }

  /** Adds `count` viewers of `stream` on `workers`, the processes in parallel. */
  add(count: number, workers: MediaWorkers, stream: bigint): Promise<NativeAddResult> {
    return this.#join(count, false, async (offer) => {
      const { session, answer } = await workers.watch(stream, offer.offer);
      return {
        session,
        answer,
        trickle: (candidates) => workers.trickle(session, candidates),
        end: () => workers.close(session).catch(() => {}),
      };
    });
  }

  /**
   * Adds `count` viewers that watch at the WHEP endpoint `whepUrl` (a node),
   * the processes in parallel, each with the tokens `tokens()` gives it (a
   * function of the node's URL follows a full node's redirect with a token
   * for the node it is sent to); they measure their video (see {@link watched}).
   */
  watch(count: number, whepUrl: string, tokens: () => TokenFor): Promise<NativeAddResult> {
    return this.#join(count, true, async (offer, process) => {
      const postedAt = Date.now();
      const exchange = await exchangeSdp(whepUrl, offer.offer, tokens());
      this.#watching[process].set(offer.id, {
        asked: whepUrl,
        servedBy: exchange.endpoint,
        postedAt,
      });
      return {
        session: exchange.location,
        answer: exchange.answer,
        trickle: (candidates) =>
          trickleCandidates(
            exchange.location,
            exchange.token,
            offer.offer,
            candidates.map(({ candidate, mid }) => ({ candidate, sdpMid: mid })),
          ),
        end: async () => {
          this.#watching[process].delete(offer.id);
          await endSession(exchange.location, exchange.token).catch(() => {});
        },
      };
    });
  }

  /** What each viewer added by {@link watch} measured so far. */
  async watched(): Promise<WatchedViewer[]> {
    const all = await Promise.all(
      this.#processes.map((p) => p.ask<VideoMeterReading[]>({ op: "meters" })),
    );
    return all.flatMap((readings, i) =>
      readings.flatMap(({ id, ...reading }) => {
        const where = this.#watching[i].get(id);
        return where ? [{ viewer: `${i}:${id}`, ...where, ...reading }] : [];
      })
    );
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

  /** Adds `count` viewers, each offer sent to a relay by `join`, the processes in parallel. */
  async #join(
    count: number,
    meter: boolean,
    join: (offer: ViewerOffer, process: number) => Promise<Joined>,
  ): Promise<NativeAddResult> {
    const result: NativeAddResult = { added: 0, sessions: [], failed: 0, retried: 0, errors: [] };
    const n = this.#processes.length;
    await Promise.all(this.#processes.map(async (_, i) => {
      const share = Math.floor(count / n) + (i < count % n ? 1 : 0);
      for (let v = 0; v < share; v++) {
        const session = await this.#addOne(i, meter, join, result);
        if (session) {
          result.added++;
          result.sessions.push(session);
        } else result.failed++;
      }
    }));
    this.#viewers += result.added;
    return result;
  }

  async #addOne(
    index: number,
    meter: boolean,
    join: (offer: ViewerOffer, process: number) => Promise<Joined>,
    result: NativeAddResult,
  ): Promise<string | undefined> {
    const process = this.#processes[index];
    for (let attempt = 0; attempt < TRIES; attempt++) {
      if (attempt > 0) result.retried++;
      const began = performance.now();
      const offer = await process.ask<ViewerOffer>({ op: "offer", meter });
      const { id } = offer;
      const offered = performance.now();
      let joined: Joined | undefined;
      try {
        joined = await join(offer, index);
        // The answer is set as the process reads it; the candidates follow it to the relay.
        const replied = process.ask<{ connected: boolean; state: string }>({
          op: "answer",
          id,
          answer: joined.answer,
        });
        await joined.trickle(offer.candidates);
        const reply = await replied;
        const took = performance.now() - began;
        if (took > SLOW_JOIN_MS) {
          console.error(
            `native viewers: a join took ${Math.round(took)} ms ` +
              `(offer ${Math.round(offered - began)} ms), ${reply.state}`,
          );
        }
        if (reply.connected) return joined.session;
        result.errors.push(`connection ${reply.state}`);
      } catch (e) {
        result.errors.push((e as Error).message);
      }
      await process.ask({ op: "drop", id });
      await joined?.end();
    }
    return undefined;
  }
}
