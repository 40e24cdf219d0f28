import assert from "node:assert/strict";
import type { Network } from "./network.ts";
import type { Topic } from "./types.ts";
import { connected, sleep, startNode, stopAll, waitFor } from "./_test_util.ts";

const TOPICS: Topic[] = ["blocks", "transactions", "grandpa"];

/** Publishes from `from` (fresh bytes each time) until `received` sees the payload. */
async function gossipUntil(from: Network, topic: Topic, seen: () => boolean): Promise<void> {
  let n = 0;
  await waitFor(`${topic} gossip`, async () => {
    if (seen()) return true;
    await from.publish(topic, new TextEncoder().encode(`${topic} ${n++}`));
    await sleep(100);
    return seen();
  });
}

Deno.test("publish() without peers sends to nobody and does not throw", async () => {
  const a = await startNode();
  try {
    a.subscribe("blocks", () => {});
    assert.equal(await a.publish("blocks", new Uint8Array([1, 2, 3])), 0);
    assert.equal(await a.publish("grandpa", new Uint8Array([1])), 0);
  } finally {
    await stopAll(a);
  }
});

Deno.test("gossip on every topic reaches both other nodes, across a relay, with the relayer as sender", async () => {
  const a = await startNode();
  const b = await startNode({ bootnodes: [a] });
  const c = await startNode({ bootnodes: [b] }); // c only knows b: a's messages reach it through b
  const got = new Map<string, { text: string; from: string }[]>();
  for (const node of [a, b, c]) {
    for (const topic of TOPICS) {
      node.subscribe(topic, (data, from) => {
        const key = `${node.peerId} ${topic}`;
        got.set(key, [...got.get(key) ?? [], { text: new TextDecoder().decode(data), from }]);
      });
    }
  }
  const seen = (node: Network, topic: Topic) =>
    (got.get(`${node.peerId} ${topic}`) ?? []).length > 0;
  try {
    await waitFor("a-b-c line", () => connected(a, b) && connected(b, c));
    assert.equal(connected(a, c), false);
    for (const topic of TOPICS) {
      await gossipUntil(a, topic, () => seen(b, topic) && seen(c, topic));
      const atC = got.get(`${c.peerId} ${topic}`)!;
      assert.ok(atC[0].text.startsWith(`${topic} `), "payload arrives intact on its own topic");
      assert.equal(atC[0].from, b.peerId, "the sender is the peer that relayed it");
      assert.equal(seen(a, topic), false, "a publisher does not hear its own message");
    }
    assert.ok(a.bandwidth().outBytes > 0 && c.bandwidth().inBytes > 0);
  } finally {
    await stopAll(a, b, c);
  }
});

Deno.test("a throwing gossip handler does not stop other handlers, and unsubscribe() stops delivery", async () => {
  const logs: string[] = [];
  const a = await startNode();
  const b = await startNode({ bootnodes: [a], log: (m) => logs.push(m) });
  let count = 0;
  b.subscribe("blocks", () => Promise.reject(new Error("bad block")));
  const unsubscribe = b.subscribe("blocks", () => void count++);
  try {
    await waitFor("a <-> b", () => connected(a, b) && connected(b, a));
    await gossipUntil(a, "blocks", () => count > 0);
    assert.ok(logs.some((l) => l.includes("bad block")));
    unsubscribe();
    const before = count;
    await a.publish("blocks", new Uint8Array([9]));
    await sleep(300);
    assert.equal(count, before);
  } finally {
    await stopAll(a, b);
  }
});
