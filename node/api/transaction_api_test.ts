/**
 * `chainSpec_v1_*` and `transaction_v1_*` against an in-process dev node:
 * the spec's values, a broadcast transfer that lands in a block, garbage
 * that is no error to the caller, and stop.
 */
import assert from "node:assert/strict";
import { systemStorage } from "../../pallets/system/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { alice, bob, RpcCallError, startDevNode, transfer } from "./_testing.ts";

Deno.test("chainSpec_v1_* answer the chain's name, genesis hash and properties", async () => {
  await using node = await startDevNode({ finality: false });
  assert.equal(await node.rpc("chainSpec_v1_chainName"), await node.rpc("system_chain"));
  assert.equal(
    await node.rpc("chainSpec_v1_genesisHash"),
    await node.rpc("chain_getBlockHash", [0]),
  );
  assert.deepEqual(await node.rpc("chainSpec_v1_properties"), await node.rpc("system_properties"));
  assert.deepEqual(await node.rpc("chainSpec_v1_properties"), {
    ss58Format: 42,
    tokenSymbol: "STREAM",
    tokenDecimals: 12,
  });
});

Deno.test("transaction_v1_broadcast of a signed transfer lands in a block; garbage is no error", async () => {
  await using node = await startDevNode({ finality: false });
  const tx = transfer(node.client.genesisHash, alice, bob.publicKey, { nonce: 0 });
  const id = await node.rpc<string>("transaction_v1_broadcast", [toHex(tx)]);
  assert.equal(typeof id, "string");
  assert.deepEqual(await node.rpc("author_pendingExtrinsics"), [toHex(tx)]);
  const bobKey = toHex(systemStorage.Account.keyOf(bob.publicKey));
  const before = await node.rpc<string>("state_getStorage", [bobKey]);
  const { hash } = await node.rpc<{ hash: string }>("engine_createBlock", [true, false]);
  const block = await node.rpc<{ block: { extrinsics: string[] } }>("chain_getBlock", [hash]);
  assert.ok(block.block.extrinsics.includes(toHex(tx)), "the transfer is in the block");
  assert.notEqual(await node.rpc("state_getStorage", [bobKey]), before, "Bob was paid");
  assert.equal(await node.rpc("transaction_v1_stop", [id]), null);

  // Garbage: an operation id all the same, and nothing in the pool.
  const garbage = await node.rpc<string>("transaction_v1_broadcast", ["0xdeadbeef"]);
  assert.equal(typeof garbage, "string");
  assert.deepEqual(await node.rpc("author_pendingExtrinsics"), []);
  assert.equal(await node.rpc("transaction_v1_stop", [garbage]), null);
  // Stopped (or never started): an error, as the spec says.
  await assert.rejects(
    node.rpc("transaction_v1_stop", [garbage]),
    (e) => e instanceof RpcCallError && e.code === -32602,
  );
  assert.deepEqual(node.internalErrors, []);
});
