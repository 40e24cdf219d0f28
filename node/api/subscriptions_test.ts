/**
 * Head subscriptions over WebSocket against an in-process dev node: new and
 * finalized heads arrive in order, each as `chain_getHeader` has it, until
 * unsubscribed, those a finality re-org makes best included; a message over
 * the size limit closes the socket.
 */
import assert from "node:assert/strict";
import { toHex } from "../../runtime/primitives/hex.ts";
import { buildOn } from "../chain/_testing.ts";
import { startDevNode, WsClient } from "./_testing.ts";
import type { HeaderJson } from "../../client/rpc/format.ts";

Deno.test("chain_subscribeNewHeads and chain_subscribeFinalizedHeads deliver each head in order", async () => {
  await using node = await startDevNode();
  await using ws = await WsClient.connect(node.url);
  const heads = await ws.subscribe("chain_subscribeNewHeads");
  const finalized = await ws.subscribe("chain_subscribeFinalizedHeads");
  assert.match(heads, /^[0-9a-zA-Z]{16}$/);
  assert.notEqual(heads, finalized);
  const genesis = await node.rpc<HeaderJson>("chain_getHeader");
  // The current head first, right after the subscription id.
  assert.deepEqual(await ws.waitNotifications(heads, 1, "the best head"), [genesis]);
  assert.deepEqual(await ws.waitNotifications(finalized, 1, "the finalized head"), [genesis]);
  const subscribeReply = ws.log.findIndex((m) => m.result === heads);
  const firstHead = ws.log.findIndex((m) =>
    (m.params as { subscription?: string } | undefined)?.subscription === heads
  );
  assert.ok(subscribeReply < firstHead, "the id comes before the first notification");

  for (let n = 1; n <= 4; n++) {
    const created = await ws.call("engine_createBlock", [true, false]);
    assert.ok(created.result, `block ${n} created`);
  }
  const newHeads = await ws.waitNotifications(heads, 5, "heads 1 to 4") as HeaderJson[];
  const finalHeads = await ws.waitNotifications(finalized, 5, "final 1 to 4") as HeaderJson[];
  assert.deepEqual(newHeads.map((h) => h.number), ["0x0", "0x1", "0x2", "0x3", "0x4"]);
  assert.deepEqual(finalHeads.map((h) => h.number), ["0x0", "0x1", "0x2", "0x3", "0x4"]);
  for (let n = 1; n <= 4; n++) {
    const hash = await node.rpc<string>("chain_getBlockHash", [n]);
    const header = await node.rpc<HeaderJson>("chain_getHeader", [hash]);
    assert.deepEqual(newHeads[n], header);
    assert.deepEqual(finalHeads[n], header);
    assert.equal(newHeads[n].parentHash, await node.rpc("chain_getBlockHash", [n - 1]));
  }
  // Each head is announced before it is announced final.
  const order = ws.log
    .filter((m) => m.method === "chain_newHead" || m.method === "chain_finalizedHead")
    .map((m) =>
      `${m.method === "chain_newHead" ? "new" : "final"} ${
        (m.params as { result: HeaderJson }).result.number
      }`
    );
  for (let n = 1; n <= 4; n++) {
    assert.ok(order.indexOf(`new 0x${n}`) < order.indexOf(`final 0x${n}`), order.join(", "));
  }

  // Unsubscribed: no more new heads. The finalized head of block 5 comes after its
  // import on the same socket, so once it is here a new head would have been too.
  assert.equal((await ws.call("chain_unsubscribeNewHeads", [heads])).result, true);
  assert.equal((await ws.call("chain_unsubscribeNewHeads", [heads])).result, false);
  assert.equal(
    (await ws.call("chain_unsubscribeFinalizedHeads", [heads])).result,
    false,
    "another subscription's method does not end it",
  );
  await ws.call("engine_createBlock", [true, false]);
  await ws.waitNotifications(finalized, 6, "final 5");
  assert.equal(ws.notifications(heads).length, 5);
  assert.equal((await ws.call("chain_unsubscribeFinalizedHeads", [finalized])).result, true);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("chain_subscribeNewHeads hears the head that finalizing a shorter fork makes best", async () => {
  await using node = await startDevNode({ finality: false });
  await using ws = await WsClient.connect(node.url);
  const heads = await ws.subscribe("chain_subscribeNewHeads");
  await ws.waitNotifications(heads, 1, "the genesis head");
  const { client } = node;
  const genesis = client.best;
  const a1 = (await client.importBlock(buildOn(client, genesis)))!.block;
  await client.importBlock(buildOn(client, a1));
  const b1 = (await client.importBlock(buildOn(client, genesis, { fork: 1 })))!.block;
  await ws.waitNotifications(heads, 3, "heads a1 and a2");

  await client.finalize(b1.hash);
  const all = await ws.waitNotifications(heads, 4, "head b1") as HeaderJson[];
  assert.deepEqual(all[3], await node.rpc<HeaderJson>("chain_getHeader", [toHex(b1.hash)]));
  assert.equal(await node.rpc("chain_getBlockHash", [1]), toHex(b1.hash));
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("subscriptions are per socket: another client's are untouched when one closes", async () => {
  await using node = await startDevNode();
  const first = await WsClient.connect(node.url);
  await using second = await WsClient.connect(node.url);
  const a = await first.subscribe("chain_subscribeNewHeads");
  const b = await second.subscribe("chain_subscribeNewHeads");
  assert.equal((await second.call("chain_unsubscribeNewHeads", [a])).result, false);
  await first.close();
  await node.rpc("engine_createBlock", [true, false]);
  const heads = await second.waitNotifications(b, 2, "head 1") as HeaderJson[];
  assert.deepEqual(heads.map((h) => h.number), ["0x0", "0x1"]);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("a WebSocket message over 15 MiB (Substrate's default) closes the socket with 1009", async () => {
  await using node = await startDevNode();
  const ws = await WsClient.connect(node.url);
  const closed = new Promise<CloseEvent>((resolve) => ws.socket.addEventListener("close", resolve));
  ws.socket.send(" ".repeat(15 * 1024 * 1024 + 1));
  assert.equal((await closed).code, 1009);
  await ws.close();
  assert.equal(await node.rpc("system_name"), "Sutantra", "the server still answers");
});
