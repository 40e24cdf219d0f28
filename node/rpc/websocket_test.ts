import assert from "node:assert/strict";
import { ErrorCode, RpcError, type RpcServer } from "./mod.ts";
import { serve, waitFor, WsClient } from "./_testing.ts";

/** A head producer the test drives by hand; records what was stopped. */
class Heads {
  readonly emitters = new Map<number, (result: unknown) => void>();
  readonly closers = new Map<number, () => void>();
  readonly stopped: number[] = [];
  #next = 0;

  register(rpc: RpcServer): void {
    rpc.registerSubscription({
      subscribe: "chain_subscribeNewHeads",
      unsubscribe: "chain_unsubscribeNewHeads",
      notification: "chain_newHead",
      start: (params, emit, close) => {
        if (Array.isArray(params) && params[0] === "bad") {
          throw new RpcError(ErrorCode.InvalidParams, "Invalid params: bad");
        }
        const n = this.#next++;
        emit({ number: 0 }); // the current head, sent before the subscribe call is answered
        this.emitters.set(n, emit);
        this.closers.set(n, close);
        return () => this.stopped.push(n);
      },
    });
  }
}

function notificationsOf(client: WsClient, subscription: unknown): unknown[] {
  return client.received
    .filter((m) =>
      (m as { params?: { subscription?: unknown } }).params?.subscription === subscription
    )
    .map((m) => (m as { params: { result: unknown } }).params.result);
}

Deno.test("WebSocket: single calls and batches", async () => {
  await using server = serve({}, (rpc) => rpc.register("add", (p) => (p as number[])[0] + 1));
  const client = await WsClient.connect(server.url);
  try {
    assert.deepEqual(await client.call("add", [1]), { jsonrpc: "2.0", id: 1, result: 2 });
    client.send([
      { jsonrpc: "2.0", id: "x", method: "add", params: [10] },
      { jsonrpc: "2.0", method: "add", params: [0] },
      { jsonrpc: "2.0", id: "y", method: "missing" },
    ]);
    const batch = await client.take((m) => Array.isArray(m), "the batch reply");
    assert.deepEqual(batch, [
      { jsonrpc: "2.0", id: "x", result: 11 },
      { jsonrpc: "2.0", id: "y", error: { code: -32601, message: "Method not found" } },
    ]);
    client.send("{not json");
    const parse = await client.take((m) => m.id === null, "the parse error");
    assert.equal((parse.error as { code: number }).code, -32700);
  } finally {
    await client.close();
  }
});

Deno.test("WebSocket: a subscription delivers notifications in order after its id, until unsubscribed", async () => {
  const heads = new Heads();
  await using server = serve({}, (rpc) => heads.register(rpc));
  const client = await WsClient.connect(server.url);
  try {
    const reply = await client.call("chain_subscribeNewHeads");
    const id = reply.result;
    assert.equal(typeof id, "string");
    // The head emitted during start() arrives after the reply carrying the id.
    await waitFor(() => notificationsOf(client, id).length === 1, "the first head");
    assert.deepEqual(client.log.slice(0, 2), [reply, {
      jsonrpc: "2.0",
      method: "chain_newHead",
      params: { subscription: id, result: { number: 0 } },
    }]);
    const emit = heads.emitters.get(0)!;
    for (let n = 1; n <= 50; n++) emit({ number: n });
    await waitFor(() => notificationsOf(client, id).length === 51, "51 heads");
    assert.deepEqual(
      notificationsOf(client, id),
      Array.from({ length: 51 }, (_, n) => ({ number: n })),
    );

    assert.equal((await client.call("chain_unsubscribeNewHeads", [id])).result, true);
    assert.deepEqual(heads.stopped, [0]);
    assert.equal((await client.call("chain_unsubscribeNewHeads", [id])).result, false);
    assert.equal((await client.call("chain_unsubscribeNewHeads", ["unknown"])).result, false);
    const bad = await client.call("chain_unsubscribeNewHeads", [42]);
    assert.equal((bad.error as { code: number }).code, -32602);

    client.received.length = 0;
    emit({ number: 99 }); // after unsubscribing: dropped
    assert.equal(
      (await client.call("chain_unsubscribeNewHeads", { subscription: id })).result,
      false,
    );
    assert.deepEqual(notificationsOf(client, id), []);
    assert.deepEqual(heads.stopped, [0]);
  } finally {
    await client.close();
  }
});

