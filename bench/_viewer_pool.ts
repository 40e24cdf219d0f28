/**
 * Headless WHEP viewers spread over several processes (`_viewer_process.ts`),
 * driven from the benchmark: add viewers, read their summed counters and
 * frame delays, stop them.
 *
 * @module
 */
import type { FrameDelay } from "../node/client/rtp_meter.ts";
import type { PoolStats, ViewerRequest } from "./_viewer_process.ts";
import { LineProcess } from "../node/relay/native/lines.ts";

/** A headless viewer process. */
function viewerProcess(): LineProcess<ViewerRequest> {
  return new LineProcess(Deno.execPath(), [
    "run",
    "--allow-net=127.0.0.1",
    "--allow-read",
    "--allow-env",
    "--allow-sys",
    new URL("./_viewer_process.ts", import.meta.url).pathname,
  ], "viewer");
}

/** What adding viewers gave. */
export interface AddResult {
  viewers: number;
  failed: number;
  /** Why viewers failed to start, each reason once. */
  errors: string[];
  /** Milliseconds from each new viewer's WHEP POST to its first complete keyframe. */
  firstFrameMs: number[];
}

/** Viewers over `processes` processes, added round-robin. */
export class ViewerPool {
  readonly #processes: LineProcess<ViewerRequest>[];

  constructor(processes: number) {
    this.#processes = Array.from({ length: processes }, viewerProcess);
  }

  /** Adds `count` viewers of `whepUrl`, split evenly over the processes, each with a token of `token()`. */
  async add(
    count: number,
    whepUrl: string,
    token: () => string,
    latencies = false,
  ): Promise<AddResult> {
    const n = this.#processes.length;
    const replies = await Promise.all(this.#processes.map((p, i) => {
      const share = Math.floor(count / n) + (i < count % n ? 1 : 0);
      const tokens = Array.from({ length: share }, token);
      return share === 0
        ? Promise.resolve({ viewers: 0, failed: 0, errors: [], firstFrameMs: [] })
        : p.ask<AddResult>({ op: "add", whepUrl, tokens, latencies });
    }));
    return {
      viewers: replies.reduce((s, r) => s + r.viewers, 0),
      failed: replies.reduce((s, r) => s + r.failed, 0),
      errors: [...new Set(replies.flatMap((r) => r.errors))],
      firstFrameMs: replies.flatMap((r) => r.firstFrameMs),
    };
  }

  /** Counters summed over every viewer. */
  async stats(): Promise<PoolStats> {
    const all = await Promise.all(this.#processes.map((p) => p.ask<PoolStats>({ op: "stats" })));
    return {
      viewers: all.reduce((s, r) => s + r.viewers, 0),
      packets: all.reduce((s, r) => s + r.packets, 0),
      lost: all.reduce((s, r) => s + r.lost, 0),
      bytes: all.reduce((s, r) => s + r.bytes, 0),
      frames: all.reduce((s, r) => s + r.frames, 0),
    };
  }

  /** Each viewer's frame delays since the last call, one list per viewer. */
  async latencies(): Promise<FrameDelay[][]> {
    const all = await Promise.all(
      this.#processes.map((p) => p.ask<FrameDelay[][]>({ op: "latencies" })),
    );
    return all.flat();
  }

  /** Stops every viewer (DELETE) and process. */
  async close(): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.close({ op: "stop" })));
  }
}
