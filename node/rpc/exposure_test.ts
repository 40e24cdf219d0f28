/**
 * Attacks from whoever reaches the RPC port: calling unsafe methods, and a
 * web page that re-points its own name at 127.0.0.1 (DNS rebinding).
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { ErrorCode, RpcServer, UNSAFE_METHOD_MESSAGE } from "./mod.ts";
import { post, rawRequest, serve, WsClient } from "./_testing.ts";

function setup(rpc: RpcServer, sealed: string[]): void {
  rpc.register("engine_createBlock", () => sealed.push("block"), { unsafe: true });
  rpc.register("author_submitExtrinsic", () => "0x01");
}

const unsafeError = { code: ErrorCode.MethodNotFound, message: UNSAFE_METHOD_MESSAGE };

Deno.test("safe methods only: an unsafe method is -32601 and does not run, over HTTP and WebSocket", async () => {
  const sealed: string[] = [];
  await using server = serve({ methods: "safe" }, (rpc) => setup(rpc, sealed));
  const create = { jsonrpc: "2.0", id: 1, method: "engine_createBlock", params: [true, true] };
  assert.deepEqual((await post(server.url, create)).json, {
    jsonrpc: "2.0",
    id: 1,
    error: unsafeError,
  });
  const batch = await post(server.url, [
    create,
    { jsonrpc: "2.0", id: 2, method: "author_submitExtrinsic", params: ["0x00"] },
    { jsonrpc: "2.0", method: "engine_createBlock" },
  ]);
  assert.deepEqual(batch.json, [
    { jsonrpc: "2.0", id: 1, error: unsafeError },
    { jsonrpc: "2.0", id: 2, result: "0x01" },
  ]);
  const client = await WsClient.connect(server.url);
  try {
    assert.deepEqual((await client.call("engine_createBlock")).error, unsafeError);
  } finally {
    await client.close();
  }
  assert.deepEqual(sealed, []);
  // Listed all the same, as Substrate lists them.
  assert.ok(server.rpc.methods().includes("engine_createBlock"));
});

Deno.test("safe is the default; unsafe methods answer when the server serves them", async () => {
  const sealed: string[] = [];
  await using safe = serve({}, (rpc) => setup(rpc, sealed));
  const create = { jsonrpc: "2.0", id: 1, method: "engine_createBlock" };
  assert.deepEqual((await post(safe.url, create)).json, {
    jsonrpc: "2.0",
    id: 1,
    error: unsafeError,
  });
  await using unsafe = serve({ methods: "unsafe" }, (rpc) => setup(rpc, sealed));
  assert.deepEqual((await post(unsafe.url, create)).json, { jsonrpc: "2.0", id: 1, result: 1 });
  assert.deepEqual(sealed, ["block"]);
  assert.throws(
    () => new RpcServer({ methods: "auto" as "safe" }),
    /methods must be safe or unsafe/,
  );
});

Deno.test("DNS rebinding: on 127.0.0.1 a request addressed to another name is 403 and runs nothing", async () => {
  const sealed: string[] = [];
  await using server = serve({ methods: "unsafe", cors: "all" }, (rpc) => setup(rpc, sealed));
  const { port } = new URL(server.url);
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "engine_createBlock" });
  const postAs = (host: string) =>
    rawRequest(server.url, {
      method: "POST",
      host,
      headers: { "content-type": "application/json", origin: `http://${host}` },
      body,
    });
  for (const host of [`evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`, "localhost"]) {
    const answer = await postAs(host);
    assert.equal(answer.status, 403, host);
    assert.equal(answer.text, `Host not allowed: ${host}: use localhost or 127.0.0.1\n`);
  }
  const upgrade = await rawRequest(server.url, {
    method: "GET",
    host: `evil.example:${port}`,
    headers: {
      upgrade: "websocket",
      connection: "Upgrade, close",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    },
  });
  assert.equal(upgrade.status, 403);
  assert.equal(server.rpc.connectionCount, 0);
  assert.deepEqual(sealed, []);

  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
    const answer = await postAs(host);
    assert.equal(answer.status, 200, host);
    assert.deepEqual(JSON.parse(answer.text).result, sealed.length);
  }
});

Deno.test("mount() on the node's app answers any Host: a listener that faces the network checks none", async () => {
  const rpc = new RpcServer({});
  rpc.register("system_name", () => "Sutantra");
  const app = new Hono();
  rpc.mount(app);
  const response = await app.fetch(
    new Request("http://node.example:9944/", {
      method: "POST",
      headers: { "content-type": "application/json", host: "node.example:9944" },
      body: '{"jsonrpc":"2.0","id":1,"method":"system_name"}',
    }),
  );
  assert.deepEqual(await response.json(), { jsonrpc: "2.0", id: 1, result: "Sutantra" });
});
