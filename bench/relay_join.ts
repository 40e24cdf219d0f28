/**
 * `relay.join`: milliseconds from a viewer's WHEP POST to the last packet of
 * its first keyframe (the first frame it can decode), one viewer after
 * another joining a live 2.5 Mbit/s synthetic stream on a dev node. The
 * publisher sends keyframes only when asked (PLI/FIR), so the figure
 * includes the relay asking the publisher for one. Target: p95 < 1 s.
 *
 * @module
 */
import { HeadlessViewer } from "../node/client/headless_viewer.ts";
import { SyntheticPublisher } from "../node/relay/testing/synthetic_source.ts";
import { type BenchNode, liveStream, quantile, startNode, stopNodes } from "./_relay.ts";
import type { BenchResult } from "./_result.ts";

const JOINS = 20;
const TARGET_MS = 1000;

/** Joins {@link JOINS} viewers one by one and reports p50 and p95 of their time to a frame. */
export async function run(): Promise<BenchResult[]> {
  const nodes: BenchNode[] = [];
  let publisher: SyntheticPublisher | undefined;
  let failure: unknown;
  try {
    nodes.push(await startNode());
    const [node] = nodes;
    const live = await liveStream(node);
    publisher = await SyntheticPublisher.start({
      whipUrl: `${node.http}/whip/${live.stream}`,
      token: live.publishToken,
      loopback: true,
      keyframeInterval: 0,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const joins: number[] = [];
    for (let i = 0; i < JOINS; i++) {
      const viewer = await HeadlessViewer.start({
        whepUrl: `${node.http}/whep/${live.stream}`,
        token: live.watchToken(node),
        loopback: true,
      });
      const deadline = performance.now() + 5000;
      while (viewer.stats().firstFrameMs === undefined && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      joins.push(viewer.stats().firstFrameMs ?? Infinity);
      await viewer.stop();
    }
    const p50 = quantile(joins, 0.5);
    const p95 = quantile(joins, 0.95);
    return [
      { name: "relay.join.p50", value: Math.round(p50), unit: "ms" },
      {
        name: "relay.join.p95",
        value: Math.round(p95),
        unit: "ms",
        ceiling: TARGET_MS,
        ratio: Number((p95 / TARGET_MS).toFixed(3)),
      },
    ];
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    await publisher?.stop().catch(() => {});
    await stopNodes(nodes, failure);
  }
}

if (import.meta.main) console.table(await run());
