/**
 * `relay.native_fanout`: how many viewers one media worker (node-datachannel)
 * serves a 2.5 Mbit/s stream to, the figure issue 13 asks of the native
 * media plane. A synthetic VP8 + Opus publisher (werift, this process; ~320
 * packets/s of ~1,200 bytes, as `relay.fanout` sends) publishes through a
 * {@link MediaWorkers} supervisor with one worker; native viewers, several
 * per process over {@link PROCESSES} niced processes (the rig yields the CPU
 * to the measured worker on a small machine), join in steps. At each step,
 * over {@link WINDOW_MS} between two of the worker's stats reports: the
 * worker's CPU (`/proc/<pid>/stat`), the packets it forwarded, and the loss
 * its viewers' receiver reports give (cumulative lost over video packets
 * sent). Steps go on until loss reaches 1% or the worker one core. Reported:
 * the worker's µs per forwarded packet and `viewers per core` = 1 / (µs per
 * packet × packets per second per viewer), at the largest step with loss
 * under 1%. All on 127.0.0.1.
 *
 * @module
 */
import { MediaWorkers, type WorkerStats } from "../node/relay/native/mod.ts";
import { NativeViewerPool } from "../node/relay/native/native_viewers.ts";
import { publishTo, type TestPublisher } from "../node/relay/native/testing.ts";
import { cpuSeconds, udpReceiveBufferDrops } from "./_proc.ts";
import type { BenchResult } from "./_result.ts";

const STEPS = [20, 50, 100, 200, 250, 300, 400, 500];
const PROCESSES = 3;
const WINDOW_MS = 5000;
const MAX_LOSS = 0.01;
const TARGET_VIEWERS_PER_CORE = 300;
const STREAM = 1n;
/** A worker silent this long is too far behind to measure. */
const REPORT_TIMEOUT_MS = 15_000;

/** One step's measurement. */
interface Step {
  viewers: number;
  loss: number;
  /** The worker's cores. */
  cpu: number;
  /** Packets forwarded per second, over every viewer. */
  packetsPerSecond: number;
  microsPerPacket: number;
  lagMs: number;
  /** Publisher packets the worker dropped for being too late, per second. */
  droppedPerSecond: number;
  /** Datagrams the machine's receivers (the viewers: the rig) overflowed, per second. */
  rigDropsPerSecond: number;
}

