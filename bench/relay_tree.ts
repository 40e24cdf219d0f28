/**
 * `relay.tree`: a relay tree forming as a crowd arrives. Three dev nodes
 * (Alice authors; Bob and Charlie follow and are registered relays) on
 * 127.0.0.1; a synthetic 2.5 Mbit/s VP8 + Opus stream is published to
 * Alice's node, which serves {@link FIRST_MAX_VIEWERS} viewers at most
 * (`--relay-max-viewers`). {@link VIEWERS} native viewers (several per
 * niced process, see `native_viewers.ts`) arrive at Alice's node, one per
 * process at a time: the first ones watch there, the rest are sent on
 * (`307`) to Bob's or Charlie's node, follow with a token for it, and
 * watch there once that node pulled the stream from Alice's.
 *
 * Reported: viewers watching (video still arriving after the window) and
 * their loss over {@link WINDOW_MS} (missing sequence numbers over
 * expected, all viewers; target < 1%), the time to first frame of the
 * redirected viewers (from the offer's POST to Alice's node to the last
 * packet of the first keyframe, so the redirect, the second POST, the pull
 * and the keyframe request included; p50 and p95) and of the direct ones,
 * and the tree's depth as the nodes say it.
 *
 * @module
 */
import { keypairFromUri } from "../runtime/crypto/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { NodeConnection } from "../node/client/commands.ts";
import { NativeViewerPool, type WatchedViewer } from "../node/relay/native/native_viewers.ts";
import type { RelayLoad, StreamInTree } from "../client/relay/answers.ts";
import type { SyntheticPublisher } from "../node/relay/testing/synthetic_source.ts";
import { udpReceiveBufferDrops } from "./_proc.ts";
import {
  type BenchNode,
  liveStream,
  publishLive,
  quantile,
  registerRelay,
  startNode,
  stopNodes,
} from "./_relay.ts";
import type { BenchResult } from "./_result.ts";

const VIEWERS = 60;
const FIRST_MAX_VIEWERS = 20;
const PROCESSES = 3;
const WINDOW_MS = 10_000;
const MAX_LOSS_PERCENT = 1;
/** How long every viewer has to see its first frame. */
const FIRST_FRAMES_MS = 30_000;

