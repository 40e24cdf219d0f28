/**
 * Media workers under faults, with real WebRTC on 127.0.0.1: a worker
 * killed mid-stream is restarted and reports its dead sessions, a worker
 * lagging past its bound refuses viewers, and a node that dies leaves no
 * worker behind.
 */
import assert from "node:assert/strict";
import { MediaWorkerError, MediaWorkers, VIEWER_SILENT_MS } from "../../node/relay/native/mod.ts";
import { NativeViewerPool } from "../../node/relay/native/native_viewers.ts";
import {
  publishTo,
  type TestPublisher,
  type TestViewer,
  until,
  watchFrom,
} from "../../node/relay/native/testing.ts";

const STREAM = 3n;

/** Whether process `pid` still exists (`ps` answers; Deno reads /proc/<pid> only with --allow-all). */
async function alive(pid: number): Promise<boolean> {
  const { success } = await new Deno.Command("ps", { args: ["-p", String(pid)], stdout: "null" })
    .output();
  return success;
}

Deno.test("a killed media worker is restarted, names the sessions that died, and serves a new watch", async () => {
  const crashes: { worker: number; sessions: string[] }[] = [];
  const ended = new Map<string, string>();
  const workers = new MediaWorkers({
    bindAddress: "127.0.0.1",
    events: {
      crashed: (worker, sessions) => crashes.push({ worker, sessions }),
      ended: (session, reason) => ended.set(session, reason),
    },
  });
  const peers: (TestPublisher | TestViewer)[] = [];
  try {
    const publisher = await publishTo(workers, STREAM);
    const viewers = [await watchFrom(workers, STREAM), await watchFrom(workers, STREAM)];
    peers.push(publisher, ...viewers);
    await until(
      "media to reach both viewers",
      () => viewers.every((v) => v.video.read().frames >= 10),
    );
    const first = workers.workers()[0].pid!;

    Deno.kill(first, "SIGKILL");
    await until("the crash to be reported", () => crashes.length === 1);
    assert.deepEqual(
      new Set(crashes[0].sessions),
      new Set([publisher.session, ...viewers.map((v) => v.session)]),
    );
    for (const viewer of viewers) {
      assert.equal(ended.get(viewer.session), "the media worker crashed");
    }
    await until("the worker to be started again", () => {
      const pid = workers.workers()[0].pid;
      return pid !== undefined && pid !== first;
    });
    assert.equal(await alive(first), false, "the killed worker is gone");
    await assert.rejects(
      workers.watch(STREAM, "v=0\r\n"),
      (e: MediaWorkerError) => e.code === "no-source",
      "the stream died with its worker",
    );

    // The publisher reconnects; a viewer reconnecting is served and gets media.
    const again = await publishTo(workers, STREAM);
    const viewer = await watchFrom(workers, STREAM);
    peers.push(again, viewer);
    await until(
      "media to reach the viewer after the restart",
      () => viewer.video.read().frames >= 10,
    );
  } finally {
    for (const peer of peers) await peer.close();
    await workers.stop();
  }
});

Deno.test("a viewer that vanishes without a word is ended once it falls silent", async () => {
  const ended = new Map<string, string>();
  const workers = new MediaWorkers({
    bindAddress: "127.0.0.1",
    statsIntervalMs: 200,
    events: { ended: (session, reason) => ended.set(session, reason) },
  });
  const vanishing = new NativeViewerPool(1);
  const peers: (TestPublisher | TestViewer)[] = [];
  try {
    const publisher = await publishTo(workers, STREAM);
    const staying = await watchFrom(workers, STREAM);
    peers.push(publisher, staying);
    assert.equal((await vanishing.add(1, workers, STREAM)).added, 1);
    await until("media to reach both viewers", () => {
      const watching = workers.workers()[0].stats?.sessions.filter((s) => s.kind === "watch");
      return watching?.length === 2 && watching.every((s) => s.videoPackets > 100);
    });
    const killedAt = performance.now();
    await vanishing.kill();
    await until(
      "the worker to end the vanished viewer",
      () => ended.size > 0,
      VIEWER_SILENT_MS * 2,
    );
    const [reason] = [...ended.values()];
    assert.match(reason, /silent/, "ended by its silence, before ICE consent (30 s) would");
    assert.ok(performance.now() - killedAt < VIEWER_SILENT_MS * 2);
    assert.ok(!ended.has(staying.session), "the viewer still reporting stays");
    assert.equal(workers.workers()[0].sessions, 2);
  } finally {
    for (const peer of peers) await peer.close();
    await vanishing.close().catch(() => {});
    await workers.stop();
  }
});

Deno.test("a media worker lagging past its bound refuses new viewers with 503 and says it sheds", async () => {
  // Any lag at all passes a bound of 0 ms: the refusal follows the measured lag.
  const workers = new MediaWorkers({ bindAddress: "127.0.0.1", maxLagMs: 0, statsIntervalMs: 100 });
  let publisher: TestPublisher | undefined;
  try {
    publisher = await publishTo(workers, STREAM);
    await until("the worker to say it sheds", () => workers.workers()[0].stats?.shedding === true);
    assert.ok(workers.workers()[0].stats!.lagMs >= 0);
    const refusal = await watchFrom(workers, STREAM).then(
      (viewer) => viewer.close().then(() => assert.fail("a shedding worker took a viewer")),
      (e) => e,
    );
    assert.ok(refusal instanceof MediaWorkerError);
    assert.equal(refusal.code, "overloaded");
    assert.equal(refusal.status, 503);
    assert.equal(refusal.retryAfter, 5);
    assert.match(refusal.message, /lags/);
    assert.equal(workers.workers()[0].sessions, 1, "the refused viewer left nothing behind");
  } finally {
    await publisher?.close();
    await workers.stop();
  }
});

Deno.test("a node killed without a word leaves no media worker behind", async () => {
  const owner = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-run",
      "--allow-env",
      new URL("./_media_workers_owner.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = owner.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let worker: number | undefined;
  try {
    const { value } = await reader.read();
    worker = JSON.parse(value!).worker;
    assert.ok(worker && await alive(worker), "the stand-in node started a worker");
  } finally {
    owner.kill("SIGKILL");
    await owner.status;
    await reader.cancel();
  }
  await until("the orphaned worker to exit", async () => !(await alive(worker!)));
});
