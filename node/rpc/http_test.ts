import assert from "node:assert/strict";
import { Hono } from "hono";
import { ErrorCode, RpcError, RpcServer } from "./mod.ts";
import { post, serve } from "./_testing.ts";

function setup(rpc: RpcServer, calls: string[] = []): void {
  rpc.register("echo", (params) => params);
  rpc.register("add", (params) => {
    if (!Array.isArray(params) || params.some((n) => typeof n !== "number")) {
      throw new RpcError(ErrorCode.InvalidParams, "Invalid params: expected numbers", {
        got: params,
      });
    }
    return params.reduce((sum: number, n) => sum + (n as number), 0);
  });
  rpc.register("note", (params) => void calls.push(JSON.stringify(params)));
  rpc.register("slow", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return "done";
  });
  rpc.register("crash", () => {
    throw new Error("secret internals at /home/node/db.ts:42");
  });
  rpc.register("bigint", () => 1n);
}

Deno.test("a single call is answered with its id and result", async () => {
  await using server = serve({}, setup);
  const reply = await post(server.url, { jsonrpc: "2.0", id: "a", method: "add", params: [1, 2] });
  assert.equal(reply.status, 200);
  assert.match(reply.headers.get("content-type") ?? "", /^application\/json/);
  assert.deepEqual(reply.json, { jsonrpc: "2.0", id: "a", result: 3 });
  const named = await post(server.url, { jsonrpc: "2.0", id: 7, method: "echo", params: { x: 1 } });
  assert.deepEqual(named.json, { jsonrpc: "2.0", id: 7, result: { x: 1 } });
  const noParams = await post(server.url, { jsonrpc: "2.0", id: null, method: "slow" });
  assert.deepEqual(noParams.json, { jsonrpc: "2.0", id: null, result: "done" });
});

Deno.test("a batch answers calls and errors in order and nothing for notifications", async () => {
  const calls: string[] = [];
  await using server = serve({}, (rpc) => setup(rpc, calls));
  const reply = await post(server.url, [
    { jsonrpc: "2.0", id: 1, method: "add", params: [2, 3] },
    { jsonrpc: "2.0", method: "note", params: ["hello"] },
    { jsonrpc: "2.0", id: 2, method: "nope" },
    1,
    { jsonrpc: "2.0", id: 3, method: "add", params: ["x"] },
    { jsonrpc: "2.0", method: "nope" },
    { jsonrpc: "2.0", id: 4, method: "slow" },
  ]);
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.json, [
    { jsonrpc: "2.0", id: 1, result: 5 },
    { jsonrpc: "2.0", id: 2, error: { code: -32601, message: "Method not found" } },
    { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid request" } },
    {
      jsonrpc: "2.0",
      id: 3,
      error: { code: -32602, message: "Invalid params: expected numbers", data: { got: ["x"] } },
    },
    { jsonrpc: "2.0", id: 4, result: "done" },
  ]);
  assert.deepEqual(calls, ['["hello"]']);
});

Deno.test("notifications alone get 204 and no body", async () => {
  const calls: string[] = [];
  await using server = serve({}, (rpc) => setup(rpc, calls));
  const single = await post(server.url, { jsonrpc: "2.0", method: "note", params: [1] });
  assert.equal(single.status, 204);
  assert.equal(single.text, "");
  const batch = await post(server.url, [
    { jsonrpc: "2.0", method: "note", params: [2] },
    { jsonrpc: "2.0", method: "crash" },
  ]);
  assert.equal(batch.status, 204);
  assert.deepEqual(calls, ["[1]", "[2]"]);
});

Deno.test("malformed JSON is a parse error with a null id", async () => {
  await using server = serve({}, setup);
  for (const body of ['{"jsonrpc":"2.0","method":"add"', "", "[1,"]) {
    const reply = await post(server.url, body);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json, {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "Parse error" },
    });
  }
});

Deno.test("invalid request objects are answered -32600, with their id when it is valid", async () => {
  await using server = serve({}, setup);
  const cases: Array<[unknown, unknown]> = [
    [{ jsonrpc: "1.0", id: 1, method: "add" }, 1],
    [{ id: 2, method: "add" }, 2],
    [{ jsonrpc: "2.0", id: 3 }, 3],
    [{ jsonrpc: "2.0", id: 4, method: 5 }, 4],
    [{ jsonrpc: "2.0", id: 5, method: "add", params: "1,2" }, 5],
    [{ jsonrpc: "2.0", id: { x: 1 }, method: "add" }, null],
    [{ jsonrpc: "2.0", id: true, method: "add" }, null],
    ["add", null],
    [null, null],
    [{ jsonrpc: "2.0", method: 1 }, null],
  ];
  for (const [request, id] of cases) {
    const reply = await post(server.url, JSON.stringify(request));
    const body = reply.json as { id: unknown; error: { code: number } };
    assert.equal(body.error.code, -32600, JSON.stringify(request));
    assert.equal(body.id, id, JSON.stringify(request));
  }
  const batch = await post(server.url, [1, 2]);
  assert.deepEqual(
    (batch.json as Array<{ error: { code: number } }>).map((e) => e.error.code),
    [-32600, -32600],
  );
});