/** Starts the tree, lets the crowd arrive, and measures it. */
export async function run(): Promise<BenchResult[]> {
  const nodes: BenchNode[] = [];
  let publisher: SyntheticPublisher | undefined;
  let pool: NativeViewerPool | undefined;
  let failure: unknown;
  try {
    const first = await startNode(["--alice", "--relay-max-viewers", String(FIRST_MAX_VIEWERS)]);
    nodes.push(first);
    const boot = (await first.node.rpc<string[]>("system_localListenAddresses"))[0];
    const others = await Promise.all(
      ["//Bob", "//Charlie"].map((uri) => startNode(["--key", uri], [boot])),
    );
    nodes.push(...others);
    const live = await liveStream(first);
    // As each node's directory does once it relays: on chain, a full node can find them.
    await Promise.all(others.map((node, i) => registerRelay(node, ["//Bob", "//Charlie"][i])));
    // As Chrome's VP8: keyframes only when a viewer asks (PLI/FIR), through the tree.
    publisher = await publishLive(first, live, { keyframeInterval: 0 });
    await listed(first, live.stream, ["//Bob", "//Charlie"]);

    pool = new NativeViewerPool(PROCESSES);
    const whep = `${first.http}/whep/${live.stream}`;
    const arriving = performance.now();
    const arrived = await pool.watch(VIEWERS, whep, live.viewerTokens);
    const arrivalSeconds = (performance.now() - arriving) / 1000;
    if (arrived.failed) {
      throw new Error(
        `${arrived.failed} of ${VIEWERS} viewers could not join: ${[...new Set(arrived.errors)]}`,
      );
    }
    const framed = await untilFirstFrames(pool);
    const drops = await udpReceiveBufferDrops();
    const before = await pool.watched();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const after = await pool.watched();
    const rigDrops = await udpReceiveBufferDrops() - drops;

    const { watching, lossPercent } = windowLoss(before, after);
    const redirected = framed.filter((v) => v.servedBy !== whep);
    const ttff = (viewers: WatchedViewer[]) => viewers.map((v) => v.firstFrameAt! - v.postedAt);
    const loads = await Promise.all(nodes.map((n) => relayLoad(n)));
    const depth = Math.max(...await Promise.all(nodes.map((n) => streamDepth(n, live.stream))));
    console.error(
      `relay.tree: ${VIEWERS} viewers arrived in ${arrivalSeconds.toFixed(1)} s ` +
        `(${arrived.retried} offers made again); viewers per node ${
          loads.map((l) => l.viewers).join(" / ")
        }; ${watching} watching, loss ${lossPercent.toFixed(3)}% over ${WINDOW_MS / 1000} s; ` +
        `${rigDrops} datagrams overflowed at the machine's receivers`,
    );
    const p = (values: number[], q: number) => Math.round(quantile(values, q));
    return [
      {
        name: "relay.tree.watching",
        value: watching,
        unit: "viewers",
        ceiling: VIEWERS,
        ratio: Number((watching / VIEWERS).toFixed(3)),
        note: `viewers per node ${loads.map((l) => `${l.viewers}/${l.maxViewers}`).join(", ")}`,
      },
      {
        name: "relay.tree.loss",
        value: Number(lossPercent.toFixed(3)),
        unit: "%",
        ceiling: MAX_LOSS_PERCENT,
        ratio: Number((lossPercent / MAX_LOSS_PERCENT).toFixed(3)),
      },
      { name: "relay.tree.redirected", value: redirected.length, unit: "viewers" },
      { name: "relay.tree.ttff_redirected_p50", value: p(ttff(redirected), 0.5), unit: "ms" },
      { name: "relay.tree.ttff_redirected_p95", value: p(ttff(redirected), 0.95), unit: "ms" },
      {
        name: "relay.tree.ttff_direct_p50",
        value: p(ttff(framed.filter((v) => v.servedBy === whep)), 0.5),
        unit: "ms",
      },
      { name: "relay.tree.depth", value: depth, unit: "hops" },
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

/** Viewers whose video still arrives, and the loss over the window, from two readings. */
function windowLoss(
  before: WatchedViewer[],
  after: WatchedViewer[],
): { watching: number; lossPercent: number } {
  const earlier = new Map(before.map((v) => [v.viewer, v]));
  let watching = 0;
  let expected = 0;
  let lost = 0;
  for (const v of after) {
    const b = earlier.get(v.viewer);
    if (!b || v.packets <= b.packets) continue;
    watching++;
    expected += v.packets + v.lost - (b.packets + b.lost);
    lost += v.lost - b.lost;
  }
  return { watching, lossPercent: expected ? (100 * Math.max(0, lost)) / expected : 100 };
}

/** Waits until every viewer saw a whole keyframe; returns them all. */
async function untilFirstFrames(pool: NativeViewerPool): Promise<WatchedViewer[]> {
  const deadline = Date.now() + FIRST_FRAMES_MS;
  for (;;) {
    const viewers = await pool.watched();
    const framed = viewers.filter((v) => v.firstFrameAt !== undefined);
    if (framed.length === viewers.length) return viewers;
    if (Date.now() > deadline) {
      throw new Error(`${viewers.length - framed.length} viewers saw no frame in 30 s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until `node`'s chain lists Alice as carrying `stream` and `relays` as registered. */
async function listed(node: BenchNode, stream: number, relays: string[]): Promise<void> {
  const connection = await NodeConnection.open(`ws://127.0.0.1:${node.node.rpcPort}`);
  try {
    const alice = toHex(keypairFromUri("//Alice").publicKey);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const carrying = await connection.queryStorage("Streams", "StreamRelays", [stream, alice]);
      const registered = await Promise.all(
        relays.map((uri) =>
          connection.queryStorage("QosRewards", "Relays", [toHex(keypairFromUri(uri).publicKey)])
        ),
      );
      if (carrying != null && registered.every((r) => r != null)) return;
      if (Date.now() > deadline) throw new Error("Timed out waiting for the relays on chain");
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    connection.close();
  }
}

async function relayLoad(node: BenchNode): Promise<RelayLoad> {
  return await (await fetch(`${node.http}/relay/load`)).json();
}

/** The stream's depth at `node` (-1 when it does not carry it). */
async function streamDepth(node: BenchNode, stream: number): Promise<number> {
  const streams: StreamInTree[] = await (await fetch(`${node.http}/relay/streams`)).json();
  return streams.find((s) => s.stream === stream)?.depth ?? -1;
}

if (import.meta.main) console.table(await run());
