/**
 * A dev node's media worker killed mid-stream: the node ends the sessions
 * that died with it (seats and metering given back), starts the worker
 * again, and a publisher and viewer that reconnect, as an encoder and a
 * player do, watch again.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { HeadlessViewer } from "../../node/client/headless_viewer.ts";
import type { SyntheticPublisher } from "../../node/relay/testing/synthetic_source.ts";
import { childrenOf, fastDevSpec, NodeProcess } from "../_node.ts";
import { liveStream, publishAsAlice, tokenFor, untilTrue } from "../_relay.ts";

Deno.test("relay: a killed media worker ends its sessions, comes back, and serves the reconnected", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-worker-crash-" });
  const node = new NodeProcess([
    "--chain",
    await fastDevSpec(dir),
    "--alice",
    "--tmp",
    "--relay-workers",
    "1",
  ]);
  const peers: { stop(): Promise<unknown> }[] = [];
  try {
    await node.ready();
    const base = `http://127.0.0.1:${node.rpcPort}`;
    const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
    const stream = await liveStream(node, "//Alice", 0n);
    const carried = async () => await (await fetch(`${base}/relay/streams`)).json();
    const watch = async () => {
      const viewer = await HeadlessViewer.start({
        whepUrl: `${base}/whep/${stream}`,
        token: tokenFor("//Bob", genesis, stream, "watch", node),
        loopback: true,
      });
      peers.push(viewer);
      return viewer;
    };
    const publish = async () => {
      const publisher: SyntheticPublisher = await publishAsAlice(node, genesis, stream, 1_000_000);
      peers.push(publisher);
      return publisher;
    };

    await publish();
    const viewer = await watch();
    await untilTrue("frames through the media worker", () => viewer.stats().video.frames >= 20);
    const [worker] = await childrenOf(node.pid);
    ok(worker, "the node runs its media worker as a child process");
    assertEquals(await carried(), [{
      stream: Number(stream),
      viewers: 1,
      source: "publisher",
      depth: 0,
    }]);

    Deno.kill(worker, "SIGKILL");
    await untilTrue(
      "the node to end the sessions that died with the worker",
      async () => (await carried()).every((s: { viewers: number }) => s.viewers === 0),
      20_000,
    );
    ok(/Media worker 0 crashed, ending 2 sessions/.test(node.output), "the crash is logged");
    // The viewer's late DELETE of its dead session is done, once; nobody else's is.
    const del = (uri: string) =>
      fetch(viewer.location, {
        method: "DELETE",
        headers: { authorization: `Bearer ${tokenFor(uri, genesis, stream, "watch", node)}` },
      }).then(async (r) => (await r.body?.cancel(), r.status));
    assertEquals(await del("//Charlie"), 404, "another account cannot end it");
    assertEquals(await del("//Bob"), 200, "its own account's DELETE is done");
    assertEquals(await del("//Bob"), 404, "once");

    await publish();
    const again = await watch();
    await untilTrue(
      "frames again once the publisher and viewer reconnected",
      () => again.stats().video.frames >= 20,
      30_000,
    );
    const [restarted] = await childrenOf(node.pid);
    ok(restarted !== undefined && restarted !== worker, "a new worker process serves them");
    assertEquals(await carried(), [{
      stream: Number(stream),
      viewers: 1,
      source: "publisher",
      depth: 0,
    }]);
  } finally {
    for (const peer of peers) await peer.stop().catch(() => {});
    await node.stop();
  }
});
