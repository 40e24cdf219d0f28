/**
 * The read side of the RPC contract, over HTTP against an in-process dev
 * node: each method's JSON shape as Substrate's clients read it, batches,
 * every error code, and an oversized body refused.
 */
import assert from "node:assert/strict";
import { ENDOWMENT, TOKEN } from "../../chain-spec/presets.ts";
import { blockHash, digestItemType, type Header } from "../../runtime/block/header.ts";
import { decode } from "../../runtime/codec/types.ts";
import { ss58Encode } from "../../runtime/crypto/mod.ts";
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import { fromHex, toHex, toHexRaw } from "../../runtime/primitives/hex.ts";
import { verifyReadProof } from "../../runtime/trie/mod.ts";
import { LIMITS } from "../../runtime/mod.ts";
import { accountInfoType, systemStorage } from "../../pallets/system/mod.ts";
import { WEIGHTS as TIMESTAMP_WEIGHTS } from "../../pallets/timestamp/weights.ts";
import { decodeJustification } from "../../runtime/consensus/grandpa.ts";
import { alice, bob, charlie, type DevNode, startDevNode, transfer, until } from "./_testing.ts";
import type { HeaderJson } from "../../client/rpc/format.ts";

const HASH = /^0x[0-9a-f]{64}$/;
const HEX = /^0x([0-9a-f]{2})*$/;
const UNKNOWN_HASH = `0x${"11".repeat(32)}`;

/** The header a `chain_getHeader` JSON stands for, so its hash can be checked. */
function headerFromJson(json: HeaderJson): Header {
  assert.deepEqual(Object.keys(json).sort(), [
    "digest",
    "extrinsicsRoot",
    "number",
    "parentHash",
    "stateRoot",
  ]);
  assert.match(json.parentHash, HASH);
  assert.match(json.stateRoot, HASH);
  assert.match(json.extrinsicsRoot, HASH);
  assert.match(json.number, /^0x(0|[1-9a-f][0-9a-f]*)$/);
  assert.deepEqual(Object.keys(json.digest), ["logs"]);
  for (const log of json.digest.logs) assert.match(log, HEX);
  return {
    parentHash: fromHex(json.parentHash),
    number: parseInt(json.number, 16),
    stateRoot: fromHex(json.stateRoot),
    extrinsicsRoot: fromHex(json.extrinsicsRoot),
    digest: json.digest.logs.map((log) => decode(digestItemType, fromHex(log))),
  };
}

function aliceAccountKey(): string {
  return toHex(systemStorage.Account.keyOf(alice.publicKey));
}

async function expectError(
  node: DevNode,
  method: string,
  params: unknown,
  code: number,
  message?: RegExp,
): Promise<{ code: number; message: string; data?: unknown }> {
  const reply = await node.call(method, params);
  assert.ok(reply.error, `${method}(${JSON.stringify(params)}) answers an error`);
  assert.equal(
    reply.error.code,
    code,
    `${method}(${JSON.stringify(params)}): ${reply.error.message}`,
  );
  if (message) assert.match(reply.error.message, message);
  assert.equal("result" in reply, false);
  return reply.error;
}

