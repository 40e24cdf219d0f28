/**
 * `state_call` over RPC on an in-process dev node: runtime API outputs
 * decoded with `@polkadot-api/substrate-bindings`' codecs, Substrate's
 * errors, and no effect on the chain.
 */
import assert from "node:assert/strict";
import {
  _void,
  Bytes,
  compact,
  Hex,
  metadata,
  Option,
  str,
  Struct,
  Tuple,
  u128,
  u32,
  u8,
  Variant,
  Vector,
} from "@polkadot-api/substrate-bindings";
import { encode, t } from "../../runtime/codec/types.ts";
import { fromHex, toHex } from "../../runtime/primitives/hex.ts";
import { RUNTIME_API_VERSIONS } from "../../runtime/api/mod.ts";
import { validityCodec } from "../../runtime/api/reference_codecs.ts";
import { alice, bob, RpcCallError, startDevNode, transfer } from "./_testing.ts";

const runtimeVersionCodec = Struct({
  spec_name: str,
  impl_name: str,
  authoring_version: u32,
  spec_version: u32,
  impl_version: u32,
  apis: Vector(Tuple(Hex(8), u32)),
  transaction_version: u32,
  system_version: u8,
});

const call = async (
  node: { rpc<T>(m: string, p?: unknown): Promise<T> },
  method: string,
  data: Uint8Array = new Uint8Array(),
  at?: string,
) =>
  fromHex(
    await node.rpc<string>("state_call", at ? [method, toHex(data), at] : [method, toHex(data)]),
  );

Deno.test("state_call Core_version and state_getRuntimeVersion list Substrate's API ids", async () => {
  await using node = await startDevNode({ finality: false });
  const version = runtimeVersionCodec.dec(await call(node, "Core_version"));
  assert.equal(version.spec_name, "sutantra");
  assert.deepEqual(version.apis[0], ["0xdf6acb689907609b", 5]);
  const json = await node.rpc<{ apis: [string, number][]; specVersion: number }>(
    "state_getRuntimeVersion",
  );
  assert.deepEqual(json.apis, version.apis);
  assert.deepEqual(json.apis, RUNTIME_API_VERSIONS);
  assert.equal(json.specVersion, version.spec_version);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("state_call AccountNonceApi_account_nonce follows the chain and the `at` block", async () => {
  await using node = await startDevNode({ finality: false });
  const genesis = toHex(node.client.best.hash);
  assert.equal(u32.dec(await call(node, "AccountNonceApi_account_nonce", alice.publicKey)), 0);
  const tx = transfer(node.client.genesisHash, alice, bob.publicKey, { nonce: 0 });
  await node.rpc("author_submitExtrinsic", [toHex(tx)]);
  await node.rpc("engine_createBlock", [true, false]);
  assert.equal(u32.dec(await call(node, "AccountNonceApi_account_nonce", alice.publicKey)), 1);
  const atGenesis = await call(node, "AccountNonceApi_account_nonce", alice.publicKey, genesis);
  assert.equal(u32.dec(atGenesis), 0);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("state_call TransactionPaymentApi_query_info agrees with payment_queryInfo", async () => {
  await using node = await startDevNode({ finality: false });
  const tx = transfer(node.client.genesisHash, alice, bob.publicKey, { nonce: 0 });
  const info = Struct({
    weight: Struct({ ref_time: compact, proof_size: compact }),
    class: Variant({ Normal: _void, Operational: _void, Mandatory: _void }),
    partial_fee: u128,
  }).dec(
    await call(
      node,
      "TransactionPaymentApi_query_info",
      new Uint8Array([...tx, ...encode(t.u32, tx.length)]),
    ),
  );
  const json = await node.rpc<{ weight: { ref_time: number }; partialFee: string; class: string }>(
    "payment_queryInfo",
    [toHex(tx)],
  );
  assert.equal(info.partial_fee.toString(), json.partialFee);
  assert.equal(BigInt(info.weight.ref_time), BigInt(json.weight.ref_time));
  assert.equal(info.class.type, "Normal");
  assert.ok(info.partial_fee > 0n);
});

Deno.test("state_call TaggedTransactionQueue_validate_transaction: valid, then invalid, and nothing kept", async () => {
  await using node = await startDevNode({ finality: false });
  const g = node.client.genesisHash;
  const best = node.client.best.hash;
  const validate = async (tx: Uint8Array) =>
    await call(
      node,
      "TaggedTransactionQueue_validate_transaction",
      new Uint8Array([2, ...tx, ...best]),
    );
  const good = validityCodec.dec(await validate(transfer(g, alice, bob.publicKey, { nonce: 0 })));
  assert.equal(good.success, true);
  const valid = good.value as { provides: Uint8Array[]; longevity: bigint; propagate: boolean };
  assert.deepEqual(valid.provides.map(toHex), [
    toHex(new Uint8Array([...alice.publicKey, 0, 0, 0, 0])),
  ]);
  assert.equal(valid.propagate, true);
  // Validating charged a fee on the throwaway state only: the nonce and the pool are untouched.
  assert.equal(u32.dec(await call(node, "AccountNonceApi_account_nonce", alice.publicKey)), 0);
  assert.equal(node.pool.ready().length, 0);

  const tampered = transfer(g, alice, bob.publicKey, { nonce: 0 });
  tampered[tampered.length - 1] ^= 1; // the amount changes under the signature
  const bad = await validate(tampered);
  assert.deepEqual(bad, new Uint8Array([1, 0, 4])); // Err(Invalid(BadProof))
  assert.deepEqual(validityCodec.dec(bad), {
    success: false,
    value: { type: "Invalid", value: { type: "BadProof", value: undefined } },
  });
  const unsigned = await validate(encode(t.bytes, new Uint8Array([4, 0, 0])));
  assert.equal(validityCodec.dec(unsigned).success, false);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("state_call refuses an unknown method, bad input and an unknown block with Substrate's errors", async () => {
  await using node = await startDevNode({ finality: false });
  const expect = async (params: unknown[], code: number, message: RegExp) => {
    const reply = await node.call("state_call", params);
    assert.equal(reply.error?.code, code, JSON.stringify(reply));
    assert.match(reply.error!.message, message);
  };
  await expect(
    ["Foo_bar", "0x"],
    4003,
    /^Client error: Execution failed: Other: Exported method Foo_bar is not found$/,
  );
  await expect(
    ["AccountNonceApi_account_nonce", "0x00"],
    4003,
    /Bad input data provided to AccountNonceApi_account_nonce/,
  );
  await expect(["Core_version", "0x", toHex(new Uint8Array(32))], 4003, /unknown block/);
  await expect(["Core_version", "zz"], -32602, /call data must be 0x-prefixed hex/);
  await expect([7, "0x"], -32602, /method must be a string/);
  await assert.rejects(node.rpc("state_call", ["Core_version"]), RpcCallError);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("state_call Metadata_metadata_at_version serves V15 SCALE metadata, as polkadot-api asks", async () => {
  await using node = await startDevNode({ finality: false });
  assert.deepEqual(Vector(u32).dec(await call(node, "Metadata_metadata_versions")), [14, 15]);
  const opaque = Option(Bytes()).dec(
    await call(node, "Metadata_metadata_at_version", encode(t.u32, 15)),
  );
  assert.ok(opaque);
  assert.equal(metadata.dec(opaque).metadata.tag, "v15");
  assert.deepEqual(node.internalErrors, []);
});
