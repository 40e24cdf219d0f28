/**
 * Simulcast through a dev node into the web app: a Chromium page publishes
 * its fake camera (1280×720) by WHIP as VP8 simulcast, q, h and f; Bob's
 * watch page asks for the low layer (`?layer=low` on its WHEP URL), shows
 * the layer the relay gives it, then switches to the high one from the
 * Quality picker (a `layer` message on its `sutantra-pay` channel): the
 * video's width follows, and it never freezes.
 */
import { ok } from "node:assert/strict";
import { type BrowserSession, launchBrowser, statusOk, walletAt } from "../_browser.ts";
import { fastDevSpec, NodeProcess, until } from "../_node.ts";
import { liveStream, tokenFor } from "../_relay.ts";
import { answerIn, simulcastOffer } from "../_simulcast.ts";

Deno.test("web app: a simulcast stream watched at the low layer, then the high one, without a freeze", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-web-simulcast-" });
  const node = new NodeProcess(["--chain", await fastDevSpec(dir), "--alice", "--base-path", dir]);
  const browsers: BrowserSession[] = [];
  try {
    await node.ready();
    const origin = `http://127.0.0.1:${node.rpcPort}`;
    const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
    const stream = await liveStream(node, "//Alice", 0n);

    const publisher = await launchBrowser();
    browsers.push(publisher);
    await publisher.page.goto(origin);
    const published = await fetch(`${origin}/whip/${stream}`, {
      method: "POST",
      headers: {
        "content-type": "application/sdp",
        authorization: `Bearer ${tokenFor("//Alice", genesis, stream, "publish", node)}`,
      },
      body: await simulcastOffer(publisher.page, false),
    });
    const answer = await published.text();
    ok(published.status === 201, `the relay takes the simulcast offer: ${answer}`);
    await answerIn(publisher.page, answer);
    // Ramping up, Chrome turns layers off and on (a keyframe on each every time) as its
    // bandwidth estimate swings; a viewer of a paused layer freezes whatever the relay does.
    // Bob comes once the publisher has kept to REMB's bitrate and its layers for 2 s.
    let keyframes = -1;
    let settledSince = performance.now();
    await until("the publisher to settle on the relay's bitrate", async () => {
      const { keyframesNow, bps } = await publisher.page.evaluate(`(async () => {
        let keyframesNow = 0, bps = 0;
        (await globalThis.pc.getStats()).forEach((s) => {
          if (s.type === "outbound-rtp" && s.kind === "video") keyframesNow += s.keyFramesEncoded;
          if (s.type === "candidate-pair") bps = Math.max(bps, s.availableOutgoingBitrate ?? 0);
        });
        return { keyframesNow, bps };
      })()`) as { keyframesNow: number; bps: number };
      if (keyframesNow !== keyframes || bps < 3_000_000) settledSince = performance.now();
      keyframes = keyframesNow;
      return performance.now() - settledSince > 2_000 || undefined;
    }, 45_000);

    const bob = await walletAt(origin, "//Bob", "sr25519", browsers);
    await bob.goto(`${origin}/#watch/${stream}`);
    await bob.getByTestId("watch-quality").selectOption("low");
    await bob.getByTestId("watch-start").click();
    await statusOk(bob, "watch-status", 60_000);
    const layer = () => bob.getByTestId("stats-layer").getAttribute("data-layer");
    const width = () =>
      bob.getByTestId("watch-video").evaluate((v) =>
        (v as unknown as { videoWidth: number }).videoWidth
      );
    await until(
      "the low layer, 320 wide",
      async () => (await layer()) === "q" && await width() === 320 || undefined,
      60_000,
    );
    await until(
      "the page to show the layers there are",
      async () =>
        /of q, h, f/.test(await bob.getByTestId("stats-layer").textContent() ?? "") ||
        undefined,
    );

    await bob.getByTestId("watch-quality").selectOption("high");
    await until(
      "the high layer, 1280 wide",
      async () => (await layer()) === "f" && await width() === 1280 || undefined,
      60_000,
    );
    const frames = Number(await bob.getByTestId("stats-frames-decoded").textContent());
    await until(
      "frames decoding on the high layer",
      async () =>
        Number(await bob.getByTestId("stats-frames-decoded").textContent()) > frames + 30 ||
        undefined,
    );
    ok(await bob.getByTestId("stats-freeze-count").textContent() === "0", "no freeze");
    for (const b of browsers) ok(b.errors.length === 0, `page errors: ${b.errors.join("; ")}`);
  } finally {
    for (const b of browsers) await b.close();
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
