/**
 * Attacks on the RPC's resources: connections without end, calls without
 * pause, answers too big to hold, and a WebSocket client that never reads.
 */
import assert from "node:assert/strict";
import { ErrorCode, type RpcServer } from "./mod.ts";
import { post, serve, UnreadingWebSocket, waitFor, WsClient } from "./_testing.ts";

const UPGRADE_HEADERS = {
  connection: "Upgrade",
  upgrade: "websocket",
  "sec-websocket-version": "13",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
};

function setup(rpc: RpcServer, calls: string[] = []): void {
  rpc.register("echo", (params) => {
    calls.push("echo");
    return params;
  });
}

Deno.test("the 101st connection is refused with 429 by default, and a freed slot is reused", async () => {
  await using server = serve({}, setup);
  const clients = await Promise.all(
    Array.from({ length: 100 }, () => WsClient.connect(server.url)),
  );
  try {
    await waitFor(() => server.rpc.connectionCount === 100, "100 connections");
    const upgrade = await fetch(server.url, { headers: UPGRADE_HEADERS });
    assert.equal(upgrade.status, 429);
    assert.equal(await upgrade.text(), "Too many connections: the limit is 100\n");
    const call = await post(server.url, { jsonrpc: "2.0", id: 1, method: "echo" });
    assert.equal(call.status, 429);
    assert.equal(server.rpc.connectionCount, 100);

    await clients.pop()!.close();
    await waitFor(() => server.rpc.connectionCount === 99, "a slot to free");
    const next = await WsClient.connect(server.url);
    clients.push(next);
    assert.deepEqual((await next.call("echo", [1])).result, [1]);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
});

Deno.test("HTTP requests being answered count as connections", async () => {
  const { promise: release, resolve } = Promise.withResolvers<void>();
  let entered = false;
  await using server = serve({ maxConnections: 2 }, (rpc) =>
    rpc.register("wait", () => {
      entered = true;
      return release;
    }));
  const client = await WsClient.connect(server.url);
  try {
    // The slow call holds the second slot until it is answered.
    const waiting = post(server.url, { jsonrpc: "2.0", id: 1, method: "wait" });
    await waitFor(() => entered, "the slow call to run");
    const third = await post(server.url, { jsonrpc: "2.0", id: 2, method: "rpc_methods" });
    assert.equal(third.status, 429);
    resolve();
    assert.equal((await waiting).status, 200);
    const after = await post(server.url, { jsonrpc: "2.0", id: 3, method: "rpc_methods" });
    assert.equal(after.status, 200);
  } finally {
    await client.close();
  }
});

Deno.test("calls past --rpc-rate-limit answer -32029 and do not run", async () => {
  const calls: string[] = [];
  await using server = serve({ rateLimit: 3 }, (rpc) => setup(rpc, calls));
  const error = {
    code: ErrorCode.TooManyRequests,
    message: "Too many requests: the limit is 3 calls a minute",
    data: { limit: 3 },
  };
  const client = await WsClient.connect(server.url);
  const other = await WsClient.connect(server.url);
  try {
    for (let i = 0; i < 3; i++) assert.deepEqual((await client.call("echo", [i])).result, [i]);
    assert.deepEqual((await client.call("echo", [3])).error, error);
    assert.equal(calls.length, 3);
    // Each WebSocket has its own budget.
    assert.deepEqual((await other.call("echo", ["other"])).result, ["other"]);

    // Over HTTP the budget is the client address's; each batch entry is a call.
    const call = (id: number) => ({ jsonrpc: "2.0", id, method: "echo", params: [id] });
    const batch = await post(server.url, [call(1), call(2), call(3), call(4)]);
    assert.deepEqual(batch.json, [
      { jsonrpc: "2.0", id: 1, result: [1] },
      { jsonrpc: "2.0", id: 2, result: [2] },
      { jsonrpc: "2.0", id: 3, result: [3] },
      { jsonrpc: "2.0", id: 4, error },
    ]);
    assert.deepEqual((await post(server.url, call(5))).json, { jsonrpc: "2.0", id: 5, error });
    assert.equal(calls.length, 7);
  } finally {
    await client.close();
    await other.close();
  }
});

Deno.test("an answer over maxResponseBytes is -32008 instead of its body", async () => {
  await using server = serve({ maxResponseBytes: 1024 }, setup);
  const echo = (id: number, text: string) => ({
    jsonrpc: "2.0",
    id,
    method: "echo",
    params: [text],
  });
  const tooBig = (id: number | null) => ({
    jsonrpc: "2.0",
    id,
    error: {
      code: ErrorCode.ResponseTooBig,
      message: "Response is too big",
      data: { limit: 1024 },
    },
  });
  // 400 characters of two-byte UTF-8 make 800 bytes; 600 make 1,200.
  assert.deepEqual((await post(server.url, echo(1, "é".repeat(400)))).json, {
    jsonrpc: "2.0",
    id: 1,
    result: ["é".repeat(400)],
  });
  assert.deepEqual((await post(server.url, echo(2, "é".repeat(600)))).json, tooBig(2));
  const batch = await post(server.url, [echo(3, "é".repeat(600)), echo(4, "small")]);
  assert.deepEqual(batch.json, [tooBig(3), { jsonrpc: "2.0", id: 4, result: ["small"] }]);
  // Each reply fits, together they do not: the batch is answered with one error.
  const together = await post(server.url, [echo(5, "x".repeat(600)), echo(6, "x".repeat(600))]);
  assert.deepEqual(together.json, tooBig(null));

  const client = await WsClient.connect(server.url);
  try {
    assert.deepEqual(await client.call("echo", ["x".repeat(2000)]), tooBig(1));
  } finally {
    await client.close();
  }
});

Deno.test("a WebSocket client that does not read is dropped with 1008 while the server stays responsive", async () => {
  let emit: (result: unknown) => void = () => {};
  let stopped = false;
  await using server = serve({ maxUnsentBytes: 256 * 1024 }, (rpc) => {
    setup(rpc);
    rpc.registerSubscription({
      subscribe: "chain_subscribeNewHeads",
      unsubscribe: "chain_unsubscribeNewHeads",
      notification: "chain_newHead",
      start: (_params, emitter) => {
        emit = emitter;
        return () => stopped = true;
      },
    });
  });
  const slow = await UnreadingWebSocket.connect(server.url);
  const reader = await WsClient.connect(server.url);
  try {
    await slow.send({ jsonrpc: "2.0", id: 1, method: "chain_subscribeNewHeads" });
    await waitFor(() => server.rpc.connectionCount === 2, "two connections");
    const head = { digest: "0x" + "00".repeat(32 * 1024) }; // 64 KiB a notification
    const deadline = Date.now() + 10_000;
    let sent = 0;
    // Past the kernel's socket buffers, what the client leaves unread piles up in the node.
    while (!stopped && Date.now() < deadline) {
      emit(head);
      sent++;
      if (sent % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    assert.ok(stopped, `the subscription is stopped (after ${sent} heads)`);
    assert.deepEqual((await reader.call("echo", ["still here"])).result, ["still here"]);
    assert.equal((await post(server.url, { jsonrpc: "2.0", id: 2, method: "echo" })).status, 200);

    const close = await slow.readUntilClose();
    assert.equal(close.code, 1008);
    assert.match(close.reason, /^Too slow: the client left over 262144 bytes unread$/);
    slow.close();
    await waitFor(() => server.rpc.connectionCount === 1, "the slow client's slot to free");
  } finally {
    slow.close();
    await reader.close();
  }
});
