import assert from "node:assert/strict";
import { KEYFRAME_MERGE_MS, KEYFRAME_REPEAT_MS, KeyframeRequests } from "./keyframe_requests.ts";
import { LoopLag } from "./loop_lag.ts";
import { until } from "./testing.ts";

Deno.test("keyframe requests close together reach the publisher as one now and one at the gap's end", async () => {
  const sent: number[] = [];
  const start = performance.now();
  const requests = new KeyframeRequests(() => sent.push(performance.now() - start), () => false);
  try {
    requests.request();
    requests.request();
    requests.request();
    assert.equal(sent.length, 1, "the first goes out at once");
    await until("the merged request to go out", () => sent.length === 2, 2_000);
    assert.ok(sent[1] >= KEYFRAME_MERGE_MS - 5, `not before the gap ends (${sent[1]} ms)`);
    requests.request();
    assert.equal(sent.length, 2, "a request inside the new gap waits for its end");
    await until("that request to go out too", () => sent.length === 3, 2_000);
  } finally {
    requests.stop();
  }
});

Deno.test("keyframe requests repeat while a viewer waits, and stop when none does", async () => {
  let sent = 0;
  let waiting = true;
  const requests = new KeyframeRequests(() => sent++, () => waiting);
  try {
    requests.request();
    await until("a repeated request", () => sent >= 2, 3_000);
    waiting = false;
    const settled = sent;
    const since = performance.now();
    // Absence takes time to show: two repeat periods, in which one repeat may already be due.
    await until(
      "two repeat periods to pass",
      () => performance.now() - since > 2 * KEYFRAME_REPEAT_MS,
      3_000,
    );
    assert.ok(sent <= settled + 1, `no repeats once nobody waits (${sent - settled} more)`);
  } finally {
    requests.stop();
  }
});

Deno.test("LoopLag sees the event loop blocked", async () => {
  const lag = new LoopLag();
  try {
    await until("a first sample", () => lag.take().worst >= 0, 1_000);
    const blockedUntil = performance.now() + 120;
    while (performance.now() < blockedUntil) {
      // Busy: no timer can run.
    }
    assert.ok(lag.behind() > 80, `behind ${lag.behind()} ms`);
    // One stall over a window of samples on time: the worst shows it, the sustained lag not.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const window = lag.take();
    assert.ok(window.worst > 80, `worst ${window.worst} ms`);
    assert.ok(window.sustained < 40, `sustained ${window.sustained} ms`);
  } finally {
    lag.stop();
  }
});

Deno.test("LoopLag's sustained lag sees a loop that stays behind", async () => {
  const lag = new LoopLag();
  try {
    lag.take();
    // Every turn of the loop busy for 60 ms: each sample is late.
    const until = performance.now() + 800;
    while (performance.now() < until) {
      const busyUntil = performance.now() + 60;
      while (performance.now() < busyUntil) {
        // Busy.
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const window = lag.take();
    assert.ok(window.sustained > 30, `sustained ${window.sustained} ms`);
  } finally {
    lag.stop();
  }
});
