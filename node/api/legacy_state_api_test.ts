/**
 * The legacy read RPC polkadot.js still calls, against an in-process dev
 * node: storage hashes, sizes, keys and queries at a block; storage,
 * runtime-version and all-heads subscriptions; `system_dryRun` of a good and
 * a bad transfer; `author_removeExtrinsic`.
 */
import assert from "node:assert/strict";
import { ss58Encode } from "../../runtime/crypto/mod.ts";
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import { fromHex, toHex } from "../../runtime/primitives/hex.ts";
import { systemStorage } from "../../pallets/system/mod.ts";
import { alice, bob, RpcCallError, startDevNode, transfer, WsClient } from "./_testing.ts";

Deno.test("storage hash, size, keys and queryStorageAt describe System.Account as state_getStorage reads it", async () => {
  await using node = await startDevNode();
  const key = toHex(systemStorage.Account.keyOf(alice.publicKey));
  const value = await node.rpc<string>("state_getStorage", [key]);
  assert.equal(await node.rpc("state_getStorageHash", [key]), toHex(blake2_256(fromHex(value))));
  assert.equal(await node.rpc("state_getStorageSize", [key]), fromHex(value).length);
  const absent = toHex(systemStorage.Account.keyOf(new Uint8Array(32).fill(7)));
  assert.equal(await node.rpc("state_getStorageHash", [absent]), null);
  assert.equal(await node.rpc("state_getStorageSize", [absent]), null);

  const keys = await node.rpc<string[]>("state_getKeys", [toHex(systemStorage.Account.prefix)]);
  assert.ok(keys.includes(key), "Alice's account is among System.Account's keys");
  const paged = await node.rpc<string[]>("state_getKeysPaged", [
    toHex(systemStorage.Account.prefix),
    1000,
  ]);
  assert.deepEqual(keys, paged);

  const best = await node.rpc<string>("chain_getBlockHash");
  assert.deepEqual(await node.rpc("state_queryStorageAt", [[key, absent], best]), [
    { block: best, changes: [[key, value], [absent, null]] },
  ]);
});

Deno.test("state_subscribeStorage sends the current value, then the change a transfer makes", async () => {
  await using node = await startDevNode();
  await using ws = await WsClient.connect(node.url);
  const key = toHex(systemStorage.Account.keyOf(bob.publicKey));
  const id = await ws.subscribe("state_subscribeStorage", [[key]]);
  const [first] = await ws.waitNotifications(id, 1, "the current value") as {
    changes: [string, string][];
  }[];
  assert.deepEqual(first.changes, [[key, await node.rpc("state_getStorage", [key])]]);

  const genesis = fromHex(await node.rpc<string>("chain_getBlockHash", [0]));
  await node.rpc("author_submitExtrinsic", [
    toHex(transfer(genesis, alice, bob.publicKey, { nonce: 0 })),
  ]);
  await ws.call("engine_createBlock", [true, false]);
  const [, changed] = await ws.waitNotifications(id, 2, "Bob's account changing") as {
    block: string;
    changes: [string, string][];
  }[];
  assert.equal(changed.block, await node.rpc("chain_getBlockHash", [1]));
  assert.deepEqual(changed.changes, [[key, await node.rpc("state_getStorage", [key])]]);
  assert.notDeepEqual(changed.changes, first.changes);
  assert.equal((await ws.call("state_unsubscribeStorage", [id])).result, true);
});

Deno.test("state_subscribeRuntimeVersion sends the version; chain_subscribeAllHeads and chain_subscribeNewHead every head", async () => {
  await using node = await startDevNode();
  await using ws = await WsClient.connect(node.url);
  const version = await ws.subscribe("state_subscribeRuntimeVersion");
  assert.deepEqual(
    await ws.waitNotifications(version, 1, "the version"),
    [await node.rpc("state_getRuntimeVersion")],
  );
  const all = await ws.subscribe("chain_subscribeAllHeads");
  const newHead = await ws.subscribe("chain_subscribeNewHead");
  for (let n = 0; n < 2; n++) await ws.call("engine_createBlock", [true, false]);
  const heads = await ws.waitNotifications(all, 2, "two imported heads") as { number: string }[];
  assert.deepEqual(heads.map((h) => h.number), ["0x1", "0x2"]);
  const best = await ws.waitNotifications(newHead, 3, "the best heads") as { number: string }[];
  assert.deepEqual(best.map((h) => h.number), ["0x0", "0x1", "0x2"]);
  assert.equal((await ws.call("chain_unsubscribeNewHead", [newHead])).result, true);
  assert.equal((await ws.call("chain_unsubscribeAllHeads", [all])).result, true);
});

Deno.test("system_dryRun answers ApplyExtrinsicResult for a good and a bad transfer, and changes nothing", async () => {
  await using node = await startDevNode();
  const genesis = fromHex(await node.rpc<string>("chain_getBlockHash", [0]));
  const good = transfer(genesis, alice, bob.publicKey, { nonce: 0 });
  // Ok(Ok(())): 0x00 0x00.
  assert.equal(await node.rpc("system_dryRun", [toHex(good)]), "0x0000");
  // A nonce from the future: Err(Invalid(Future)) = 0x01 0x00 0x02.
  const future = transfer(genesis, alice, bob.publicKey, { nonce: 5 });
  assert.equal(await node.rpc("system_dryRun", [toHex(future)]), "0x010002");
  assert.equal(await node.rpc("system_accountNextIndex", [ss58Encode(alice.publicKey)]), 0);
});

Deno.test("author_removeExtrinsic takes transactions out of the pool by hash or by bytes", async () => {
  await using node = await startDevNode();
  const genesis = fromHex(await node.rpc<string>("chain_getBlockHash", [0]));
  const first = toHex(transfer(genesis, alice, bob.publicKey, { nonce: 0 }));
  const second = toHex(transfer(genesis, bob, alice.publicKey, { nonce: 0 }));
  const firstHash = await node.rpc<string>("author_submitExtrinsic", [first]);
  const secondHash = await node.rpc<string>("author_submitExtrinsic", [second]);
  const removed = await node.rpc<string[]>("author_removeExtrinsic", [[
    { hash: firstHash },
    { extrinsic: second },
    { hash: toHex(new Uint8Array(32)) },
  ]]);
  assert.deepEqual(removed.sort(), [firstHash, secondHash].sort());
  assert.deepEqual(await node.rpc("author_pendingExtrinsics"), []);
});

Deno.test("attack: where only safe methods are served, nobody removes others' transactions, lists keys or dry-runs in bulk", async () => {
  await using node = await startDevNode({ rpcMethods: "safe" });
  const genesis = fromHex(await node.rpc<string>("chain_getBlockHash", [0]));
  const tx = toHex(transfer(genesis, alice, bob.publicKey, { nonce: 0 }));
  const hash = await node.rpc<string>("author_submitExtrinsic", [tx]);
  const calls: [string, unknown[]][] = [
    ["author_removeExtrinsic", [[{ hash }]]],
    ["state_getKeys", [toHex(systemStorage.Account.prefix)]],
    ["system_dryRun", [tx]],
  ];
  for (const [method, params] of calls) {
    await assert.rejects(
      node.rpc(method, params),
      (e: RpcCallError) => e.code === -32601,
      method,
    );
  }
  assert.deepEqual(await node.rpc("author_pendingExtrinsics"), [tx]);
});
