/**
 * Chromium publishes its fake camera to a media worker and a second page
 * watches it: frames are decoded, the publisher is asked for keyframes (PLI
 * from the worker's receiving session) and its bitrate is driven by REMB
 * (the answer has no transport-cc, which the relay would never feed back).
 * SDP goes between the pages and the supervisor directly, not over WHIP.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { MediaWorkers } from "../../node/relay/native/mod.ts";
import { until } from "../../node/relay/native/testing.ts";
import { launchBrowser } from "../_browser.ts";

const STREAM = 11n;

/**
 * In the page: a peer connection sending the fake camera (or receiving), and
 * its complete offer. Page code is a string: it runs in Chromium, not Deno.
 */
function offerIn(page: Page, role: "publish" | "watch", video: "VP8" | "H264"): Promise<string> {
  return page.evaluate(`(async () => {
    const pc = new RTCPeerConnection();
    globalThis.pc = pc;
    if (${JSON.stringify(role)} === "publish") {
      const media = await navigator.mediaDevices.getUserMedia({
        video: { width: 640, height: 480 },
        audio: true,
      });
      for (const track of media.getTracks()) pc.addTransceiver(track, { direction: "sendonly" });
    } else {
      pc.addTransceiver("video", { direction: "recvonly" });
      pc.addTransceiver("audio", { direction: "recvonly" });
    }
    const capabilities = ${JSON.stringify(role)} === "publish"
      ? RTCRtpSender.getCapabilities("video")
      : RTCRtpReceiver.getCapabilities("video");
    const preferred = capabilities.codecs.filter((c) => c.mimeType === "video/${video}");
    pc.getTransceivers().find((t) => t.receiver.track.kind === "video").setCodecPreferences(preferred);
    await pc.setLocalDescription();
    await new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
    });
    return pc.localDescription.sdp;
  })()`);
}

function answerIn(page: Page, answer: string): Promise<void> {
  return page.evaluate(
    `globalThis.pc.setRemoteDescription({ type: "answer", sdp: ${JSON.stringify(answer)} })`,
  );
}

/** The publisher's send-side estimate of what its path carries, bit/s (REMB caps it here). */
function availableOutgoingBitrate(page: Page): Promise<number> {
  return page.evaluate(`(async () => {
    let bitrate = 0;
    (await globalThis.pc.getStats()).forEach((s) => {
      if (s.type === "candidate-pair") bitrate = Math.max(bitrate, s.availableOutgoingBitrate ?? 0);
    });
    return bitrate;
  })()`);
}

/** The page's video RTP stats of `type` (`outbound-rtp` or `inbound-rtp`). */
function videoStats(page: Page, type: string): Promise<Record<string, number>> {
  return page.evaluate(`(async () => {
    let found = {};
    (await globalThis.pc.getStats()).forEach((s) => {
      if (s.type === ${JSON.stringify(type)} && s.kind === "video") found = s;
    });
    return found;
  })()`);
}

for (const video of ["VP8", "H264"] as const) {
  Deno.test(`Chromium publishes ${video} through a media worker to another Chromium page, which decodes it`, () =>
    publishAndWatch(video));
}

async function publishAndWatch(video: "VP8" | "H264"): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response("<!doctype html><title>native</title>", {
        headers: { "content-type": "text/html" },
      }),
  );
  const workers = new MediaWorkers({ bindAddress: "127.0.0.1" });
  const browser = await launchBrowser();
  try {
    const origin = `http://127.0.0.1:${server.addr.port}/`;
    const publisher = browser.page;
    await publisher.goto(origin);
    const published = await workers.publish(STREAM, await offerIn(publisher, "publish", video));
    assert.doesNotMatch(published.answer, /transport-cc/);
    assert.match(published.answer, new RegExp(`a=rtpmap:\\d+ ${video}/90000`));
    await answerIn(publisher, published.answer);

    const viewer = await browser.newPage();
    await viewer.goto(origin);
    const watched = await workers.watch(STREAM, await offerIn(viewer, "watch", video));
    await answerIn(viewer, watched.answer);

    await until(
      "the viewer to decode 30 frames",
      async () => ((await videoStats(viewer, "inbound-rtp")).framesDecoded ?? 0) >= 30,
      30_000,
    );
    const sent = await videoStats(publisher, "outbound-rtp");
    assert.ok(sent.pliCount > 0, "the worker asked the publisher for a keyframe");
    const before = await videoStats(viewer, "inbound-rtp");
    const at = performance.now();
    await until(
      "two more seconds of frames",
      async () =>
        ((await videoStats(viewer, "inbound-rtp")).framesDecoded ?? 0) >=
          before.framesDecoded + 20 &&
        performance.now() - at > 2000,
      20_000,
    );
    const after = await videoStats(viewer, "inbound-rtp");
    const kbps = ((after.bytesReceived - before.bytesReceived) * 8) /
      (performance.now() - at);
    const estimate = await availableOutgoingBitrate(publisher);
    console.log(
      `native_browser ${video}: viewer receives ${Math.round(kbps)} kbit/s, ` +
        `${after.framesDecoded} frames decoded, ${after.packetsLost} lost; ` +
        `the publisher estimates ${Math.round(estimate / 1000)} kbit/s available`,
    );
    assert.ok(kbps > 150, `the publisher sends more than a starved trickle (${kbps} kbit/s)`);
    // Without transport-cc, Chrome's estimate follows the worker's REMB (2.5 Mbit/s asked).
    assert.ok(estimate >= 1_000_000, `REMB lifts the publisher's estimate (${estimate} bit/s)`);
    assert.equal(after.freezeCount ?? 0, 0, "no freezes");
  } finally {
    await browser.close();
    await workers.stop();
    await server.shutdown();
  }
}