Deno.test("an empty batch and a batch over maxBatch are refused whole", async () => {
  await using server = serve({ maxBatch: 3 }, setup);
  const empty = await post(server.url, []);
  assert.deepEqual(empty.json, {
    jsonrpc: "2.0",
    id: null,
    error: { code: -32600, message: "Invalid request: empty batch" },
  });
  const call = { jsonrpc: "2.0", id: 1, method: "slow" };
  const full = await post(server.url, [call, call, call]);
  assert.equal((full.json as unknown[]).length, 3);
  const over = await post(server.url, [call, call, call, call]);
  assert.equal(over.status, 200);
  assert.deepEqual(over.json, {
    jsonrpc: "2.0",
    id: null,
    error: {
      code: -32600,
      message: "Invalid request: a batch of 4 requests is over the limit of 3",
      data: { limit: 3 },
    },
  });
});

Deno.test("an unknown method is -32601", async () => {
  await using server = serve({}, setup);
  const reply = await post(server.url, { jsonrpc: "2.0", id: 1, method: "chain_getBlock" });
  assert.deepEqual(reply.json, {
    jsonrpc: "2.0",
    id: 1,
    error: { code: ErrorCode.MethodNotFound, message: "Method not found" },
  });
});

Deno.test("an unexpected exception is -32603 without details, and is reported", async () => {
  const reported: Array<[string, string]> = [];
  await using server = serve(
    { onError: (error, method) => reported.push([method, (error as Error).message]) },
    setup,
  );
  const reply = await post(server.url, { jsonrpc: "2.0", id: 1, method: "crash" });
  assert.deepEqual(reply.json, {
    jsonrpc: "2.0",
    id: 1,
    error: { code: -32603, message: "Internal error" },
  });
  assert.doesNotMatch(reply.text, /secret|db\.ts|at /);
  assert.deepEqual(reported, [["crash", "secret internals at /home/node/db.ts:42"]]);
  const bigint = await post(server.url, [
    { jsonrpc: "2.0", id: 2, method: "bigint" },
    { jsonrpc: "2.0", id: 3, method: "add", params: [1] },
  ]);
  assert.deepEqual(bigint.json, [
    { jsonrpc: "2.0", id: 2, error: { code: -32603, message: "Internal error" } },
    { jsonrpc: "2.0", id: 3, result: 1 },
  ]);
});

Deno.test("a body over maxRequestBytes is 413, by Content-Length and by bytes read", async () => {
  await using server = serve({ maxRequestBytes: 1024 }, setup);
  const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: ["x".repeat(2000)] });
  const declared = await post(server.url, big);
  assert.equal(declared.status, 413);
  assert.deepEqual(declared.json, {
    jsonrpc: "2.0",
    id: null,
    error: { code: -32600, message: "Request is too big", data: { limit: 1024 } },
  });
  // A streamed body has no Content-Length: only counting the bytes catches it.
  const chunks = [big.slice(0, 600), big.slice(600)].map((s) => new TextEncoder().encode(s));
  const streamed = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: ReadableStream.from(chunks),
  });
  assert.equal(streamed.status, 413);
  await streamed.body?.cancel();
  // Exactly at the limit is fine.
  const fits = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: [""] });
  const padded = fits + " ".repeat(1024 - fits.length);
  assert.equal((await post(server.url, padded)).status, 200);
});

Deno.test("a body that is not JSON is 415 and a GET without upgrade is not the RPC's", async () => {
  await using server = serve({}, setup);
  const reply = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: "{}",
  });
  assert.equal(reply.status, 415);
  await reply.body?.cancel();
  const get = await fetch(server.url);
  assert.equal(get.status, 404);
  await get.body?.cancel();
});

Deno.test("subscription methods over HTTP are -32601", async () => {
  await using server = serve({}, (rpc) =>
    rpc.registerSubscription({
      subscribe: "chain_subscribeNewHeads",
      unsubscribe: "chain_unsubscribeNewHeads",
      notification: "chain_newHead",
      start: () => () => {},
    }));
  for (const method of ["chain_subscribeNewHeads", "chain_unsubscribeNewHeads"]) {
    const reply = await post(server.url, { jsonrpc: "2.0", id: 1, method, params: ["abc"] });
    const error = (reply.json as { error: { code: number; message: string } }).error;
    assert.equal(error.code, -32601);
    assert.match(error.message, /not available on this transport/);
  }
});

