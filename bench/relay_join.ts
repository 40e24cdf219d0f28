/**
 * `relay.join`: milliseconds from a viewer's WHEP POST to the last packet of
 * its first keyframe (the first frame it can decode), one viewer after
 * another joining a live 2.5 Mbit/s synthetic stream on a dev node (its
 * media on a worker). The publisher sends keyframes only when asked
 * (PLI/FIR), so the figure includes the relay asking the publisher for one.
 * Target: p95 < 1 s.
 *
 * The viewers are native (libdatachannel, as OBS and the relay itself).
 * `relay.join.werift_client` times the werift headless viewer (`stream
 * watch`): werift's DTLS server drops a ClientHello that comes before its
 * own handshake starts, a moment after its ICE connects, and the worker's
 * DTLS client resends it only after a second.
 *
 * @module
 */
import { HeadlessViewer } from "../node/client/headless_viewer.ts";
import { NativeViewerPool } from "../node/relay/native/native_viewers.ts";
import type { SyntheticPublisher } from "../node/relay/testing/synthetic_source.ts";
import {
  type BenchNode,
  liveStream,
  publishLive,
  quantile,
  startNode,
  stopNodes,
} from "./_relay.ts";
import type { BenchResult } from "./_result.ts";

const JOINS = 20;
const WERIFT_JOINS = 5;
const TARGET_MS = 1000;
const FRAME_TIMEOUT_MS = 5000;

/** Joins viewers one by one and reports p50 and p95 of their time to a frame. */
export async function run(): Promise<BenchResult[]> {
  const nodes: BenchNode[] = [];
  let publisher: SyntheticPublisher | undefined;
  let pool: NativeViewerPool | undefined;
  let failure: unknown;
  try {
    nodes.push(await startNode());
    const [node] = nodes;
    const live = await liveStream(node);
    const whep = `${node.http}/whep/${live.stream}`;
    publisher = await publishLive(node, live, { keyframeInterval: 0 });
    await new Promise((r) => setTimeout(r, 1000));
    pool = new NativeViewerPool(1);
    const joins: number[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < JOINS; i++) {
      const added = await pool.watch(1, whep, () => live.watchToken(node));
      if (added.failed) throw new Error(`a viewer could not join: ${added.errors.join("; ")}`);
      joins.push(await untilFirstFrame(pool, seen));
    }
    const weriftJoins: number[] = [];
    for (let i = 0; i < WERIFT_JOINS; i++) {
      const viewer = await HeadlessViewer.start({
        whepUrl: whep,
        token: live.watchToken(node),
        loopback: true,
      });
      const deadline = performance.now() + FRAME_TIMEOUT_MS;
      while (viewer.stats().firstFrameMs === undefined && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      weriftJoins.push(viewer.stats().firstFrameMs ?? Infinity);
      await viewer.stop();
    }
    const p95 = quantile(joins, 0.95);
    return [
      { name: "relay.join.p50", value: Math.round(quantile(joins, 0.5)), unit: "ms" },
      {
        name: "relay.join.p95",
        value: Math.round(p95),
        unit: "ms",
        ceiling: TARGET_MS,
        ratio: Number((p95 / TARGET_MS).toFixed(3)),
      },
      {
        name: "relay.join.werift_client_p50",
        value: Math.round(quantile(weriftJoins, 0.5)),
        unit: "ms",
      },
    ];
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    await pool?.close();
    await publisher?.stop().catch(() => {});
    await stopNodes(nodes, failure);
  }
}

/** The newest viewer's (the one not `seen` yet) milliseconds from its POST to its first whole keyframe. */
async function untilFirstFrame(pool: NativeViewerPool, seen: Set<string>): Promise<number> {
  const deadline = performance.now() + FRAME_TIMEOUT_MS;
  const viewers = await pool.watched();
  const newest = viewers.find((v) => !seen.has(v.viewer))?.viewer;
  if (newest === undefined) throw new Error("the pool has no new viewer");
  seen.add(newest);
  for (;;) {
    const viewer = (await pool.watched()).find((v) => v.viewer === newest);
    if (viewer?.firstFrameAt !== undefined) return viewer.firstFrameAt - viewer.postedAt;
    if (performance.now() > deadline) return Infinity;
    await new Promise((r) => setTimeout(r, 10));
  }
}

if (import.meta.main) console.table(await run());