/** Adds viewers step by step until loss or CPU passes its bound; reports the last good step. */
export async function run(): Promise<BenchResult[]> {
  const reports: ((stats: WorkerStats) => void)[] = [];
  /** Sessions the worker ended, and why; a viewer that had joined lost is a failed step. */
  const ended = new Map<string, string>();
  const joined = new Set<string>();
  const workers = new MediaWorkers({
    bindAddress: "127.0.0.1",
    maxViewersPerWorker: STEPS.at(-1)!,
    maxLagMs: 1000,
    statsIntervalMs: 500,
    events: {
      stats: (_, stats) => reports.splice(0).forEach((resolve) => resolve(stats)),
      ended: (session, reason) => ended.set(session, reason),
    },
  });
  const nextReport = () =>
    new Promise<WorkerStats>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no stats from the worker for ${REPORT_TIMEOUT_MS} ms`)),
        REPORT_TIMEOUT_MS,
      );
      reports.push((stats) => {
        clearTimeout(timer);
        resolve(stats);
      });
    });
  let publisher: TestPublisher | undefined;
  const pool = new NativeViewerPool(PROCESSES);
  try {
    publisher = await publishTo(workers, STREAM);
    const pid = workers.workers()[0].pid!;
    let good: Step | undefined;
    for (const target of STEPS) {
      const joining = performance.now();
      const added = await pool.add(target - pool.viewers, workers, STREAM);
      const joinSeconds = (performance.now() - joining) / 1000;
      for (const session of added.sessions) joined.add(session);
      if (added.failed) {
        console.error(
          `relay.native_fanout: ${added.failed} viewers failed: ${
            [...new Set(added.errors)].join("; ")
          }`,
        );
        break;
      }
      if (added.retried) {
        console.error(
          `relay.native_fanout: ${added.retried} offers made again (${
            [...new Set(added.errors)].join("; ")
          })`,
        );
      }
      let step: Step;
      try {
        await nextReport(); // the keyframe that starts the new viewers, and a settled loop
        await nextReport();
        step = await measure(nextReport, pid, pool.viewers);
      } catch (e) {
        console.error(`relay.native_fanout: ${pool.viewers} viewers: ${(e as Error).message}`);
        break;
      }
      console.error(
        `relay.native_fanout: ${step.viewers} viewers, loss ${(step.loss * 100).toFixed(2)}%, ` +
          `worker CPU ${step.cpu.toFixed(2)}, ${Math.round(step.packetsPerSecond)} packets/s, ` +
          `${step.microsPerPacket.toFixed(1)} µs/packet, lag ${step.lagMs} ms, ` +
          `${step.droppedPerSecond.toFixed(1)} dropped/s, ` +
          `${step.rigDropsPerSecond.toFixed(1)}/s overflowed at the viewers ` +
          `(${added.added} joined in ${joinSeconds.toFixed(1)} s)`,
      );
      const lost = [...ended].filter(([session]) => joined.has(session)).map(([, why]) => why);
      if (lost.length > 0) {
        console.error(`relay.native_fanout: ${lost.length} viewers lost: ${[...new Set(lost)]}`);
        break;
      }
      if (step.loss >= MAX_LOSS || step.cpu >= 1) break;
      good = step;
    }
    const perViewer = good ? good.packetsPerSecond / good.viewers : 0;
    const perCore = good ? 1 / (good.microsPerPacket * 1e-6 * perViewer) : 0;
    return [
      { name: "relay.native_fanout.viewers", value: good?.viewers ?? 0, unit: "viewers" },
      {
        name: "relay.native_fanout.us_per_packet",
        value: Number((good?.microsPerPacket ?? 0).toFixed(1)),
        unit: "µs",
      },
      {
        name: "relay.native_fanout.viewers_per_core",
        value: Math.round(perCore),
        unit: "viewers",
        ceiling: TARGET_VIEWERS_PER_CORE,
        ratio: Number((perCore / TARGET_VIEWERS_PER_CORE).toFixed(3)),
      },
      {
        name: "relay.native_fanout.cpu",
        value: Number((good?.cpu ?? 0).toFixed(2)),
        unit: "cores",
      },
    ];
  } finally {
    await pool.close();
    await publisher?.close();
    await workers.stop();
  }
}

/** Loss, worker CPU and packets forwarded over one window, from report to report. */
async function measure(
  nextReport: () => Promise<WorkerStats>,
  pid: number,
  viewers: number,
): Promise<Step> {
  const before = await nextReport();
  const cpuBefore = await cpuSeconds(pid);
  const rigDropsBefore = await udpReceiveBufferDrops();
  const start = performance.now();
  let after = await nextReport();
  while (performance.now() - start < WINDOW_MS) after = await nextReport();
  const cpuAfter = await cpuSeconds(pid);
  const rigDrops = await udpReceiveBufferDrops() - rigDropsBefore;
  const seconds = (performance.now() - start) / 1000;
  const forwarded = after.forwarded - before.forwarded;
  const sent = videoSum(after, "videoPackets") - videoSum(before, "videoPackets");
  const lost = videoSum(after, "lost") - videoSum(before, "lost");
  return {
    viewers,
    loss: sent > 0 ? Math.max(0, lost) / sent : 1,
    cpu: (cpuAfter - cpuBefore) / seconds,
    packetsPerSecond: forwarded / seconds,
    microsPerPacket: forwarded > 0 ? ((cpuAfter - cpuBefore) * 1e6) / forwarded : NaN,
    lagMs: after.lagMs,
    droppedPerSecond: (after.dropped - before.dropped) / seconds,
    rigDropsPerSecond: rigDrops / seconds,
  };
}

function videoSum(stats: WorkerStats, field: "videoPackets" | "lost"): number {
  return stats.sessions.filter((s) => s.kind === "watch").reduce((sum, s) => sum + s[field], 0);
}

if (import.meta.main) console.table(await run());
