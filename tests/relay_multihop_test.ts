/**
 * Multi-hop relay across three real nodes: a viewer on a node that does not
 * carry the stream gets it pulled from a carrier listed on chain, and when
 * that carrier dies the relay re-attaches to another within seconds.
 */
import { ok } from "node:assert/strict";
import { keypairFromUri } from "../runtime/crypto/mod.ts";
import { HeadlessViewer } from "../node/client/headless_viewer.ts";
import { NodeConnection } from "../node/client/commands.ts";
import { SyntheticPublisher } from "../node/relay/testing/synthetic_source.ts";
import { fastDevSpec, NodeProcess } from "./_node.ts";
import { liveStream, startRelayNodes, tokenFor, untilTrue } from "./_relay.ts";

Deno.test({
  name: "relay: a third node pulls a stream from a carrier and re-attaches when it dies",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sutantra-multihop-" });
    const chain = await fastDevSpec(dir);
    const nodes: NodeProcess[] = [];
    const cleanups: (() => Promise<unknown>)[] = [];
    try {
      const [alice, bob, charlie] = await startRelayNodes(chain, ["//Bob", "//Charlie"], nodes);
      const genesis = await alice.rpc<string>("chain_getBlockHash", [0]);
      const stream = await liveStream(alice, "//Alice", 0n);

      // The creator publishes to two nodes, so the stream has two carriers.
      for (const node of [alice, bob]) {
        const publisher = await SyntheticPublisher.start({
          whipUrl: `http://127.0.0.1:${node.rpcPort}/whip/${stream}`,
          token: tokenFor("//Alice", genesis, stream, "publish", node),
          loopback: true,
          bitrate: 500_000,
          // As Chrome's VP8: keyframes only when asked (PLI/FIR).
          keyframeInterval: 0,
        });
        cleanups.push(() => publisher.stop());
      }
      const conn = await NodeConnection.open(`ws://127.0.0.1:${charlie.rpcPort}`);
      cleanups.push(() => Promise.resolve(conn.close()));
      await untilTrue("Alice and Bob listed as carriers", async () => {
        const listed = await Promise.all(
          ["//Alice", "//Bob"].map((uri) =>
            conn.queryStorage("Streams", "StreamRelays", [
              stream.toString(),
              `0x${
                [...keypairFromUri(uri).publicKey].map((b) => b.toString(16).padStart(2, "0")).join(
                  "",
                )
              }`,
            ])
          ),
        );
        return listed.every((v) => v !== null && v !== undefined);
      }, 60_000);

      const viewer = await HeadlessViewer.start({
        whepUrl: `http://127.0.0.1:${charlie.rpcPort}/whep/${stream}`,
        token: tokenFor("//Dave", genesis, stream, "watch", charlie),
        loopback: true,
        connectTimeoutMs: 20_000,
      });
      cleanups.push(() => viewer.stop());
      await untilTrue("30 frames through the hop", () => viewer.stats().video.frames >= 30, 30_000);

      const upstreamPort = Number(
        charlie.output.match(/pulling from http:\/\/127\.0\.0\.1:(\d+)/)?.[1],
      );
      const carrier = nodes.find((n) => n.rpcPort === upstreamPort);
      ok(carrier && carrier !== charlie, `Charlie pulls from a carrier (${upstreamPort})`);
      await carrier.stop("SIGKILL");
      const pulls = () => [...charlie.output.matchAll(/pulling from (\S+)/g)].map((m) => m[1]);
      await untilTrue("a pull from the other carrier", () => pulls().length >= 2, 10_000);
      ok(pulls()[1] !== pulls()[0], `re-attached elsewhere: ${pulls().join(" → ")}`);
      const before = viewer.stats().video.frames;
      await untilTrue(
        "frames again from the other carrier",
        () => viewer.stats().video.frames >= before + 30,
        15_000,
      );
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      await Promise.all(nodes.map((n) => n.stop()));
      await Deno.remove(dir, { recursive: true });
    }
  },
});
