import assert from "node:assert/strict";
import type { Network } from "./network.ts";
import { connected, sleep, startNode, stopAll, waitFor } from "./_test_util.ts";

Deno.test("a line of 6 nodes, each knowing only the previous one, becomes well connected", async () => {
  const nodes: Network[] = [];
  try {
    for (let i = 0; i < 6; i++) nodes.push(await startNode({ bootnodes: nodes.slice(-1) }));
    const started = Date.now();
    await waitFor(
      "every node to have >= 3 peers",
      () => nodes.every((n) => n.peerCount >= 3),
      60_000,
    );
    console.log(`every node of the line had >= 3 peers after ${Date.now() - started} ms`);
  } finally {
    await stopAll(...nodes);
  }
});

Deno.test("the nodes of a star stay connected when the hub stops", async () => {
  const hub = await startNode();
  const leaves: Network[] = [];
  try {
    for (let i = 0; i < 3; i++) leaves.push(await startNode({ bootnodes: [hub] }));
    await waitFor(
      "the leaves to find each other",
      () => leaves.every((a) => leaves.every((b) => a === b || connected(a, b))),
      60_000,
    );
    await hub.stop();
    await waitFor("the leaves to drop the hub", () => leaves.every((n) => !connected(n, hub)));
    for (const leaf of leaves) assert.equal(leaf.peerCount, 2);
  } finally {
    await stopAll(hub, ...leaves);
  }
});

Deno.test("a node remembers its peers across a restart, without bootnodes", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  const a = await startNode();
  let b = await startNode({ bootnodes: [a], peersFile: path });
  try {
    await waitFor("b -> a", () => connected(b, a));
    await b.stop();
    const saved = JSON.parse(await Deno.readTextFile(path));
    assert.ok(saved.some((address: string) => address.endsWith(`/p2p/${a.peerId}`)), saved);
    b = await startNode({ peersFile: path });
    await waitFor("the restarted b -> a", () => connected(b, a), 20_000);
  } finally {
    await stopAll(a, b);
    await Deno.remove(path);
  }
});

Deno.test("a node whose inbound slots are taken refuses the next peer", async () => {
  const a = await startNode({ inPeers: 1 });
  const b = await startNode({ bootnodes: [a] });
  let c: Network | undefined;
  try {
    await waitFor("a <- b", () => connected(a, b));
    c = await startNode({ bootnodes: [a] });
    await sleep(1_000); // c keeps redialling a meanwhile
    assert.deepEqual(
      [a.peerCount, connected(a, c)],
      [1, false],
      a.peers().map((p) => p.addresses).join(),
    );
  } finally {
    await stopAll(a, b, c);
  }
});
