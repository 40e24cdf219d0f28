/**
 * Pulls between media workers with real WebRTC on 127.0.0.1: relay B's
 * worker pulls a stream from relay A's worker, which a werift publisher
 * publishes to; werift viewers watch it from B. The offer and answer go
 * between the two supervisors directly, where relays exchange them over WHEP.
 */
import assert from "node:assert/strict";
import { createPeerConnection, gatheringComplete } from "../media/peer.ts";
import { peerConfig } from "../rtc_config.ts";
import { SyntheticSource } from "../testing/synthetic_source.ts";
import { type MediaWorkerError, MediaWorkers } from "./mod.ts";
import { splitCandidates } from "./sdp.ts";
import { publishTo, type TestPublisher, type TestViewer, until, watchFrom } from "./testing.ts";

const STREAM = 11n;
const UNPUBLISHED = 12n;

/** A supervisor on 127.0.0.1 whose events are recorded. */
function recordedWorkers(workers = 1) {
  const log = {
    flowing: new Set<string>(),
    ended: new Map<string, string>(),
    pay: [] as { session: string; text: string }[],
  };
  const supervisor = new MediaWorkers({
    workers,
    bindAddress: "127.0.0.1",
    statsIntervalMs: 200,
    events: {
      flowing: (session) => log.flowing.add(session),
      ended: (session, reason) => log.ended.set(session, reason),
      pay: (session, text) => log.pay.push({ session, text }),
    },
  });
  return { workers: supervisor, log };
}

/** Closes a session unless it ended already (a pull's close ends the carrier's side too). */
async function closeIfOpen(workers: MediaWorkers, session: string): Promise<void> {
  await workers.close(session).catch((e: MediaWorkerError) => {
    if (e.code !== "no-session") throw e;
  });
}

/** B pulls `stream` from A: B's offer is answered by a watch on A. */
async function pullFrom(b: MediaWorkers, a: MediaWorkers, stream: bigint) {
  const pull = await b.pull(stream);
  const watch = await a.watch(stream, pull.offer);
  await b.accept(pull.session, watch.answer);
  return { pull: pull.session, worker: pull.worker, watch: watch.session };
}

Deno.test("a worker pulls a stream from another relay's worker: media, PLI and pay messages cross", async () => {
  const a = recordedWorkers();
  const b = recordedWorkers(2);
  let publisher: TestPublisher | undefined;
  let viewer: TestViewer | undefined;
  try {
    publisher = await publishTo(a.workers, STREAM, { bitrate: 1_000_000, keyframeInterval: 0 });
    await assert.rejects(
      a.workers.pull(STREAM),
      (e: MediaWorkerError) => e.code === "has-publisher" && e.status === 409,
      "a worker does not pull a stream published on it",
    );
    // A pull not answered yet is no source: its stream has no viewers yet.
    const pending = await b.workers.pull(UNPUBLISHED);
    await assert.rejects(
      b.workers.watch(UNPUBLISHED, "v=0\r\n"),
      (e: MediaWorkerError) => e.code === "no-source",
    );
    const { pull, worker, watch } = await pullFrom(b.workers, a.workers, STREAM);
    assert.notEqual(worker, pending.worker, "a new stream's pull goes to the least loaded worker");
    await until("the pull's media to flow", () => b.log.flowing.has(pull));

    // A viewer of B is placed with the pull, and gets the stream from a keyframe on, and audio.
    viewer = await watchFrom(b.workers, STREAM);
    assert.equal(viewer.worker, worker);
    await until(
      "B's viewer to receive 30 frames and audio",
      () => viewer!.video.read().frames >= 30 && viewer!.audio.read().packets >= 20,
    );
    assert.ok(viewer.video.read().keyframes >= 1, "the viewer's video begins with a keyframe");

    // B's viewer's PLI goes up the pull to A, and on to the publisher.
    const asked = publisher.source.stats().keyframeRequests;
    const keyframes = viewer.video.read().keyframes;
    await viewer.sendPli();
    await until(
      "the PLI to reach the publisher through both workers",
      () => publisher!.source.stats().keyframeRequests > asked,
    );
    await until(
      "the keyframe to reach B's viewer",
      () => viewer!.video.read().keyframes > keyframes,
    );

    // The pull's pay channel: B's node → A's node, and back.
    const backing = { type: "backing", channel: "0x1", amount: "5", signature: "0x00" };
    await b.workers.pay(pull, JSON.stringify(backing));
    await until("the pull's backing to reach A's node", () => a.log.pay.length > 0);
    assert.equal(a.log.pay[0].session, watch, "as a pay event of A's watch session");
    assert.deepEqual(JSON.parse(a.log.pay[0].text), backing);
    await a.workers.pay(watch, JSON.stringify({ type: "warning", reason: "late", cutoffIn: 5 }));
    await until("A's warning to reach B's node", () => b.log.pay.length > 0);
    assert.equal(b.log.pay[0].session, pull, "as a pay event of B's pull session");
    assert.equal(JSON.parse(b.log.pay[0].text).type, "warning");

    // B's stats count what the pull received.
    await until(
      "B's stats to count the pull's packets",
      () =>
        b.workers.workers().some((w) =>
          w.stats?.sessions.some((s) => s.session === pull && s.kind === "pull" && s.packets > 0) ??
            false
        ),
    );

    // The publisher goes: A's stream stops, B's pull falls silent and ends.
    await publisher.close();
    publisher = undefined;
    await until("the silent pull to end", () => b.log.ended.has(pull), 8_000);
    assert.equal(b.log.ended.get(pull), "the upstream went silent");
  } finally {
    await viewer?.close();
    await publisher?.close();
    await b.workers.stop();
    await a.workers.stop();
  }
});

