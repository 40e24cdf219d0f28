/**
 * Chromium publishes its fake camera (1280×720) as VP8 simulcast, three
 * layers q, h and f scaled down 4, 2 and 1 times, to a media worker, and
 * three Chromium pages watch it: two pinned to different layers get
 * different widths, and one switched from layer to layer keeps decoding
 * without a freeze (`freezeCount` 0), its width following. A simulcast
 * offer with audio and no SSRCs (which libdatachannel could not route) is
 * refused. SDP goes between the pages and the supervisor directly.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { MediaWorkerError, MediaWorkers, type SessionStats } from "../../node/relay/native/mod.ts";
import { until } from "../../node/relay/native/testing.ts";
import { launchBrowser } from "../_browser.ts";
import { answerIn, simulcastOffer } from "../_simulcast.ts";

const STREAM = 21n;

/** In the page: a video-only viewer, and its complete offer. */
function watchOffer(page: Page): Promise<string> {
  return page.evaluate(`(async () => {
    const pc = new RTCPeerConnection();
    globalThis.pc = pc;
    pc.addTransceiver("video", { direction: "recvonly" });
    await pc.setLocalDescription();
    await new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
    });
    return pc.localDescription.sdp;
  })()`);
}

/** A viewer's video `inbound-rtp` stats. */
function received(page: Page): Promise<Record<string, number>> {
  return page.evaluate(`(async () => {
    let found = {};
    (await globalThis.pc.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") found = s;
    });
    return found;
  })()`);
}

/** The publisher's `outbound-rtp` stats by RID, and its send-side bandwidth estimate. */
function sent(
  page: Page,
): Promise<{ layers: Record<string, Record<string, number>>; bps: number }> {
  return page.evaluate(`(async () => {
    const layers = {};
    let bps = 0;
    (await globalThis.pc.getStats()).forEach((s) => {
      if (s.type === "outbound-rtp" && s.kind === "video") layers[s.rid] = s;
      if (s.type === "candidate-pair") bps = Math.max(bps, s.availableOutgoingBitrate ?? 0);
    });
    return { layers, bps };
  })()`);
}

