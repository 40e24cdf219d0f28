/**
 * `relay.hop_latency`: the latency one relay hop adds. A synthetic publisher
 * sends into node 1; one viewer watches on node 1, another on node 2, which
 * pulls the stream from node 1 (a carrier listed on chain). Every frame
 * carries its send time, so the same frame's one-way delay is known on both
 * paths; the figure is the p50 and p95 of (delay via node 1 → node 2) −
 * (delay via node 1 alone) over {@link WINDOW_MS}. Target: p95 < 30 ms.
 *
 * @module
 */
import { keypairFromUri } from "../runtime/crypto/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { NodeConnection } from "../node/client/commands.ts";
import { HeadlessViewer } from "../node/client/headless_viewer.ts";
import {
  type BenchNode,
  liveStream,
  publishLive,
  quantile,
  startNode,
  stopNodes,
} from "./_relay.ts";
import type { BenchResult } from "./_result.ts";

const WINDOW_MS = 10_000;
const TARGET_MS = 30;

/** Runs the two paths side by side and reports the added delay's p50 and p95. */
export async function run(): Promise<BenchResult[]> {
  const nodes: BenchNode[] = [];
  const stops: (() => Promise<unknown>)[] = [];
  let failure: unknown;
  try {
    const first = await startNode();
    nodes.push(first);
    const boot = (await first.node.rpc<string[]>("system_localListenAddresses"))[0];
    const second = await startNode(["--key", "//Bob"], [boot]);
    nodes.push(second);
    const live = await liveStream(first);
    const publisher = await publishLive(first, live);
    stops.push(() => publisher.stop());
    await carrierListed(second, live.stream);
    const watch = async (node: BenchNode) => {
      const viewer = await HeadlessViewer.start({
        whepUrl: `${node.http}/whep/${live.stream}`,
        token: live.watchToken(node),
        loopback: true,
        latencies: true,
        connectTimeoutMs: 20_000,
      });
      stops.push(() => viewer.stop());
      return viewer;
    };
    const direct = await watch(first);
    const hopped = await watch(second);
    await until("frames through the hop", () => hopped.stats().video.frames >= 30, 30_000);
    direct.takeLatencies();
    hopped.takeLatencies();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const directBySent = new Map(direct.takeLatencies().map((d) => [d.sentAt, d.delayMs]));
    const added: number[] = [];
    for (const { sentAt, delayMs } of hopped.takeLatencies()) {
      const base = directBySent.get(sentAt);
      if (base !== undefined) added.push(delayMs - base);
    }
    if (added.length < 100) throw new Error(`Only ${added.length} frames seen on both paths`);
    const direct95 = quantile([...directBySent.values()], 0.95);
    const p95 = quantile(added, 0.95);
    return [
      { name: "relay.hop_latency.p50", value: round(quantile(added, 0.5)), unit: "ms" },
      {
        name: "relay.hop_latency.p95",
        value: round(p95),
        unit: "ms",
        ceiling: TARGET_MS,
        ratio: Number((p95 / TARGET_MS).toFixed(3)),
      },
      { name: "relay.hop_latency.direct_p95", value: round(direct95), unit: "ms" },
    ];
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await stopNodes(nodes, failure);
  }
}

/** Waits until node 2 sees Alice (node 1) listed as carrying `stream`: only then can it pull. */
async function carrierListed(node: BenchNode, stream: number): Promise<void> {
  const connection = await NodeConnection.open(`ws://127.0.0.1:${node.node.rpcPort}`);
  try {
    const alice = toHex(keypairFromUri("//Alice").publicKey);
    await until("node 1 listed as a carrier", async () => {
      const since = await connection.queryStorage("Streams", "StreamRelays", [stream, alice]);
      return since !== undefined && since !== null;
    }, 60_000);
  } finally {
    connection.close();
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function round(ms: number): number {
  return Number(ms.toFixed(1));
}

if (import.meta.main) console.table(await run());
