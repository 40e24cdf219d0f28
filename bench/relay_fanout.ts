/**
 * `relay.fanout`: how many viewers one node serves a 2.5 Mbit/s stream to
 * with its media in its own process (`--relay-workers 0`, werift), the
 * plane the media workers replace (`relay.native_fanout` measures a worker).
 * A synthetic VP8 publisher sends into a dev node; headless werift viewers,
 * spread over {@link PROCESSES} processes, join in steps; at each step loss
 * (sequence gaps at the viewers) and the node's CPU (`/proc/<pid>/stat`)
 * are measured over {@link WINDOW_MS}. The figure is the largest step with
 * loss < 1% and the node under one core (target ≥ 300), and the packets per
 * second the node forwarded there against the loopback UDP ceiling measured
 * in the same run. All on 127.0.0.1.
 *
 * @module
 */
import type { SyntheticPublisher } from "../node/relay/testing/synthetic_source.ts";
import { cpuSeconds } from "./_proc.ts";
import { type BenchNode, liveStream, publishLive, startNode, stopNodes } from "./_relay.ts";
import type { BenchResult } from "./_result.ts";
import { udpCeiling } from "./_udp_ceiling.ts";
import { ViewerPool } from "./_viewer_pool.ts";

const STEPS = [10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300, 400];
const PROCESSES = 3;
const SETTLE_MS = 2000;
const WINDOW_MS = 5000;
const MAX_LOSS = 0.01;
const TARGET_VIEWERS = 300;

/** One step's measurement. */
interface Step {
  viewers: number;
  loss: number;
  cpu: number;
  packetsPerSecond: number;
}

/** Adds viewers step by step until loss or CPU passes its bound; reports the last good step. */
export async function run(): Promise<BenchResult[]> {
  const nodes: BenchNode[] = [];
  let publisher: SyntheticPublisher | undefined;
  let pool: ViewerPool | undefined;
  let failure: unknown;
  try {
    const ceiling = await udpCeiling();
    nodes.push(await startNode(["--alice", "--relay-workers", "0", "--relay-max-viewers", "1000"]));
    const [node] = nodes;
    const live = await liveStream(node);
    publisher = await publishLive(node, live);
    pool = new ViewerPool(PROCESSES);
    let good: Step | undefined;
    for (const target of STEPS) {
      const { viewers } = await pool.stats();
      const added = await pool.add(
        target - viewers,
        `${node.http}/whep/${live.stream}`,
        () => live.watchToken(node),
      );
      if (added.failed) {
        console.error(`relay.fanout: ${added.failed} viewers failed: ${added.errors.join("; ")}`);
        break;
      }
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const step = await measure(pool, node.node.pid);
      console.error(
        `relay.fanout: ${step.viewers} viewers, loss ${(step.loss * 100).toFixed(2)}%, node CPU ${
          step.cpu.toFixed(2)
        }, ${Math.round(step.packetsPerSecond)} packets/s`,
      );
      if (step.loss >= MAX_LOSS || step.cpu >= 1) break;
      good = step;
    }
    await pool.close();
    pool = undefined;
    await publisher.stop();
    publisher = undefined;
    const viewers = good?.viewers ?? 0;
    const pps = good?.packetsPerSecond ?? 0;
    return [
      {
        name: "relay.fanout.viewers",
        value: viewers,
        unit: "viewers",
        ceiling: TARGET_VIEWERS,
        ratio: Number((viewers / TARGET_VIEWERS).toFixed(3)),
      },
      {
        name: "relay.fanout.packets",
        value: Math.round(pps),
        unit: "packets/s",
        ceiling: Math.round(ceiling),
        ratio: Number((pps / ceiling).toFixed(3)),
      },
      { name: "relay.fanout.cpu", value: Number((good?.cpu ?? 0).toFixed(2)), unit: "cores" },
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

/** Loss, node CPU and packets delivered per second over one window. */
async function measure(pool: ViewerPool, pid: number): Promise<Step> {
  const before = await pool.stats();
  const cpuBefore = await cpuSeconds(pid);
  const start = performance.now();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const after = await pool.stats();
  const cpu = (await cpuSeconds(pid) - cpuBefore) / ((performance.now() - start) / 1000);
  const packets = after.packets - before.packets;
  const lost = after.lost - before.lost;
  return {
    viewers: after.viewers,
    loss: packets + lost > 0 ? lost / (packets + lost) : 1,
    cpu,
    packetsPerSecond: packets / ((performance.now() - start) / 1000),
  };
}

if (import.meta.main) console.table(await run());
