import assert from "node:assert/strict";
import { NetworkError, NetworkErrorCode } from "../../client/p2p/mod.ts";
import type { Network } from "./network.ts";
import { connected, sleep, startNode, stopAll, waitFor } from "./_test_util.ts";

const isCode = (code: NetworkErrorCode, message?: RegExp) => (err: unknown) =>
  err instanceof NetworkError && err.code === code && (message?.test(err.message) ?? true);

async function pair(server: Parameters<typeof startNode>[0] = {}, client = {}) {
  const a = await startNode(server);
  const b = await startNode({ ...client, bootnodes: [a] });
  await waitFor("a <-> b", () => connected(a, b) && connected(b, a));
  return [a, b] as const;
}

async function echo(node: Network): Promise<void> {
  await node.handle("echo", (request, from) => {
    const tag = new TextEncoder().encode(`${from}:`);
    return Promise.resolve(new Uint8Array([...tag, ...request]));
  });
}

Deno.test("request() gets the handler's response, which learns who asked", async () => {
  const [a, b] = await pair();
  try {
    await echo(a);
    const response = await b.request(a.peerId, "echo", new TextEncoder().encode("ping"));
    assert.equal(new TextDecoder().decode(response), `${b.peerId}:ping`);
    const empty = await b.request(a.peerId, "echo", new Uint8Array());
    assert.equal(new TextDecoder().decode(empty), `${b.peerId}:`);
    assert.ok(b.bandwidth().outBytes >= 4 && b.bandwidth().inBytes >= response.length);
  } finally {
    await stopAll(a, b);
  }
});

Deno.test("a failing handler gives the requester a remote error with its message", async () => {
  const [a, b] = await pair();
  try {
    await a.handle("fail", () => Promise.reject(new Error("unknown block")));
    await assert.rejects(
      () => b.request(a.peerId, "fail", new Uint8Array([1])),
      isCode(NetworkErrorCode.RemoteError, /unknown block/),
    );
    await assert.rejects(
      () => b.request(a.peerId, "nobody-serves-this", new Uint8Array([1])),
      isCode(NetworkErrorCode.RequestFailed),
    );
  } finally {
    await stopAll(a, b);
  }
});

Deno.test("request() rejects with a timeout when the handler is too slow", async () => {
  const [a, b] = await pair();
  const release = Promise.withResolvers<Uint8Array>();
  try {
    await a.handle("slow", () => release.promise);
    const started = Date.now();
    await assert.rejects(
      () => b.request(a.peerId, "slow", new Uint8Array([1]), { timeoutMs: 300 }),
      isCode(NetworkErrorCode.RequestTimeout, /within 300 ms/),
    );
    assert.ok(Date.now() - started < 2_000);
  } finally {
    release.resolve(new Uint8Array());
    await stopAll(a, b);
  }
});

Deno.test("oversized requests and responses are refused and the server keeps serving", async () => {
  const [a, b] = await pair({ maxRequestBytes: 1024 }, { maxResponseBytes: 4096 });
  try {
    await echo(a);
    await a.handle("big", () => Promise.resolve(new Uint8Array(10_000)));
    await assert.rejects(() => a.request(b.peerId, "echo", new Uint8Array(2048)), RangeError);
    await assert.rejects(
      () => b.request(a.peerId, "echo", new Uint8Array(2048)), // over a's limit, not b's
      isCode(NetworkErrorCode.RequestFailed),
    );
    await assert.rejects(
      () => b.request(a.peerId, "big", new Uint8Array(1)),
      isCode(NetworkErrorCode.RequestFailed, /too long/),
    );
    const ok = await b.request(a.peerId, "echo", new Uint8Array(1000));
    assert.equal(ok.length, b.peerId.length + 1 + 1000);
    assert.ok(connected(a, b));
  } finally {
    await stopAll(a, b);
  }
});

Deno.test("handle() and request() refuse protocol names that are not a plain word", async () => {
  const a = await startNode();
  try {
    await assert.rejects(
      () => a.handle("/sync/1", () => Promise.resolve(new Uint8Array())),
      TypeError,
    );
    await assert.rejects(() => a.request(a.peerId, "a b", new Uint8Array()), TypeError);
  } finally {
    await stopAll(a);
  }
});

Deno.test("a peer that keeps sending request frames over the limit is banned", async () => {
  // b's own limit lets it send what a refuses: a rogue build, or a peer of another version.
  const [a, b] = await pair({ maxRequestBytes: 1024 }, { maxRequestBytes: 1 << 20 });
  try {
    await echo(a);
    await assert.rejects(() => b.request(a.peerId, "echo", new Uint8Array(2048)));
    assert.ok(connected(a, b), "one oversized frame may be a mistake");
    for (let i = 0; i < 4 && connected(a, b); i++) {
      await b.request(a.peerId, "echo", new Uint8Array(2048)).catch(() => {});
    }
    await waitFor("a drops b", () => !connected(a, b));
    await sleep(500); // b redials a (its bootnode) every 100..1000 ms meanwhile
    assert.ok(!connected(a, b), "banned: b stays out");
  } finally {
    await stopAll(a, b);
  }
});