Deno.test("ten pulls in a row all connect", async () => {
  const a = recordedWorkers();
  const b = recordedWorkers();
  let publisher: TestPublisher | undefined;
  try {
    publisher = await publishTo(a.workers, STREAM, { bitrate: 500_000 });
    const failures: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { pull, watch } = await pullFrom(b.workers, a.workers, STREAM);
      await until(
        `pull ${i} to flow or end`,
        () => b.log.flowing.has(pull) || b.log.ended.has(pull),
        8_000,
      );
      if (!b.log.flowing.has(pull)) failures.push(`pull ${i}: ${b.log.ended.get(pull)}`);
      await closeIfOpen(b.workers, pull);
      await closeIfOpen(a.workers, watch);
    }
    assert.deepEqual(failures, [], "every pull connected");
  } finally {
    await publisher?.close();
    await b.workers.stop();
    await a.workers.stop();
  }
});

Deno.test("a pull from a werift carrier (the relay's in-process plane) connects", async () => {
  const b = recordedWorkers();
  const carrier = createPeerConnection(peerConfig({ loopbackOnly: true }));
  const source = new SyntheticSource(carrier, { bitrate: 500_000 });
  let viewer: TestViewer | undefined;
  try {
    const pull = await b.workers.pull(STREAM);
    await carrier.setRemoteDescription({ type: "offer", sdp: pull.offer });
    await carrier.setLocalDescription(await carrier.createAnswer());
    await gatheringComplete(carrier);
    await b.workers.accept(pull.session, carrier.localDescription!.sdp);
    await until("the pull's media to flow", () => b.log.flowing.has(pull.session));
    viewer = await watchFrom(b.workers, STREAM);
    await until("B's viewer to receive 10 frames", () => viewer!.video.read().frames >= 10);
  } finally {
    await viewer?.close();
    source.stop();
    await carrier.close();
    await b.workers.stop();
  }
});

Deno.test("trickled candidates connect a pull whose answer had none; a bad one is refused", async () => {
  const a = recordedWorkers();
  const b = recordedWorkers();
  let publisher: TestPublisher | undefined;
  try {
    publisher = await publishTo(a.workers, STREAM, { bitrate: 500_000 });

    // The pull's own candidates, handed back on accept, trickled to the carrier.
    let pull = await b.workers.pull(STREAM);
    assert.doesNotMatch(pull.offer, /a=candidate/, "a pull offers no candidates");
    let watch = await a.workers.watch(STREAM, pull.offer);
    const ours = await b.workers.accept(pull.session, splitCandidates(watch.answer).sdp);
    assert.ok(ours.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(!b.log.flowing.has(pull.session), "neither side has an address to send to yet");
    await a.workers.trickle(watch.session, ours);
    await until(
      "the pull to flow once the carrier has its candidates",
      () => b.log.flowing.has(pull.session),
    );
    await closeIfOpen(b.workers, pull.session);
    await closeIfOpen(a.workers, watch.session);

    // The carrier's candidates, trickled to the pull.
    pull = await b.workers.pull(STREAM);
    await assert.rejects(
      b.workers.trickle(pull.session, ours),
      (e: MediaWorkerError) => e.code === "bad-request",
      "a pull takes candidates once it has its answer",
    );
    watch = await a.workers.watch(STREAM, pull.offer);
    const { sdp, candidates } = splitCandidates(watch.answer);
    await b.workers.accept(pull.session, sdp);
    await assert.rejects(
      b.workers.trickle(pull.session, [{ candidate: "candidate:nonsense", mid: "0" }]),
      (e: MediaWorkerError) => e.code === "bad-request" && e.status === 400,
    );
    await b.workers.trickle(pull.session, candidates.map(({ candidate }) => ({ candidate })));
    await until(
      "the pull to flow once it has the carrier's candidates",
      () => b.log.flowing.has(pull.session),
    );
    await assert.rejects(
      b.workers.trickle("nobody", candidates),
      (e: MediaWorkerError) => e.code === "no-session",
    );
  } finally {
    await publisher?.close();
    await b.workers.stop();
    await a.workers.stop();
  }
});

Deno.test("a pull refuses an answer that sends no video it forwards, and stays unanswered", async () => {
  const b = recordedWorkers();
  try {
    const pull = await b.workers.pull(STREAM);
    const audioOnly = pull.offer.replace(/a=recvonly/g, "a=sendonly")
      .replace(/m=video [^\r]*/, "m=video 9 UDP/TLS/RTP/SAVPF 0");
    await assert.rejects(
      b.workers.accept(pull.session, audioOnly),
      (e: MediaWorkerError) => e.code === "bad-answer" && e.status === 502,
    );
    await assert.rejects(
      b.workers.accept(pull.session, "not sdp"),
      (e: MediaWorkerError) => e.code === "bad-answer" && /Cannot read the answer/.test(e.message),
    );
    assert.equal(b.workers.workers()[0].sessions, 1, "the pull is still there");
  } finally {
    await b.workers.stop();
  }
});