Deno.test("Chromium's VP8 simulcast through a media worker: pinned layers, switches without freezes", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response("<!doctype html><title>simulcast</title>", {
        headers: { "content-type": "text/html" },
      }),
  );
  let sessions: SessionStats[] = [];
  const layerEvents = new Map<string, string[]>();
  const workers = new MediaWorkers({
    bindAddress: "127.0.0.1",
    events: {
      stats: (_, stats) => sessions = stats.sessions,
      layer: (session, layer) =>
        layerEvents.set(session, [...layerEvents.get(session) ?? [], layer]),
    },
  });
  const browser = await launchBrowser();
  try {
    const origin = `http://127.0.0.1:${server.addr.port}/`;
    const publisher = browser.page;
    await publisher.goto(origin);

    await assert.rejects(
      workers.publish(STREAM + 1n, await simulcastOffer(publisher, true)),
      (e: MediaWorkerError) =>
        e.code === "bad-offer" && e.status === 400 &&
        /simulcast with audio needs its SSRCs signalled/.test(e.message),
    );

    const published = await workers.publish(STREAM, await simulcastOffer(publisher, false));
    assert.match(published.answer, /a=simulcast:recv q;h;f/);
    assert.match(published.answer, /a=rid:f recv/);
    assert.match(published.answer, /a=extmap:\d+ urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id/);
    assert.doesNotMatch(published.answer, /transport-cc/);
    await answerIn(publisher, published.answer);
    const flowing = () => sessions.find((s) => s.session === published.session)?.layers;
    await until("the worker to see three layers flowing", () => flowing()?.length === 3, 45_000);
    assert.deepEqual(flowing(), ["q", "h", "f"], "ordered by width");
    // Ramping up, Chrome turns layers off and on as its estimate swings, each
    // time with a keyframe on every layer: a viewer of a paused layer freezes
    // whatever the relay does. Viewers come once it has kept to its layers for 2 s.
    let keyframes = 0;
    let settledSince = performance.now();
    await until("the publisher to settle on REMB's bitrate", async () => {
      const { layers, bps } = await sent(publisher);
      const now = Object.values(layers).reduce((sum, s) => sum + s.keyFramesEncoded, 0);
      if (now !== keyframes || bps < 3_000_000) settledSince = performance.now();
      keyframes = now;
      return performance.now() - settledSince > 2_000;
    }, 30_000);

    const watch = async (layer?: string) => {
      const page = await browser.newPage();
      await page.goto(origin);
      const { session, answer } = await workers.watch(STREAM, await watchOffer(page), { layer });
      await answerIn(page, answer);
      return { page, session };
    };
    const low = await watch("q");
    const auto = await watch();
    const switched = await watch("h");
    const width = async (page: Page) => (await received(page)).frameWidth;
    const widthOf = async (rid: string) => (await sent(publisher)).layers[rid].frameWidth;
    await until(
      "each viewer to decode 30 frames",
      async () => {
        for (const { page } of [low, auto, switched]) {
          if (((await received(page)).framesDecoded ?? 0) < 30) return false;
        }
        return true;
      },
      30_000,
    );
    const widths = { q: await widthOf("q"), h: await widthOf("h"), f: await widthOf("f") };
    assert.ok(widths.q < widths.h && widths.h < widths.f, JSON.stringify(widths));
    assert.equal(await width(low.page), widths.q, "pinned to q");
    assert.equal(await width(auto.page), widths.f, "automatic: the top layer, on a lossless path");
    assert.equal(await width(switched.page), widths.h, "pinned to h");
    const reported = (session: string) => sessions.find((s) => s.session === session)?.layer;
    await until(
      "the stats to name each viewer's layer",
      () => reported(low.session) === "q" && reported(auto.session) === "f",
      5_000,
    );

    const steps = [
      ["f", "f"],
      ["q", "q"],
      ["high", "f"],
      ["mid", "h"],
      ["low", "q"],
      ["h", "h"],
      ["auto", "f"],
      ["q", "q"],
    ] as const;
    const times: number[] = [];
    for (const [layer, rid] of steps) {
      const before = (await received(switched.page)).framesDecoded;
      const at = performance.now();
      await workers.setLayer(switched.session, layer);
      await until(`the switched viewer to decode ${rid} (asked for ${layer})`, async () => {
        const stats = await received(switched.page);
        return stats.frameWidth === widths[rid] && stats.framesDecoded > before;
      }, 10_000);
      times.push(Math.round(performance.now() - at));
      // Watch it play on a while on the new layer.
      const decoded = (await received(switched.page)).framesDecoded;
      await until(
        "30 more frames",
        async () => (await received(switched.page)).framesDecoded >= decoded + 30,
        10_000,
      );
      assert.equal(await width(switched.page), widths[rid]);
    }
    const [lowStats, autoStats, switchedStats] = await Promise.all(
      [low, auto, switched].map(({ page }) => received(page)),
    );
    const { layers, bps } = await sent(publisher);
    console.log(
      `native_simulcast: layers ${JSON.stringify(widths)}; ${steps.length} switches in ${
        times.join("/")
      } ms; switched viewer ${switchedStats.framesDecoded} frames decoded, freezeCount ${switchedStats.freezeCount}, ` +
        `${switchedStats.packetsLost} lost, ${switchedStats.keyFramesDecoded} keyframes, ` +
        `${switchedStats.pliCount} PLI sent; ` +
        `publisher ${
          Object.entries(layers).map(([rid, s]) =>
            `${rid} ${s.framesEncoded} frames/${s.keyFramesEncoded} keyframes/${s.pliCount} PLI`
          ).join(", ")
        }, ` +
        `estimate ${Math.round(bps / 1000)} kbit/s; layer events ${
          layerEvents.get(switched.session)?.join(",")
        }`,
    );
    assert.equal(switchedStats.freezeCount, 0, "no freezes across the switches");
    assert.equal(lowStats.freezeCount, 0);
    assert.equal(autoStats.freezeCount, 0);
    assert.equal(switchedStats.packetsLost, 0);
    assert.deepEqual(layerEvents.get(low.session), ["q"]);
    assert.deepEqual(layerEvents.get(switched.session), ["h", ...steps.map(([, rid]) => rid)]);
    assert.ok(bps >= 1_500_000, `REMB lifts the publisher's estimate (${bps} bit/s)`);
  } finally {
    await browser.close();
    await workers.stop();
    await server.shutdown();
  }
});
