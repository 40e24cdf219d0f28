/**
 * The write side of the RPC contract against an in-process dev node: the
 * pool's codes over RPC (future then ready, replacement by tip and 1014,
 * 1010 with its reason, 1012 bans, 1013), a watched extrinsic's statuses in
 * order, and manual seal through `engine_*`.
 */
import assert from "node:assert/strict";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import { fromHex, toHex } from "../../runtime/primitives/hex.ts";
import { bob, charlie, type DevNode, startDevNode, transfer, until, WsClient } from "./_testing.ts";

const UNKNOWN_HASH = `0x${"11".repeat(32)}`;

function hashOf(tx: Uint8Array): string {
  return toHex(extrinsicHash(tx));
}

async function submitError(node: DevNode, tx: Uint8Array) {
  const reply = await node.call("author_submitExtrinsic", [toHex(tx)]);
  assert.ok(reply.error, "the submission is refused");
  return reply.error;
}

Deno.test("author_submitAndWatchExtrinsic: future, then ready once the gap is filled", async () => {
  await using node = await startDevNode();
  await using ws = await WsClient.connect(node.url);
  const g = node.client.genesisHash;
  const second = transfer(g, bob, charlie.publicKey, { nonce: 1 });
  const watch = await ws.subscribe("author_submitAndWatchExtrinsic", [toHex(second)]);
  assert.deepEqual(await ws.waitNotifications(watch, 1, "future"), ["future"]);
  assert.deepEqual(await node.rpc("author_pendingExtrinsics"), [], "a future one is not pending");

  const first = transfer(g, bob, charlie.publicKey, { nonce: 0 });
  assert.equal(await node.rpc("author_submitExtrinsic", [toHex(first)]), hashOf(first));
  assert.deepEqual(await ws.waitNotifications(watch, 2, "ready"), ["future", "ready"]);
  assert.deepEqual(await node.rpc("author_pendingExtrinsics"), [toHex(first), toHex(second)]);
  assert.equal(await (await ws.call("author_unwatchExtrinsic", [watch])).result, true);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("same nonce: a higher tip replaces (usurped), an equal or lower one is refused with 1014", async () => {
  await using node = await startDevNode();
  await using ws = await WsClient.connect(node.url);
  const g = node.client.genesisHash;
  const low = transfer(g, bob, charlie.publicKey, { nonce: 0, tip: 1_000n });
  const watch = await ws.subscribe("author_submitAndWatchExtrinsic", [toHex(low)]);
  assert.deepEqual(await ws.waitNotifications(watch, 1, "ready"), ["ready"]);

  const high = transfer(g, bob, charlie.publicKey, { nonce: 0, tip: 1_000_000n });
  assert.equal(await node.rpc("author_submitExtrinsic", [toHex(high)]), hashOf(high));
  assert.deepEqual(await ws.waitNotifications(watch, 2, "usurped"), [
    "ready",
    { usurped: hashOf(high) },
  ]);
  assert.deepEqual(await node.rpc("author_pendingExtrinsics"), [toHex(high)]);
  // Usurped is terminal: the server ended the subscription.
  assert.equal((await ws.call("author_unwatchExtrinsic", [watch])).result, false);

  for (const tip of [1_000_000n, 10n]) {
    const weaker = transfer(g, bob, charlie.publicKey, { nonce: 0, tip, value: 2n });
    const error = await submitError(node, weaker);
    assert.equal(error.code, 1014);
    assert.equal(error.message, "Priority is too low");
    const [, held, offered] = /^\((\d+) vs (\d+)\)$/.exec(String(error.data))!;
    assert.ok(BigInt(held) >= BigInt(offered), `${error.data}`);
  }
  // The low one, usurped, is not banned: it may come back, and is refused on priority.
  assert.equal((await submitError(node, low)).code, 1014);
  assert.deepEqual(await node.rpc("author_pendingExtrinsics"), [toHex(high)]);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("invalid transactions answer 1010 with the reason, then 1012 while banned; duplicates 1013", async () => {
  await using node = await startDevNode();
  const g = node.client.genesisHash;
  const good = transfer(g, bob, charlie.publicKey, { nonce: 0 });
  // The amount is the last byte (compact 3 = 0x0c); 2 instead is signed by nobody.
  const badSignature = transfer(g, bob, charlie.publicKey, { nonce: 0, value: 3n });
  badSignature[badSignature.length - 1] ^= 0x04;
  const bad = await submitError(node, badSignature);
  assert.deepEqual(bad, {
    code: 1010,
    message: "Invalid Transaction",
    data: "Transaction has a bad signature",
  });
  assert.deepEqual(await submitError(node, badSignature), {
    code: 1012,
    message: "Transaction is temporarily banned",
  });

  const pauper = keypairFromUri("//Nobody");
  const unfunded = transfer(g, pauper, charlie.publicKey, { nonce: 0 });
  assert.deepEqual(await submitError(node, unfunded), {
    code: 1010,
    message: "Invalid Transaction",
    data: "Inability to pay some fees (e.g. account balance too low)",
  });
  assert.equal((await submitError(node, unfunded)).code, 1012);

  assert.equal(await node.rpc("author_submitExtrinsic", [toHex(good)]), hashOf(good));
  assert.deepEqual(await submitError(node, good), {
    code: 1013,
    message: "Transaction Already Imported",
    data: hashOf(good),
  });

  // Included: banned for a while, and another nonce-0 transaction is now stale.
  await node.rpc("engine_createBlock", [true, false]);
  await until("the pool to drain", () => node.pool.status().ready === 0 ? true : undefined);
  assert.equal((await submitError(node, good)).code, 1012);
  const stale = transfer(g, bob, charlie.publicKey, { nonce: 0, tip: 5n });
  assert.deepEqual(await submitError(node, stale), {
    code: 1010,
    message: "Invalid Transaction",
    data: "Transaction is outdated",
  });
  const garbage = await node.call("author_submitExtrinsic", ["0x00"]);
  assert.equal(garbage.error?.code, 1010);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("author_submitAndWatchExtrinsic delivers ready, inBlock, then finalized, and ends", async () => {
  await using node = await startDevNode();
  await using ws = await WsClient.connect(node.url);
  const tx = transfer(node.client.genesisHash, charlie, bob.publicKey, { nonce: 0 });
  const watch = await ws.subscribe("author_submitAndWatchExtrinsic", [toHex(tx)]);
  assert.match(watch, /^[0-9a-zA-Z]{16}$/);
  assert.deepEqual(await ws.waitNotifications(watch, 1, "ready"), ["ready"]);

  const { hash } = await node.rpc<{ hash: string }>("engine_createBlock", [true, false]);
  const statuses = await ws.waitNotifications(watch, 3, "inBlock and finalized");
  assert.deepEqual(statuses, ["ready", { inBlock: hash }, { finalized: hash }]);
  assert.equal((await ws.call("author_unwatchExtrinsic", [watch])).result, false, "ended");
  const notifications = ws.log.filter((m) => m.method === "author_extrinsicUpdate");
  assert.equal(notifications.length, 3);
  const block = await node.rpc<{ block: { extrinsics: string[] } }>("chain_getBlock", [hash]);
  assert.ok(block.block.extrinsics.includes(toHex(tx)));

  // A refused submission is an error response, and opens no subscription.
  const again = await ws.call("author_submitAndWatchExtrinsic", [toHex(tx)]);
  assert.equal(again.error?.code, 1012);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("engine_createBlock answers manual seal's CreatedBlock; engine_finalizeBlock finalizes", async () => {
  await using node = await startDevNode();
  const created = await node.rpc<{ hash: string; aux: Record<string, boolean> }>(
    "engine_createBlock",
    [true, false],
  );
  assert.deepEqual(Object.keys(created).sort(), ["aux", "hash"]);
  assert.equal(created.hash, await node.rpc("chain_getBlockHash", [1]));
  assert.deepEqual(created.aux, {
    header_only: false,
    clear_justification_requests: false,
    needs_justification: false,
    bad_justification: false,
    is_new_best: true,
  });
  const second = await node.rpc<{ hash: string }>("engine_createBlock", [true, false]);
  assert.equal(second.hash, await node.rpc("chain_getBlockHash", [2]));
  await until(
    "block 2 final",
    async () => (await node.rpc("chain_getFinalizedHead")) === second.hash ? true : undefined,
  );
  assert.equal(await node.rpc("engine_finalizeBlock", [second.hash]), true, "already final");
  const unknown = await node.call("engine_finalizeBlock", [UNKNOWN_HASH]);
  assert.equal(unknown.error?.code, 5001);
  assert.equal(unknown.error?.message, "Cannot finalize the block");
  assert.equal(fromHex(created.hash).length, 32);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("safe methods only: engine_* answer -32601 and make no block, transactions still go in", async () => {
  await using node = await startDevNode({ rpcMethods: "safe" });
  const unsafe = { code: -32601, message: "RPC call is unsafe to be called externally" };
  assert.deepEqual((await node.call("engine_createBlock", [true, false])).error, unsafe);
  const genesis = toHex(node.client.genesisHash);
  assert.deepEqual((await node.call("engine_finalizeBlock", [genesis])).error, unsafe);
  assert.equal(node.client.best.header.number, 0);

  const tx = transfer(node.client.genesisHash, bob, charlie.publicKey, { nonce: 0 });
  assert.equal(await node.rpc("author_submitExtrinsic", [toHex(tx)]), hashOf(tx));
  assert.deepEqual(await node.rpc("author_pendingExtrinsics"), [toHex(tx)]);
  assert.equal(node.client.best.header.number, 0);
  assert.deepEqual(node.internalErrors, []);
});