Deno.test("WebSocket: a refused subscription is an error and opens nothing", async () => {
  const heads = new Heads();
  await using server = serve({ maxSubscriptionsPerConnection: 2 }, (rpc) => heads.register(rpc));
  const client = await WsClient.connect(server.url);
  try {
    const bad = await client.call("chain_subscribeNewHeads", ["bad"]);
    assert.deepEqual(bad.error, { code: -32602, message: "Invalid params: bad" });
    assert.equal(typeof (await client.call("chain_subscribeNewHeads")).result, "string");
    assert.equal(typeof (await client.call("chain_subscribeNewHeads")).result, "string");
    const third = await client.call("chain_subscribeNewHeads");
    assert.equal((third.error as { code: number }).code, ErrorCode.TooManySubscriptions);
    assert.equal(heads.emitters.size, 2);
  } finally {
    await client.close();
  }
});

Deno.test("WebSocket: close() from the server ends a subscription and stops its producer", async () => {
  const heads = new Heads();
  await using server = serve({}, (rpc) => heads.register(rpc));
  const client = await WsClient.connect(server.url);
  try {
    const id = (await client.call("chain_subscribeNewHeads")).result;
    const emit = heads.emitters.get(0)!;
    emit({ number: 1 });
    heads.closers.get(0)!();
    emit({ number: 2 });
    assert.deepEqual(heads.stopped, [0]);
    heads.closers.get(0)!(); // twice is harmless
    assert.equal((await client.call("chain_unsubscribeNewHeads", [id])).result, false);
    assert.deepEqual(notificationsOf(client, id), [{ number: 0 }, { number: 1 }]);
    assert.deepEqual(heads.stopped, [0]);
  } finally {
    await client.close();
  }
});

Deno.test("WebSocket: a subscription closed during start() still delivers what it emitted", async () => {
  const stopped: string[] = [];
  await using server = serve({}, (rpc) =>
    rpc.registerSubscription({
      subscribe: "author_submitAndWatchExtrinsic",
      unsubscribe: "author_unwatchExtrinsic",
      notification: "author_extrinsicUpdate",
      start: async (_params, emit, close) => {
        await Promise.resolve();
        emit("ready");
        emit({ finalized: "0x01" });
        close();
        emit("dropped"); // after close: not sent
        return () => stopped.push("stop");
      },
    }));
  const client = await WsClient.connect(server.url);
  try {
    const id = (await client.call("author_submitAndWatchExtrinsic", ["0x00"])).result;
    await waitFor(() => notificationsOf(client, id).length === 2, "two updates");
    assert.deepEqual(notificationsOf(client, id), ["ready", { finalized: "0x01" }]);
    assert.deepEqual(stopped, ["stop"]);
  } finally {
    await client.close();
  }
});

Deno.test("WebSocket: closing the socket stops every subscription on it", async () => {
  const heads = new Heads();
  await using server = serve({}, (rpc) => heads.register(rpc));
  const client = await WsClient.connect(server.url);
  const other = await WsClient.connect(server.url);
  try {
    for (let i = 0; i < 3; i++) await client.call("chain_subscribeNewHeads");
    await other.call("chain_subscribeNewHeads");
    await waitFor(() => server.rpc.connectionCount === 2, "two connections");
    await client.close();
    await waitFor(() => heads.stopped.length === 3, "three stops");
    assert.deepEqual(heads.stopped.toSorted(), [0, 1, 2]);
    await waitFor(() => server.rpc.connectionCount === 1, "one connection");
  } finally {
    await client.close();
    await other.close();
  }
});

Deno.test("WebSocket: listener.close() closes open sockets (1001) and stops their subscriptions", async () => {
  const heads = new Heads();
  const server = serve({}, (rpc) => heads.register(rpc));
  const client = await WsClient.connect(server.url);
  await client.call("chain_subscribeNewHeads");
  await server.listener.close();
  const event = await client.closed;
  assert.equal(event.code, 1001);
  assert.deepEqual(heads.stopped, [0]);
  assert.equal(server.rpc.connectionCount, 0);
});

Deno.test("WebSocket: a message over maxRequestBytes closes the socket with 1009", async () => {
  await using server = serve({ maxRequestBytes: 1024 }, (rpc) => rpc.register("echo", (p) => p));
  const client = await WsClient.connect(server.url);
  try {
    const fits = await client.call("echo", ["é".repeat(400)]); // 800 bytes of UTF-8
    assert.deepEqual(fits.result, ["é".repeat(400)]);
    client.send({ jsonrpc: "2.0", id: 2, method: "echo", params: ["é".repeat(600)] });
    const event = await client.closed;
    assert.equal(event.code, 1009);
    assert.equal(client.received.length, 0);
  } finally {
    await client.close();
  }
});

Deno.test("WebSocket: an upgrade from a refused origin is 403", async () => {
  await using server = serve({ cors: ["http://localhost:3000"] }, () => {});
  const response = await fetch(server.url, {
    headers: {
      origin: "http://evil.example",
      connection: "Upgrade",
      upgrade: "websocket",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    },
  });
  assert.equal(response.status, 403);
  await response.body?.cancel();
  assert.equal(server.rpc.connectionCount, 0);
});
