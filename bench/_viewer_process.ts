/**
 * A process of headless WHEP viewers for the relay benchmarks, driven by
 * JSON lines on stdin, each answered by one JSON line on stdout (see
 * `_viewer_pool.ts`, its other end). Viewers run in their own processes so
 * that receiving, which costs werift as much CPU as sending, is spread over
 * the cores the node does not use.
 *
 * @module
 */
import process from "node:process";
import { createInterface } from "node:readline";
import { HeadlessViewer } from "../node/client/headless_viewer.ts";

/** A request to the process. */
export type ViewerRequest =
  /** Starts one viewer per token (a relay admits only 4 sessions per account). */
  | { op: "add"; whepUrl: string; tokens: string[]; latencies?: boolean }
  | { op: "stats" }
  | { op: "latencies" }
  | { op: "stop" };

/** Sums over the process's viewers (video and audio). */
export interface PoolStats {
  viewers: number;
  packets: number;
  lost: number;
  bytes: number;
  frames: number;
}

/** Viewers started at once: each costs the node a DTLS handshake. */
const BATCH = 1;

const viewers: HeadlessViewer[] = [];

async function handle(request: ViewerRequest): Promise<unknown> {
  switch (request.op) {
    case "add": {
      const firstFrameMs: number[] = [];
      const errors = new Set<string>();
      let failed = 0;
      for (let started = 0; started < request.tokens.length; started += BATCH) {
        await Promise.all(
          request.tokens.slice(started, started + BATCH).map(async (token) => {
            try {
              const viewer = await HeadlessViewer.start({
                whepUrl: request.whepUrl,
                token,
                loopback: true,
                latencies: request.latencies,
              });
              viewers.push(viewer);
              firstFrameMs.push(await firstFrame(viewer));
            } catch (e) {
              failed++;
              errors.add((e as Error).message);
            }
          }),
        );
      }
      return { viewers: viewers.length, failed, errors: [...errors], firstFrameMs };
    }
    case "stats": {
      const sum: PoolStats = { viewers: viewers.length, packets: 0, lost: 0, bytes: 0, frames: 0 };
      for (const viewer of viewers) {
        const { video, audio } = viewer.stats();
        sum.packets += video.packets + audio.packets;
        sum.lost += video.lost + audio.lost;
        sum.bytes += video.bytes + audio.bytes;
        sum.frames += video.frames;
      }
      return sum;
    }
    case "latencies":
      return viewers.map((v) => v.takeLatencies());
    case "stop":
      await Promise.all(viewers.map((v) => v.stop().catch(() => {})));
      viewers.length = 0;
      return { stopped: true };
  }
}

/** Milliseconds from the viewer's POST to its first complete keyframe (waits up to 5 s). */
async function firstFrame(viewer: HeadlessViewer): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const ms = viewer.stats().firstFrameMs;
    if (ms !== undefined) return ms;
    await new Promise((r) => setTimeout(r, 50));
  }
  return NaN;
}

if (import.meta.main) {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const request = JSON.parse(line) as ViewerRequest;
    const reply = await handle(request);
    console.log(JSON.stringify(reply));
    if (request.op === "stop") break;
  }
  Deno.exit(0);
}
