import assert from "node:assert/strict";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { connected, GENESIS, startNode, stopAll, waitFor } from "./_test_util.ts";

Deno.test("two nodes connect through a bootnode and list each other", async () => {
  const a = await startNode({ name: "alice", roles: "authority" });
  const b = await startNode({ name: "bob", bootnodes: [a] });
  try {
    const address = a.listenAddresses()[0];
    assert.match(address, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//);
    assert.ok(address.endsWith(`/p2p/${a.peerId}`));
    await waitFor("a <-> b", () => connected(a, b) && connected(b, a));
    assert.equal(a.peerCount, 1);
    const alice = b.peers()[0];
    assert.equal(alice.name, "alice");
    assert.equal(alice.roles, "authority");
    assert.match(alice.addresses[0], /^\/ip4\/127\.0\.0\.1\/tcp\/\d+/);
  } finally {
    await stopAll(a, b);
  }
});

Deno.test("the handshake tells each side where the other's chain is, as of the connection", async () => {
  const hash = (n: number) => new Uint8Array(32).fill(n);
  let head = { best: { number: 5, hash: hash(5) }, finalized: { number: 3, hash: hash(3) } };
  const a = await startNode({ head: () => head });
  head = { best: { number: 6, hash: hash(6) }, finalized: { number: 4, hash: hash(4) } };
  const b = await startNode({ bootnodes: [a] });
  try {
    await waitFor("a <-> b", () => connected(a, b) && connected(b, a));
    const seen = b.peer(a.peerId)!;
    assert.deepEqual([seen.best, seen.finalized], [head.best, head.finalized]);
    assert.deepEqual(a.peer(b.peerId)!.best, { number: 0, hash: GENESIS }, "b's default: genesis");
    assert.equal(a.peer("12D3KooWNotAPeer"), undefined);
  } finally {
    await stopAll(a, b);
  }
});

Deno.test("three nodes form a network through one bootnode and report connect/disconnect", async () => {
  const a = await startNode();
  const events: string[] = [];
  a.onPeer("connect", (id) => events.push(`connect ${id}`));
  a.onPeer("disconnect", (id) => events.push(`disconnect ${id}`));
  const b = await startNode({ bootnodes: [a] });
  const c = await startNode({ bootnodes: [a, b] });
  try {
    await waitFor("a sees b and c", () => connected(a, b) && connected(a, c));
    await waitFor("c sees a and b", () => connected(c, a) && connected(c, b));
    assert.equal(a.peerCount, 2);
    await c.stop();
    await waitFor("a drops c", () => !connected(a, c) && a.peerCount === 1);
    assert.deepEqual(
      events.sort(),
      [`connect ${b.peerId}`, `connect ${c.peerId}`, `disconnect ${c.peerId}`].sort(),
    );
  } finally {
    await stopAll(a, b, c);
  }
});

Deno.test("a node with no bootnodes starts alone, and stop() is idempotent", async () => {
  const a = await startNode();
  assert.equal(a.peerCount, 0);
  assert.deepEqual(a.peers(), []);
  await a.stop();
  await a.stop();
  await assert.rejects(() => a.publish("blocks", new Uint8Array(1)), /Network is stopped/);
});

Deno.test("a bootnode that restarts on the same address is dialled again", async () => {
  const privateKey = await generateKeyPair("Ed25519");
  let a = await startNode({ privateKey });
  const address = a.listenAddresses()[0];
  const b = await startNode({ bootnodes: [address] });
  try {
    await waitFor("b -> a", () => connected(b, a));
    await a.stop();
    await waitFor("b drops a", () => b.peerCount === 0);
    a = await startNode({ privateKey, listen: [address.replace(/\/p2p\/.*$/, "")] });
    await waitFor("b redials a", () => connected(b, a) && connected(a, b));
  } finally {
    await stopAll(a, b);
  }
});

Deno.test("a node listening on tcp and WebSockets is dialled at its /ws address, gossip and requests alike", async () => {
  const a = await startNode({ listen: ["/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/tcp/0/ws"] });
  const ws = a.listenAddresses().find((address) => /\/tcp\/\d+\/ws\/p2p\//.test(address));
  assert.ok(ws, `a /ws address among ${a.listenAddresses()}`);
  assert.ok(a.listenAddresses().some((address) => /\/tcp\/\d+\/p2p\//.test(address)), "and tcp");
  const b = await startNode({ listen: [], bootnodes: [ws] });
  try {
    await waitFor("a <-> b over WebSockets", () => connected(a, b) && connected(b, a));
    assert.match(b.peer(a.peerId)!.addresses[0], /\/ws\//, "b reached a over WebSockets");
    await a.handle("echo", (request) => Promise.resolve(request));
    assert.deepEqual(
      await b.request(a.peerId, "echo", new Uint8Array([1, 2, 3])),
      Uint8Array.of(1, 2, 3),
    );
    const got = new Promise<Uint8Array>((resolve) =>
      a.subscribe("blocks", (data) => resolve(data))
    );
    b.subscribe("blocks", () => {});
    await waitFor("b publishes to a", async () => await b.publish("blocks", Uint8Array.of(9)) > 0);
    assert.deepEqual(await got, Uint8Array.of(9));
  } finally {
    await stopAll(a, b);
  }
});