Deno.test("rpc_methods lists every method, sorted, subscriptions included", async () => {
  await using server = serve({}, (rpc) => {
    rpc.register("system_name", () => "Sutantra");
    rpc.register("author_submitExtrinsic", () => "0x");
    rpc.registerSubscription({
      subscribe: "chain_subscribeNewHeads",
      unsubscribe: "chain_unsubscribeNewHeads",
      notification: "chain_newHead",
      start: () => () => {},
    });
  });
  const reply = await post(server.url, { jsonrpc: "2.0", id: 1, method: "rpc_methods" });
  const methods = [
    "author_submitExtrinsic",
    "chain_subscribeNewHeads",
    "chain_unsubscribeNewHeads",
    "rpc_methods",
    "system_name",
  ];
  assert.deepEqual(reply.json, { jsonrpc: "2.0", id: 1, result: { methods } });
  assert.deepEqual(server.rpc.methods(), methods);
});

Deno.test("registering a name twice throws and registers nothing", () => {
  const rpc = new RpcServer({});
  rpc.register("a", () => 1);
  assert.throws(() => rpc.register("a", () => 2), TypeError);
  assert.throws(
    () =>
      rpc.registerSubscription({
        subscribe: "b_subscribe",
        unsubscribe: "a",
        notification: "b",
        start: () => () => {},
      }),
    /Cannot register method: a is already registered/,
  );
  assert.deepEqual(rpc.methods(), ["a", "rpc_methods"]);
  assert.throws(() => new RpcServer({ maxBatch: 0 }), RangeError);
});

Deno.test("CORS: listed origins get headers and preflights, others 403", async () => {
  const allowed = "http://localhost:3000";
  await using server = serve({ cors: [allowed] }, setup);
  const preflight = async (origin: string) => {
    const response = await fetch(server.url, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    await response.body?.cancel();
    return response;
  };
  const ok = await preflight(allowed);
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get("access-control-allow-origin"), allowed);
  assert.match(ok.headers.get("access-control-allow-methods") ?? "", /POST/);
  assert.equal(ok.headers.get("access-control-allow-headers"), "content-type");
  assert.equal((await preflight("http://evil.example")).status, 403);

  const call = { jsonrpc: "2.0", id: 1, method: "add", params: [1] };
  const fromAllowed = await post(server.url, call, { origin: allowed });
  assert.equal(fromAllowed.status, 200);
  assert.equal(fromAllowed.headers.get("access-control-allow-origin"), allowed);
  const fromEvil = await post(server.url, call, { origin: "http://evil.example" });
  assert.equal(fromEvil.status, 403);
  assert.equal(fromEvil.headers.get("access-control-allow-origin"), null);
  // The node's own web app (same origin) and non-browser clients are always served.
  const sameOrigin = await post(server.url, call, { origin: server.url.slice(0, -1) });
  assert.equal(sameOrigin.status, 200);
  assert.equal((await post(server.url, call)).status, 200);
});

Deno.test('CORS: "all" allows any origin with a wildcard, none allows only the same origin', async () => {
  await using open = serve({ cors: "all" }, setup);
  const call = { jsonrpc: "2.0", id: 1, method: "add", params: [1] };
  const any = await post(open.url, call, { origin: "http://anything.example" });
  assert.equal(any.status, 200);
  assert.equal(any.headers.get("access-control-allow-origin"), "*");

  await using closed = serve({}, setup);
  const refused = await post(closed.url, call, { origin: "http://anything.example" });
  assert.equal(refused.status, 403);
  const own = await post(closed.url, call, { origin: closed.url.slice(0, -1) });
  assert.equal(own.status, 200);
  assert.equal(own.headers.get("access-control-allow-origin"), null);
});

Deno.test("mount() leaves other routes and GET / to the node's app", async () => {
  const rpc = new RpcServer({});
  rpc.register("system_name", () => "Sutantra");
  const app = new Hono();
  app.get("/metrics", (c) => c.text("metrics"));
  rpc.mount(app);
  app.get("/", (c) => c.text("web app"));
  assert.equal(await (await app.fetch(new Request("http://h/metrics"))).text(), "metrics");
  assert.equal(await (await app.fetch(new Request("http://h/"))).text(), "web app");
  const response = await app.fetch(
    new Request("http://h/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","id":1,"method":"system_name"}',
    }),
  );
  assert.deepEqual(await response.json(), { jsonrpc: "2.0", id: 1, result: "Sutantra" });
  const elsewhere = await app.fetch(new Request("http://h/metrics", { method: "POST" }));
  assert.equal(elsewhere.status, 404);
});
