/**
 * The relay on a real dev node: a synthetic VP8+Opus publisher goes live by
 * WHIP, a werift viewer watches by WHEP and receives keyframes and frames;
 * WHIP/WHEP answer with the statuses and headers RFC 9725 asks for.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { HeadlessViewer } from "../node/client/headless_viewer.ts";
import { SyntheticPublisher } from "../node/relay/testing/synthetic_source.ts";
import { fastDevSpec, NodeProcess } from "./_node.ts";
import { liveStream, tokenFor, untilTrue } from "./_relay.ts";

for (const [plane, workers] of [["media workers", "1"], ["werift in process", "0"]]) {
  Deno.test(`relay (${plane}): WHIP in, WHEP out on one node, with RFC 9725 statuses`, () =>
    whipInWhepOut(workers));
}

async function whipInWhepOut(workers: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-relay-" });
  const node = new NodeProcess([
    "--chain",
    await fastDevSpec(dir),
    "--alice",
    "--tmp",
    "--relay-workers",
    workers,
  ]);
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    await node.ready();
    const base = `http://127.0.0.1:${node.rpcPort}`;
    const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
    const stream = await liveStream(node, "//Alice", 0n);

    // Not the creator: 403; no token: 401; wrong content type: 415; no such stream: 404.
    const post = (path: string, token?: string, type = "application/sdp") =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: "v=0\r\n",
      }).then(async (r) => (await r.body?.cancel(), r));
    assertEquals((await post(`/whip/${stream}`)).status, 401);
    assertEquals(
      (await post(`/whip/${stream}`, tokenFor("//Bob", genesis, stream, "publish", node))).status,
      403,
    );
    assertEquals(
      (await post(
        `/whip/${stream}`,
        tokenFor("//Alice", genesis, stream, "publish", node),
        "text/plain",
      ))
        .status,
      415,
    );
    assertEquals(
      (await post(`/whip/999`, tokenFor("//Alice", genesis, 999n, "publish", node))).status,
      404,
    );
    // RFC 6750: a genuine token for another stream lacks the right (403,
    // insufficient_scope); a missing or invalid one is no token at all (401, invalid_token).
    const otherStream = await post(
      `/whep/${stream}`,
      tokenFor("//Bob", genesis, stream + 1n, "watch", node),
    );
    assertEquals(otherStream.status, 403);
    assertEquals(otherStream.headers.get("www-authenticate"), `Bearer error="insufficient_scope"`);
    const notCreator = await post(
      `/whip/${stream}`,
      tokenFor("//Bob", genesis, stream, "publish", node),
    );
    assertEquals(notCreator.headers.get("www-authenticate"), `Bearer error="insufficient_scope"`);
    // A token Alice gave another relay, replayed here: not for this audience.
    const elsewhere = { rpcPort: node.rpcPort + 1 };
    const replayed = await post(
      `/whip/${stream}`,
      tokenFor("//Alice", genesis, stream, "publish", elsewhere),
    );
    assertEquals(replayed.status, 401);
    assertEquals(replayed.headers.get("www-authenticate"), `Bearer error="invalid_token"`);
    const noToken = await post(`/whep/${stream}`);
    assertEquals(noToken.headers.get("www-authenticate"), `Bearer error="invalid_token"`);
    const options = await fetch(`${base}/whip/${stream}`, { method: "OPTIONS" });
    assertEquals(options.status, 204);
    assertEquals(options.headers.get("accept-post"), "application/sdp");
    assertEquals(options.headers.get("access-control-allow-origin"), "*");

    const publisher = await SyntheticPublisher.start({
      whipUrl: `${base}/whip/${stream}`,
      token: tokenFor("//Alice", genesis, stream, "publish", node),
      loopback: true,
      bitrate: 1_000_000,
      // As Chrome's VP8: keyframes only when asked (PLI/FIR).
      keyframeInterval: 0,
    });
    cleanups.push(() => publisher.stop());
    ok(new URL(publisher.location).pathname.startsWith(`/whip/${stream}/`));

    const viewerToken = tokenFor("//Bob", genesis, stream, "watch", node);
    const viewer = await HeadlessViewer.start({
      whepUrl: `${base}/whep/${stream}`,
      token: viewerToken,
      loopback: true,
    });
    cleanups.push(() => viewer.stop());
    await untilTrue("30 frames after a keyframe", () => {
      const s = viewer.stats();
      return s.firstKeyframeMs !== undefined && s.video.frames >= 30;
    }, 20_000);
    ok(viewer.stats().audio.packets > 0, "audio arrives too");
    ok(
      publisher.stats().keyframeRequests > 0,
      "the viewer's join asked the publisher for a keyframe",
    );
    const metricsPort = node.output.match(/Prometheus metrics on http:\/\/127\.0\.0\.1:(\d+)/)![1];
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const gauge = (name: string) => Number(metrics.match(new RegExp(`^${name} (\\d+)`, "m"))?.[1]);
    ok(gauge("sutantra_relay_media_in_bytes") > 10_000, "the publisher's media is counted");
    ok(
      gauge("sutantra_relay_media_out_bytes") > 10_000,
      "and so is what went to the viewer (the informant's bandwidth adds both)",
    );
    const carried = await (await fetch(`${base}/relay/streams`)).json();
    assertEquals(carried, [{ stream: Number(stream), viewers: 1, source: "publisher", depth: 0 }]);

    // DELETE by another account: 403; by the owner: 200, then 404.
    const del = (token: string) =>
      fetch(viewer.location, { method: "DELETE", headers: { authorization: `Bearer ${token}` } })
        .then(async (r) => (await r.body?.cancel(), r.status));
    assertEquals(await del(tokenFor("//Charlie", genesis, stream, "watch", node)), 403);
    const patch = await fetch(viewer.location, {
      method: "PATCH",
      headers: {
        authorization: `Bearer ${viewerToken}`,
        "content-type": "application/trickle-ice-sdpfrag",
      },
      body: "a=ice-ufrag:restart\r\na=ice-pwd:newpasswordnewpassword\r\n",
    });
    await patch.body?.cancel();
    assertEquals(patch.status, 422, "an ICE restart is not supported");
    assertEquals(await del(viewerToken), 200);
    assertEquals(await del(viewerToken), 404);
    await untilTrue("the viewer leaves", async () => {
      const list = await (await fetch(`${base}/relay/streams`)).json();
      return list[0]?.viewers === 0;
    }, 10_000);

    // Caps: one account holds at most 4 sessions on a node; a fifth is refused before
    // anything is negotiated, and a seat given back is taken again.
    const four = await Promise.all(
      [0, 1, 2, 3].map(() =>
        HeadlessViewer.start({
          whepUrl: `${base}/whep/${stream}`,
          token: viewerToken,
          loopback: true,
        })
      ),
    );
    cleanups.push(...four.map((v) => () => v.stop()));
    const fifth = await post(`/whep/${stream}`, viewerToken);
    assertEquals(fifth.status, 429);
    await four[0].stop();
    await untilTrue(
      "a seat comes free",
      async () => (await post(`/whep/${stream}`, viewerToken)).status === 400,
      10_000,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await node.stop();
    await Deno.remove(dir, { recursive: true });
  }
}