Deno.test("system_* answer the node's identity, health and roles", async () => {
  await using node = await startDevNode();
  assert.equal(await node.rpc("system_name"), "Sutantra");
  assert.equal(await node.rpc("system_version"), "0.1.0-test");
  assert.equal(await node.rpc("system_chain"), "Development");
  assert.equal(await node.rpc("system_chainType"), "Development");
  assert.deepEqual(await node.rpc("system_properties"), {
    ss58Format: 42,
    tokenSymbol: "STREAM",
    tokenDecimals: 12,
  });
  assert.deepEqual(await node.rpc("system_health"), {
    peers: 0,
    isSyncing: false,
    shouldHavePeers: false,
  });
  assert.deepEqual(await node.rpc("system_peers"), []);
  assert.equal(await node.rpc("system_localPeerId"), "");
  assert.deepEqual(await node.rpc("system_localListenAddresses"), []);
  assert.deepEqual(await node.rpc("system_nodeRoles"), ["Authority"]);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("rpc_methods lists every method, sorted", async () => {
  await using node = await startDevNode();
  const { methods } = await node.rpc<{ methods: string[] }>("rpc_methods");
  assert.deepEqual(methods, [
    "author_pendingExtrinsics",
    "author_removeExtrinsic",
    "author_submitAndWatchExtrinsic",
    "author_submitExtrinsic",
    "author_unwatchExtrinsic",
    "chainHead_v1_body",
    "chainHead_v1_call",
    "chainHead_v1_continue",
    "chainHead_v1_follow",
    "chainHead_v1_header",
    "chainHead_v1_stopOperation",
    "chainHead_v1_storage",
    "chainHead_v1_unfollow",
    "chainHead_v1_unpin",
    "chainSpec_v1_chainName",
    "chainSpec_v1_genesisHash",
    "chainSpec_v1_properties",
    "chain_getBlock",
    "chain_getBlockHash",
    "chain_getFinalizedHead",
    "chain_getHeader",
    "chain_subscribeAllHeads",
    "chain_subscribeFinalizedHeads",
    "chain_subscribeNewHead",
    "chain_subscribeNewHeads",
    "chain_unsubscribeAllHeads",
    "chain_unsubscribeFinalizedHeads",
    "chain_unsubscribeNewHead",
    "chain_unsubscribeNewHeads",
    "engine_createBlock",
    "engine_finalizeBlock",
    "payment_queryInfo",
    "rpc_methods",
    "state_call",
    "state_getKeys",
    "state_getKeysPaged",
    "state_getMetadata",
    "state_getReadProof",
    "state_getRuntimeVersion",
    "state_getStorage",
    "state_getStorageHash",
    "state_getStorageSize",
    "state_queryStorageAt",
    "state_subscribeRuntimeVersion",
    "state_subscribeStorage",
    "state_unsubscribeRuntimeVersion",
    "state_unsubscribeStorage",
    "sutantra_metadataJson",
    "sync_state_genSyncSpec",
    "system_accountNextIndex",
    "system_chain",
    "system_chainType",
    "system_dryRun",
    "system_health",
    "system_localListenAddresses",
    "system_localPeerId",
    "system_name",
    "system_nodeRoles",
    "system_peers",
    "system_properties",
    "system_version",
    "transaction_v1_broadcast",
    "transaction_v1_stop",
  ]);
  // Every listed method exists: none answers -32601 over HTTP but the subscriptions.
  for (const method of methods) {
    const reply = await node.call(method, method.includes("ubscribe") ? ["x"] : []);
    if (reply.error?.code === -32601) {
      assert.match(method, /subscribe|Watch|unwatch|follow/, `${method} is listed but not found`);
    }
  }
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("chain_* answer headers and blocks in Substrate's JSON, with justifications once final", async () => {
  await using node = await startDevNode();
  const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
  assert.equal(genesis, toHex(node.client.genesisHash));
  assert.equal(await node.rpc("chain_getBlockHash", []), genesis, "no param: the best block");
  assert.equal(await node.rpc("chain_getBlockHash", ["0x0"]), genesis, "a hex number");
  assert.equal(await node.rpc("chain_getBlockHash", [1]), null, "a number past the best");
  assert.equal(await node.rpc("chain_getFinalizedHead"), genesis);

  const genesisHeader = await node.rpc<HeaderJson>("chain_getHeader", [genesis]);
  const decoded = headerFromJson(genesisHeader);
  assert.equal(toHex(blockHash(decoded)), genesis, "the JSON header hashes to its block hash");
  assert.equal(genesisHeader.number, "0x0");
  assert.equal(genesisHeader.parentHash, `0x${"00".repeat(32)}`);
  assert.deepEqual(genesisHeader.digest, { logs: [] });
  assert.deepEqual(await node.rpc("chain_getHeader", []), genesisHeader, "no param: the best");
  assert.deepEqual(await node.rpc("chain_getBlock", [genesis]), {
    block: { header: genesisHeader, extrinsics: [] },
    justifications: null,
  });

  // Bob's transfer in block 1.
  const tx = transfer(node.client.genesisHash, bob, charlie.publicKey, { nonce: 0 });
  await node.rpc("author_submitExtrinsic", [toHex(tx)]);
  const { hash } = await node.rpc<{ hash: string }>("engine_createBlock", [true, false]);
  assert.equal(await node.rpc("chain_getBlockHash", [1]), hash);
  assert.equal(await node.rpc("chain_getBlockHash", ["0x1"]), hash);
  const header = await node.rpc<HeaderJson>("chain_getHeader", [hash]);
  assert.equal(toHex(blockHash(headerFromJson(header))), hash);
  assert.equal(header.number, "0x1");
  assert.equal(header.parentHash, genesis);
  assert.equal(header.digest.logs.length, 2, "the slot pre-digest and the seal");

  // Final (one voter): the block now carries its justification.
  await until(
    "block 1 final",
    async () => (await node.rpc("chain_getFinalizedHead")) === hash ? true : undefined,
  );
  const block = await node.rpc<{
    block: { header: HeaderJson; extrinsics: string[] };
    justifications: [number[], string][];
  }>("chain_getBlock", [hash]);
  assert.deepEqual(Object.keys(block).sort(), ["block", "justifications"]);
  assert.deepEqual(Object.keys(block.block).sort(), ["extrinsics", "header"]);
  assert.deepEqual(block.block.header, header);
  assert.equal(block.block.extrinsics.length, 2, "the timestamp inherent and the transfer");
  for (const extrinsic of block.block.extrinsics) assert.match(extrinsic, HEX);
  assert.equal(block.block.extrinsics[1], toHex(tx));
  assert.equal(block.justifications.length, 1);
  const [engine, justification] = block.justifications[0];
  assert.deepEqual(engine, [..."FRNK"].map((c) => c.charCodeAt(0)));
  assert.match(justification, HEX);
  assert.equal(toHex(decodeJustification(fromHex(justification)).commit.targetHash), hash);
  assert.deepEqual(await node.rpc("chain_getBlock", []), block, "no param: the best");

  // Unknown blocks are `null`, as in Substrate (not errors).
  assert.equal(await node.rpc("chain_getBlock", [UNKNOWN_HASH]), null);
  assert.equal(await node.rpc("chain_getHeader", [UNKNOWN_HASH]), null);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("state_getStorage reads System.Account of //Alice as the genesis balance", async () => {
  await using node = await startDevNode();
  const key = aliceAccountKey();
  const genesis = toHex(node.client.genesisHash);
  const value = await node.rpc<string>("state_getStorage", [key]);
  assert.match(value, HEX);
  const info = decode(accountInfoType, fromHex(value));
  assert.equal(info.nonce, 0);
  assert.equal(info.data.free, ENDOWMENT);
  assert.equal(await node.rpc("state_getStorage", [key, genesis]), value);
  assert.equal(await node.rpc("state_getStorage", [key, null]), value);
  assert.equal(await node.rpc("state_getStorage", ["0x00"]), null, "an absent key");
  await expectError(node, "state_getStorage", [key, UNKNOWN_HASH], 4003, /unknown block/);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("a state the node no longer keeps answers Substrate's 'State already discarded'", async () => {
  await using node = await startDevNode({
    finality: false,
    pruning: { states: 2, blocks: "archive" },
  });
  const key = aliceAccountKey();
  const genesis = toHex(node.client.genesisHash);
  const before = await node.rpc<string>("state_getStorage", [key, genesis]);
  let hash = "";
  for (let i = 0; i < 3; i++) ({ hash } = await node.rpc<{ hash: string }>("engine_createBlock"));
  await node.rpc("engine_finalizeBlock", [hash]);
  const pruned = /^Client error: State already discarded for 0x[0-9a-f]{64}$/;
  await expectError(node, "state_getStorage", [key, genesis], 4003, pruned);
  await expectError(node, "state_getKeysPaged", ["0x", 10, null, genesis], 4003, pruned);
  await expectError(node, "state_getReadProof", [[key], genesis], 4003, pruned);
  const kept = await node.rpc<string>("chain_getBlockHash", [2]);
  assert.equal(await node.rpc("state_getStorage", [key, kept]), before);
  assert.equal((await node.rpc<{ number: string }>("chain_getHeader", [genesis])).number, "0x0");
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("state_getKeysPaged pages through a prefix in key order", async () => {
  await using node = await startDevNode();
  const prefix = toHex(systemStorage.Account.prefix);
  const all = await node.rpc<string[]>("state_getKeysPaged", [prefix, 1000]);
  assert.ok(all.length >= 13, "twelve endowed dev accounts and the pot");
  assert.deepEqual([...all].sort(), all);
  for (const key of all) assert.ok(key.startsWith(prefix));
  assert.ok(all.includes(aliceAccountKey()));

  const paged: string[] = [];
  let start: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const page: string[] = await node.rpc<string[]>("state_getKeysPaged", [prefix, 5, start]);
    assert.ok(page.length <= 5);
    paged.push(...page);
    if (page.length < 5) break;
    start = page[page.length - 1];
  }
  assert.deepEqual(paged, all, "pages join up without overlap or gaps");
  const genesis = toHex(node.client.genesisHash);
  assert.deepEqual(
    await node.rpc("state_getKeysPaged", [prefix, 2, all[3], genesis]),
    all.slice(4, 6),
    "the start key is exclusive",
  );
  assert.deepEqual(
    await node.rpc("state_getKeysPaged", [prefix, 2, "0x00"]),
    all.slice(0, 2),
    "a start key before the prefix starts at the prefix",
  );
  assert.deepEqual(await node.rpc("state_getKeysPaged", [prefix, 2, all[all.length - 1]]), []);
  assert.deepEqual(await node.rpc("state_getKeysPaged", [prefix, 2, "0xffff"]), []);
  assert.deepEqual(await node.rpc("state_getKeysPaged", ["0xffff", 10]), []);
  // Substrate's cap and error (InvalidCount): a million keys would be one answer to build.
  const tooMany = /^count exceeds maximum value\. value: 1000000, max: 1000$/;
  await expectError(node, "state_getKeysPaged", [prefix, 1_000_000], 4002, tooMany);
  await expectError(node, "state_getKeysPaged", [prefix, 1001], 4002, /value: 1001, max: 1000/);
  await expectError(node, "state_getKeysPaged", [prefix, 5, null, UNKNOWN_HASH], 4003);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("state_getReadProof proves values and absences against the header's state root", async () => {
  await using node = await startDevNode();
  const genesis = toHex(node.client.genesisHash);
  const aliceKey = aliceAccountKey();
  const absent = toHex(systemStorage.Account.keyOf(new Uint8Array(32).fill(7)));
  const { at, proof } = await node.rpc<{ at: string; proof: string[] }>("state_getReadProof", [
    [aliceKey, absent],
  ]);
  assert.equal(at, genesis, "no block: the best");
  assert.ok(proof.length > 0);
  for (const item of proof) assert.match(item, HEX);
  const header = await node.rpc<HeaderJson>("chain_getHeader", [at]);
  const keys = [fromHex(aliceKey), fromHex(absent)];
  const values = verifyReadProof(fromHex(header.stateRoot), proof.map(fromHex), keys);
  assert.equal(
    toHex(values.get(toHexRaw(keys[0]))!),
    await node.rpc("state_getStorage", [aliceKey]),
  );
  assert.equal(values.has(toHexRaw(keys[1])), true);
  assert.equal(values.get(toHexRaw(keys[1])), undefined, "proved absent");
  assert.throws(
    () => verifyReadProof(fromHex(UNKNOWN_HASH), proof.map(fromHex), keys),
    /Invalid read proof/,
  );
  const again = await node.rpc("state_getReadProof", [[aliceKey], genesis]);
  assert.equal((again as { at: string }).at, genesis);
  await expectError(node, "state_getReadProof", [[aliceKey], UNKNOWN_HASH], 4003);
  await expectError(node, "state_getReadProof", [aliceKey], -32602);
  await expectError(node, "state_getReadProof", [["zz"]], -32602, /keys\[0\]/);
  const tooManyKeys = Array.from({ length: 1001 }, () => aliceKey);
  await expectError(node, "state_getReadProof", [tooManyKeys], 4002, /value: 1001, max: 1000/);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("state_getRuntimeVersion, state_getMetadata (SCALE) and sutantra_metadataJson describe the runtime", async () => {
  await using node = await startDevNode();
  const version = await node.rpc<Record<string, unknown>>("state_getRuntimeVersion");
  assert.deepEqual(Object.keys(version).sort(), [
    "apis",
    "authoringVersion",
    "implName",
    "implVersion",
    "specName",
    "specVersion",
    "stateVersion",
    "transactionVersion",
  ]);
  assert.equal(version.specName, "sutantra");
  assert.equal(typeof version.specVersion, "number");
  assert.ok(Array.isArray(version.apis));
  const metadata = await node.rpc<{ version: unknown }>("sutantra_metadataJson");
  assert.deepEqual(
    metadata.version,
    Object.fromEntries(
      Object.entries(version).filter(([k]) => k !== "apis"),
    ),
  );
  // SCALE V14: "meta" ++ 14, at the best block and at a named one.
  const scale = await node.rpc<string>("state_getMetadata");
  assert.match(scale, /^0x6d6574610e/);
  const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
  assert.equal(await node.rpc<string>("state_getMetadata", [genesis]), scale);
  await expectError(node, "state_getMetadata", [UNKNOWN_HASH], 4003, /unknown block/);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("payment_queryInfo's partialFee is what the transfer is charged", async () => {
  await using node = await startDevNode();
  const free = async (who: Uint8Array, at: string) => {
    const key = toHex(systemStorage.Account.keyOf(who));
    const value = await node.rpc<string>("state_getStorage", [key, at]);
    return decode(accountInfoType, fromHex(value)).data.free;
  };
  const genesis = toHex(node.client.genesisHash);
  const amount = 7n * TOKEN;
  const tx = transfer(node.client.genesisHash, bob, charlie.publicKey, { nonce: 0, value: amount });
  const info = await node.rpc<{ weight: unknown; class: string; partialFee: string }>(
    "payment_queryInfo",
    [toHex(tx)],
  );
  // Substrate's `RuntimeDispatchInfo` JSON: snake_case weight, camelCase class, the fee as a string.
  assert.deepEqual(Object.keys(info).sort(), ["class", "partialFee", "weight"]);
  assert.deepEqual(Object.keys(info.weight as object), ["ref_time", "proof_size"]);
  assert.equal(info.class, "normal");
  assert.match(info.partialFee, /^[1-9][0-9]*$/);
  assert.deepEqual(await node.rpc("payment_queryInfo", [toHex(tx), genesis]), info);

  await node.rpc("author_submitExtrinsic", [toHex(tx)]);
  const { hash } = await node.rpc<{ hash: string }>("engine_createBlock", [true, false]);
  const block = await node.rpc<{ block: { extrinsics: string[] } }>("chain_getBlock", [hash]);
  assert.ok(block.block.extrinsics.includes(toHex(tx)));
  assert.equal(
    await free(bob.publicKey, genesis) - await free(bob.publicKey, hash),
    amount + BigInt(info.partialFee),
  );
  assert.equal(
    await free(charlie.publicKey, hash) - await free(charlie.publicKey, genesis),
    amount,
  );

  const inherent = block.block.extrinsics[0];
  assert.deepEqual(
    await node.rpc<{ class: string; partialFee: string }>("payment_queryInfo", [inherent]),
    {
      weight: { ref_time: LIMITS.extrinsicBaseWeight + TIMESTAMP_WEIGHTS.set, proof_size: 0 },
      class: "mandatory",
      partialFee: "0",
    },
  );
  const garbage = await expectError(
    node,
    "payment_queryInfo",
    ["0x00"],
    1010,
    /Invalid Transaction/,
  );
  assert.match(String(garbage.data), /Cannot decode extrinsic/);
  await expectError(node, "payment_queryInfo", [toHex(tx), UNKNOWN_HASH], 4003);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("system_accountNextIndex counts the account's ready transactions in the pool", async () => {
  await using node = await startDevNode();
  const address = ss58Encode(bob.publicKey, 42);
  const next = () => node.rpc<number>("system_accountNextIndex", [address]);
  assert.equal(await next(), 0);
  const g = node.client.genesisHash;
  await node.rpc("author_submitExtrinsic", [
    toHex(transfer(g, bob, charlie.publicKey, { nonce: 0 })),
  ]);
  assert.equal(await next(), 1);
  const future = transfer(g, bob, charlie.publicKey, { nonce: 2 });
  await node.rpc("author_submitExtrinsic", [toHex(future)]);
  assert.equal(await next(), 1, "a future transaction leaves a gap");
  await node.rpc("author_submitExtrinsic", [
    toHex(transfer(g, bob, charlie.publicKey, { nonce: 1 })),
  ]);
  assert.equal(await next(), 3, "the gap filled, the future one is ready");
  await node.rpc("engine_createBlock", [true, false]);
  await until("the pool to drain", () => node.pool.status().ready === 0 ? true : undefined);
  assert.equal(await next(), 3, "now from the chain");
  assert.ok(!node.pool.has(extrinsicHash(future)));
  await expectError(node, "system_accountNextIndex", ["not an address"], -32602);
  await expectError(node, "system_accountNextIndex", [], -32602);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("errors: -32700, -32600, -32601, -32602, and unknown blocks", async () => {
  await using node = await startDevNode();
  const parse = await node.post('{"jsonrpc":"2.0",');
  assert.equal(parse.status, 200);
  assert.deepEqual(parse.json, {
    jsonrpc: "2.0",
    id: null,
    error: { code: -32700, message: "Parse error" },
  });
  const invalid = await node.post({ jsonrpc: "1.0", id: 1, method: "system_name" });
  assert.equal((invalid.json as { error: { code: number } }).error.code, -32600);

  const missing = await node.call("system_nope");
  assert.deepEqual(missing.error, { code: -32601, message: "Method not found" });
  await expectError(node, "chain_subscribeNewHeads", [], -32601, /WebSocket/);

  for (
    const [method, params] of [
      ["chain_getHeader", ["0x1234"]],
      ["chain_getHeader", [42]],
      ["chain_getHeader", { hash: UNKNOWN_HASH }],
      ["chain_getBlock", ["0xzz"]],
      ["chain_getBlockHash", [-1]],
      ["chain_getBlockHash", ["one"]],
      ["chain_getBlockHash", [1.5]],
      ["state_getStorage", [42]],
      ["state_getStorage", ["0x00", "0x00"]],
      ["state_getKeysPaged", ["0x", "ten"]],
      ["author_submitExtrinsic", ["not hex"]],
      ["author_submitExtrinsic", []],
      ["payment_queryInfo", [null]],
      ["engine_finalizeBlock", ["0x00"]],
    ] as const
  ) {
    const error = await expectError(node, method, params, -32602);
    assert.match(error.message, /^Invalid params: /);
  }
  const unknownAt = [
    ["state_getStorage", ["0x00", UNKNOWN_HASH]],
    ["state_getKeysPaged", ["0x", 1, null, UNKNOWN_HASH]],
    ["state_getReadProof", [[], UNKNOWN_HASH]],
    ["payment_queryInfo", ["0x00", UNKNOWN_HASH]],
  ] as const;
  for (const [method, params] of unknownAt) {
    const error = await expectError(node, method, params, 4003);
    assert.equal(error.data, UNKNOWN_HASH);
  }
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("a batch is answered in order, notifications left out; an empty batch is refused", async () => {
  await using node = await startDevNode();
  const g = node.client.genesisHash;
  const first = toHex(transfer(g, bob, charlie.publicKey, { nonce: 0 }));
  const second = toHex(transfer(g, bob, charlie.publicKey, { nonce: 1 }));
  const { status, json } = await node.post([
    { jsonrpc: "2.0", id: "a", method: "system_name" },
    { jsonrpc: "2.0", method: "system_chain" },
    { jsonrpc: "2.0", id: 2, method: "system_nope" },
    { jsonrpc: "2.0", id: 3, method: "chain_getBlockHash", params: [0] },
    { jsonrpc: "2.0", id: 4, method: "author_submitExtrinsic", params: [first] },
    // Run after the one before: its nonce follows, so it is ready at once.
    { jsonrpc: "2.0", id: 5, method: "author_submitExtrinsic", params: [second] },
    { jsonrpc: "2.0", id: 6, method: "chain_getHeader", params: ["0x12"] },
    "not a request",
  ]);
  assert.equal(status, 200);
  const replies = json as { id: unknown; result?: unknown; error?: { code: number } }[];
  assert.deepEqual(replies.map((r) => r.id), ["a", 2, 3, 4, 5, 6, null]);
  assert.equal(replies[0].result, "Sutantra");
  assert.equal(replies[1].error?.code, -32601);
  assert.equal(replies[2].result, toHex(g));
  assert.equal(replies[3].result, toHex(extrinsicHash(fromHex(first))));
  assert.equal(replies[4].result, toHex(extrinsicHash(fromHex(second))));
  assert.equal(replies[5].error?.code, -32602);
  assert.equal(replies[6].error?.code, -32600);
  assert.deepEqual(await node.rpc("author_pendingExtrinsics"), [first, second]);

  const empty = await node.post([]);
  assert.equal((empty.json as { error: { code: number } }).error.code, -32600);
  const onlyNotifications = await node.post([{ jsonrpc: "2.0", method: "system_name" }]);
  assert.equal(onlyNotifications.status, 204);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("a body over 15 MiB (Substrate's default) is refused with 413; one at the limit is served", async () => {
  await using node = await startDevNode();
  const limit = 15 * 1024 * 1024;
  const request = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "system_name" });
  const atLimit = await node.post(request + " ".repeat(limit - request.length));
  assert.equal(atLimit.status, 200);
  assert.equal((atLimit.json as { result: unknown }).result, "Sutantra");
  const over = await node.post(request + " ".repeat(limit - request.length + 1));
  assert.equal(over.status, 413);
  assert.deepEqual(over.json, {
    jsonrpc: "2.0",
    id: null,
    error: { code: -32600, message: "Request is too big", data: { limit } },
  });
  assert.equal(await node.rpc("system_name"), "Sutantra", "the server still answers");
  assert.deepEqual(node.internalErrors, []);
});
