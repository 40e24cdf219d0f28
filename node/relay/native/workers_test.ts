/**
 * Media workers with real WebRTC on 127.0.0.1: a werift publisher and werift
 * viewers in this isolate, node-datachannel in the worker process.
 */
import assert from "node:assert/strict";
import { MediaWorkerError, MediaWorkers } from "./mod.ts";
import { publishTo, type TestPublisher, type TestViewer, until, watchFrom } from "./testing.ts";

const STREAM = 7n;

Deno.test("a media worker fans a publisher out to viewers, forwards their PLI and carries pay messages", async () => {
  const pay: { session: string; text: string }[] = [];
  const started = new Set<string>();
  const workers = new MediaWorkers({
    workers: 1,
    bindAddress: "127.0.0.1",
    statsIntervalMs: 200,
    events: {
      pay: (session, text) => pay.push({ session, text }),
      started: (session) => started.add(session),
    },
  });
  let publisher: TestPublisher | undefined;
  const viewers: TestViewer[] = [];
  try {
    assert.equal(workers.workers()[0].pid, undefined, "no worker before the first session");
    publisher = await publishTo(workers, STREAM, { bitrate: 1_000_000, keyframeInterval: 0 });
    for (let i = 0; i < 3; i++) viewers.push(await watchFrom(workers, STREAM));

    // Every viewer gets video frames from a keyframe on, and audio.
    await until(
      "every viewer to receive 30 frames and audio",
      () => viewers.every((v) => v.video.read().frames >= 30 && v.audio.read().packets >= 20),
    );
    for (const viewer of viewers) {
      const video = viewer.video.read();
      assert.ok(video.keyframes >= 1, "each viewer's video begins with a keyframe");
      assert.ok(started.has(viewer.session), "the node heard that media reached the viewer");
    }

    // A viewer's PLI reaches the publisher (keyframeInterval 0: keyframes only on request).
    const requestsBefore = publisher.source.stats().keyframeRequests;
    const keyframesBefore = viewers[0].video.read().keyframes;
    await viewers[0].sendPli();
    await until(
      "the viewer's PLI to reach the publisher",
      () => publisher!.source.stats().keyframeRequests > requestsBefore,
    );
    await until(
      "the requested keyframe to reach the viewer",
      () => viewers[0].video.read().keyframes > keyframesBefore,
    );

    // The pay channel: viewer → node, node → viewer.
    await viewers[1].payOpen;
    viewers[1].pay.send(JSON.stringify({ type: "voucher", channel: "0x1" }));
    await until("the viewer's pay message to reach the node", () => pay.length > 0);
    assert.equal(pay[0].session, viewers[1].session);
    assert.deepEqual(JSON.parse(pay[0].text), { type: "voucher", channel: "0x1" });
    await workers.pay(viewers[1].session, JSON.stringify({ type: "ack" }));
    await until(
      "the node's pay message to reach the viewer",
      () => viewers[1].payMessages.length > 0,
    );
    assert.deepEqual(JSON.parse(viewers[1].payMessages[0]), { type: "ack" });

    // Stats name every session, with what was sent and received.
    await until("stats that count the viewers' packets", () => {
      const stats = workers.workers()[0].stats;
      return !!stats && stats.sessions.filter((s) => s.kind === "watch" && s.packets > 0)
            .length === 3;
    });
    const stats = workers.workers()[0].stats!;
    assert.equal(stats.shedding, false);
    assert.ok(stats.forwarded > 0);

    // The node asks for a keyframe (a source change upstream, say): it reaches the publisher.
    const asked = publisher.source.stats().keyframeRequests;
    await workers.requestKeyframe(STREAM);
    await until(
      "the node's keyframe request to reach the publisher",
      () => publisher!.source.stats().keyframeRequests > asked,
    );

    // A viewer closed by the node is gone; the others go on.
    await workers.close(viewers[2].session);
    await assert.rejects(workers.close(viewers[2].session), MediaWorkerError);
    const frames = viewers[0].video.read().frames;
    await until(
      "the remaining viewer to go on receiving",
      () => viewers[0].video.read().frames > frames + 10,
    );
  } finally {
    for (const viewer of viewers) await viewer.close();
    await publisher?.close();
    await workers.stop();
  }
  assert.equal(workers.workers()[0].pid, undefined, "the worker is gone after stop()");
});

Deno.test("a media worker refuses what it cannot serve, saying why, and changes nothing", async () => {
  const workers = new MediaWorkers({ bindAddress: "127.0.0.1", maxViewersPerWorker: 1 });
  let publisher: TestPublisher | undefined;
  let viewer: TestViewer | undefined;
  try {
    await assert.rejects(
      workers.watch(STREAM, "v=0\r\n"),
      (e: MediaWorkerError) => e.code === "no-source" && e.status === 409,
    );
    await assert.rejects(
      workers.publish(STREAM, "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"),
      (e: MediaWorkerError) => e.code === "bad-offer" && e.status === 400,
    );
    await assert.rejects(
      workers.publish(STREAM, "not sdp"),
      (e: MediaWorkerError) => e.code === "bad-offer",
    );
    publisher = await publishTo(workers, STREAM);
    await assert.rejects(
      workers.watch(STREAM, "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"),
      (e: MediaWorkerError) => e.code === "bad-offer" && /VP8|vp8/.test(e.message),
    );
    await assert.rejects(workers.pay("nobody", "{}"), (e: MediaWorkerError) => e.status === 404);
    assert.equal(workers.workers()[0].sessions, 1, "only the publisher is left");
    viewer = await watchFrom(workers, STREAM);
    await assert.rejects(
      workers.watch(STREAM, "v=0\r\n"),
      (e: MediaWorkerError) => e.code === "full" && e.status === 503 && e.retryAfter === 5,
      "a worker at its most viewers takes no more",
    );
    assert.equal(workers.workers()[0].sessions, 2);
  } finally {
    await viewer?.close();
    await publisher?.close();
    await workers.stop();
  }
});
