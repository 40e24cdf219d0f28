import assert from "node:assert/strict";
import { Reputation } from "./_reputation.ts";
import { connected, sleep, startNode, stopAll, waitFor } from "./_test_util.ts";

Deno.test("Reputation: reports accumulate, decay by half-life, and ban below the threshold", () => {
  let now = 0;
  const book = new Reputation({ banThreshold: -100, banMs: 1_000, halfLifeMs: 10_000 }, () => now);
  assert.equal(book.report("p", 60), false);
  assert.equal(book.score("p"), -60);
  now = 10_000;
  assert.equal(book.score("p"), -30);
  assert.equal(book.report("p", 60), false); // -90: decay saved it
  assert.equal(book.report("p", 20), true);
  assert.equal(book.isBanned("p"), true);
  assert.equal(book.score("p"), 0);
  now += 999;
  assert.equal(book.isBanned("p"), true);
  now += 1;
  assert.equal(book.isBanned("p"), false);
  assert.equal(book.report("q", -50), false); // a negative penalty rewards
  assert.equal(book.score("q"), 50);
});

Deno.test("a peer reported below the threshold is dropped and refused for the ban period", async () => {
  const banMs = 1_500;
  const logs: string[] = [];
  const a = await startNode({
    reputation: { banThreshold: -100, banMs },
    log: (m) => logs.push(m),
  });
  const b = await startNode({ bootnodes: [a] }); // b keeps redialling a every 100..1000 ms
  const c = await startNode({ bootnodes: [a] });
  try {
    await waitFor("a sees b and c", () => connected(a, b) && connected(a, c));
    a.report(b.peerId, 60, "bad block");
    assert.ok(connected(a, b), "one report is not enough");
    assert.equal(a.reputation(b.peerId) < -59, true);
    a.report(b.peerId, 60, "bad block");
    const bannedAt = Date.now();
    await waitFor("a drops b", () => !connected(a, b) && !connected(b, a));
    assert.ok(logs.some((l) => l.includes(`banned ${b.peerId}`) && l.includes("bad block")));
    // b keeps dialling, a keeps refusing, and meanwhile a still gossips with c.
    let heard = 0;
    c.subscribe("grandpa", () => void heard++);
    await waitFor("a -> c gossip", async () => {
      await a.publish("grandpa", new Uint8Array([heard]));
      await sleep(100);
      return heard > 0;
    });
    while (Date.now() - bannedAt < banMs - 200) {
      assert.equal(connected(a, b) || connected(b, a), false, "b got back in during its ban");
      await sleep(50);
    }
    await waitFor("b back after the ban", () => connected(a, b) && connected(b, a), 10_000);
  } finally {
    await stopAll(a, b, c);
  }
});
