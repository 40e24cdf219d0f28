import assert from "node:assert/strict";
import { connected, sleep, startNode, stopAll, waitFor } from "./_test_util.ts";

Deno.test("nodes of different genesis do not stay connected; same-genesis peers are unaffected", async () => {
  const logs: string[] = [];
  const a = await startNode({ log: (m) => logs.push(m) });
  const other = await startNode({
    genesisHash: new Uint8Array(32).fill(9),
    bootnodes: [a],
    log: (m) => logs.push(m),
  });
  const b = await startNode({ bootnodes: [a] });
  try {
    await waitFor("a <-> b", () => connected(a, b) && connected(b, a));
    // Whichever side reads the other's status first bans it and hangs up.
    await waitFor(
      "the other chain refused",
      () => logs.some((l) => l.includes("different genesis")),
    );
    for (let i = 0; i < 10; i++) {
      assert.equal(connected(a, other) || connected(other, a), false);
      assert.equal(a.peerCount, 1);
      assert.equal(other.peerCount, 0);
      await sleep(100);
    }
    await waitFor(
      "no connection left to the other chain",
      () => a.peers().every((p) => p.peerId !== other.peerId) && other.peerCount === 0,
    );
  } finally {
    await stopAll(a, other, b);
  }
});

Deno.test("Network.start() refuses a genesis hash that is not 32 bytes", async () => {
  await assert.rejects(() => startNode({ genesisHash: new Uint8Array(31) }), TypeError);
});
