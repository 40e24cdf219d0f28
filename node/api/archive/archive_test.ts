/**
 * `archive_v1_*` against an in-process dev node that keeps every state
 * (`--state-pruning archive`): old blocks' headers, bodies, storage,
 * storage differences and runtime calls, forks at unfinalized heights, bad
 * params refused, the query bound; and a pruned node that does not serve them.
 */
import assert from "node:assert/strict";
import { decodeHeader } from "../../../runtime/block/header.ts";
import { decode } from "../../../runtime/codec/types.ts";
import { blake2_256 } from "../../../runtime/primitives/hashing.ts";
import { fromHex, toHex } from "../../../runtime/primitives/hex.ts";
import { systemStorage } from "../../../pallets/system/mod.ts";
import { now } from "../../../pallets/timestamp/mod.ts";
import { buildOn } from "../../chain/_testing.ts";
import { alice, bob, type DevNode, startDevNode, transfer, until, WsClient } from "../_testing.ts";
import type { HeaderJson } from "../../../client/rpc/format.ts";

type Event = Record<string, unknown> & { event: string };

const ARCHIVE = { states: "archive", blocks: "archive" } as const;
const aliceKey = toHex(systemStorage.Account.keyOf(alice.publicKey));
const bobKey = toHex(systemStorage.Account.keyOf(bob.publicKey));
const accountPrefix = toHex(systemStorage.Account.prefix);

/**
 * An archive node of 40 blocks, 30 finalized, whose block 2 holds Alice's
 * transfer of one token to Bob; `hashes[n]` is block n's hash.
 */
async function archiveChain(options: { archiveQueries?: number } = {}) {
  const node = await startDevNode({ finality: false, pruning: ARCHIVE, ...options });
  const hashes = [await node.rpc<string>("chain_getBlockHash", [0])];
  for (let n = 1; n <= 40; n++) {
    if (n === 2) {
      await node.rpc("author_submitExtrinsic", [
        toHex(transfer(node.client.genesisHash, alice, bob.publicKey, { nonce: 0 })),
      ]);
    }
    hashes.push((await node.rpc<{ hash: string }>("engine_createBlock", [true, false])).hash);
  }
  await node.rpc("engine_finalizeBlock", [hashes[30]]);
  return { node, hashes };
}

/** Runs a storage or storageDiff subscription to its last event and returns its events. */
async function query(ws: WsClient, method: string, params: unknown[]): Promise<Event[]> {
  const id = await ws.subscribe(method, params);
  return await until(`${method} to finish`, () => {
    const events = ws.notifications(id) as Event[];
    return events.some((e) => /Done$|Error$/.test(e.event)) ? events : undefined;
  });
}

function freeOf(value: unknown): bigint {
  return decode(systemStorage.Account.valueType, fromHex(value as string)).data.free;
}

async function rejects(node: DevNode, method: string, params: unknown[], code = -32602) {
  const reply = await node.call(method, params);
  assert.equal(reply.error?.code, code, `${method} ${JSON.stringify(params)}`);
}

Deno.test("archive_v1 header, body and hashByHeight answer for old blocks, and every fork above the finalized one", async () => {
  const { node, hashes } = await archiveChain();
  await using _ = node;
  assert.equal(await node.rpc("archive_v1_finalizedHeight"), 30);
  assert.equal(await node.rpc("archive_v1_genesisHash"), hashes[0]);
  for (const n of [0, 2, 30, 35, 40]) {
    assert.deepEqual(await node.rpc("archive_v1_hashByHeight", [n]), [hashes[n]], `#${n}`);
  }
  assert.deepEqual(await node.rpc("archive_v1_hashByHeight", [41]), []);

  const header = decodeHeader(fromHex(await node.rpc<string>("archive_v1_header", [hashes[2]])));
  assert.equal(header.number, 2);
  const json = await node.rpc<HeaderJson>("chain_getHeader", [hashes[2]]);
  assert.equal(toHex(header.stateRoot), json.stateRoot);
  const block = await node.rpc<{ block: { extrinsics: string[] } }>("chain_getBlock", [hashes[2]]);
  assert.equal(block.block.extrinsics.length, 2, "the timestamp and the transfer");
  assert.deepEqual(await node.rpc("archive_v1_body", [hashes[2]]), block.block.extrinsics);
  const unknown = toHex(new Uint8Array(32).fill(9));
  assert.equal(await node.rpc("archive_v1_header", [unknown]), null);
  assert.equal(await node.rpc("archive_v1_body", [unknown]), null);

  // A fork beside block 36: both are at height 36 until finality picks one.
  const parent = node.client.block(fromHex(hashes[35]))!;
  // buildOn stamps block n at n slots; the dev node's blocks carry the clock's slots.
  const slot = BigInt(parent.header.number + 1) * 6000n;
  const late = Number(now(node.client.stateAt(parent.header)) + 6001n - slot);
  const fork = (await node.client.importBlock(buildOn(node.client, parent, { fork: late })))!
    .block;
  assert.deepEqual(
    (await node.rpc<string[]>("archive_v1_hashByHeight", [36])).sort(),
    [hashes[36], toHex(fork.hash)].sort(),
  );
  const forkHeader = await node.rpc<string>("archive_v1_header", [toHex(fork.hash)]);
  assert.equal(toHex(decodeHeader(fromHex(forkHeader)).parentHash), hashes[35]);
  await node.rpc("engine_finalizeBlock", [hashes[36]]);
  assert.deepEqual(await node.rpc("archive_v1_hashByHeight", [36]), [hashes[36]]);
  assert.equal(await node.rpc("archive_v1_finalizedHeight"), 36);

  await rejects(node, "archive_v1_hashByHeight", [-1]);
  await rejects(node, "archive_v1_hashByHeight", ["0x2"]);
  await rejects(node, "archive_v1_hashByHeight", []);
  await rejects(node, "archive_v1_header", ["0x1234"]);
  await rejects(node, "archive_v1_body", [42]);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("archive_v1_storage reads a balance as it was before and after a transfer, 38 blocks on", async () => {
  const { node, hashes } = await archiveChain();
  await using _ = node;
  await using ws = await WsClient.connect(node.url);
  /** The items read at block `n`, once the query is done. */
  const at = async (n: number, items: unknown[], childTrie: unknown = null) => {
    const events = await query(ws, "archive_v1_storage", [hashes[n], items, childTrie]);
    assert.deepEqual(events.at(-1), { event: "storageDone" });
    return events.slice(0, -1).map(({ event, ...item }) => {
      assert.equal(event, "storage");
      return item;
    });
  };

  const [before] = await at(1, [{ key: bobKey, type: "value" }]);
  const [after, hashed] = await at(2, [
    { key: bobKey, type: "value" },
    { key: bobKey, type: "hash" },
  ]);
  assert.equal(freeOf(after.value) - freeOf(before.value), 10n ** 12n, "one token");
  assert.equal(after.value, await node.rpc("state_getStorage", [bobKey, hashes[2]]));
  assert.deepEqual(hashed, {
    key: bobKey,
    hash: toHex(blake2_256(fromHex(after.value as string))),
  });

  // Descendants: every account as of block 2; pages resume after a key.
  const accounts = await at(2, [{ key: accountPrefix, type: "descendantsValues" }]);
  assert.ok(accounts.length >= 3, "the dev accounts");
  assert.ok(accounts.some((a) => a.key === bobKey && a.value === after.value));
  const keys = accounts.map((a) => a.key as string);
  assert.deepEqual(keys, [...keys].sort(), "in key order");
  const rest = await at(2, [
    { key: accountPrefix, type: "descendantsHashes", paginationStartKey: keys[0] },
  ]);
  assert.deepEqual(rest.map((a) => a.key), keys.slice(1));
  assert.deepEqual(
    rest.map((a) => a.hash),
    accounts.slice(1).map((a) => toHex(blake2_256(fromHex(a.value as string)))),
  );

  // The Merkle value under the accounts moved with the transfer; the root's is the state root.
  const merkle = (n: number) =>
    at(n, [{ key: accountPrefix, type: "closestDescendantMerkleValue" }, {
      key: "0x",
      type: "closestDescendantMerkleValue",
    }]);
  const [m1] = await merkle(1);
  const [m2, root] = await merkle(2);
  assert.notEqual(m1.closestDescendantMerkleValue, m2.closestDescendantMerkleValue);
  const json = await node.rpc<HeaderJson>("chain_getHeader", [hashes[2]]);
  assert.equal(root.closestDescendantMerkleValue, json.stateRoot);

  // Absent keys and child tries (Sutantra has none) yield nothing but done.
  assert.deepEqual(await at(2, [{ key: "0xdeadbeef", type: "value" }]), []);
  assert.deepEqual(await at(2, [{ key: bobKey, type: "value" }], "0x1234"), []);
  const unknown = await query(ws, "archive_v1_storage", [toHex(new Uint8Array(32)), [], null]);
  assert.equal(unknown.at(-1)!.event, "storageError");
  assert.match(unknown.at(-1)!.error as string, /not found/);

  // Bad params: a JSON-RPC error, and no subscription.
  for (
    const params of [
      [hashes[2], { key: bobKey, type: "value" }, null],
      [hashes[2], [{ key: bobKey, type: "values" }], null],
      [hashes[2], [{ key: "bob", type: "value" }], null],
      [hashes[2], [{ key: bobKey, type: "value", paginationStartKey: bobKey }], null],
      [hashes[2], [{ key: bobKey, type: "descendantsValues", paginationStartKey: 7 }], null],
      ["0x12", [], null],
      [hashes[2], [], "nope"],
    ]
  ) {
    const reply = await ws.call("archive_v1_storage", params);
    assert.equal(reply.error?.code, -32602, JSON.stringify(params));
  }
  assert.equal((await ws.call("archive_v1_stopStorage", ["nope"])).result, null);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("archive_v1_storageDiff shows the accounts a transfer changed, against the parent or an older ancestor", async () => {
  const { node, hashes } = await archiveChain();
  await using _ = node;
  await using ws = await WsClient.connect(node.url);
  const bobAfter = await node.rpc<string>("state_getStorage", [bobKey, hashes[2]]);
  const diff = async (n: number, items: unknown, previous: unknown = null) =>
    await query(ws, "archive_v1_storageDiff", [hashes[n], items, previous]);

  const accounts = await diff(2, [
    { key: accountPrefix, returnType: "value" },
    { key: bobKey, returnType: "hash" },
  ]);
  assert.equal(accounts.at(-1)!.event, "storageDiffDone");
  const bob = accounts.find((e) => e.key === bobKey);
  assert.deepEqual(bob, {
    event: "storageDiff",
    key: bobKey,
    type: "modified",
    value: bobAfter,
    hash: toHex(blake2_256(fromHex(bobAfter))),
  });
  const alice = accounts.find((e) => e.key === aliceKey)!;
  assert.equal(alice.type, "modified");
  assert.equal(alice.hash, undefined, "Alice's key is only under the value item");
  // The same from genesis; none from block 3's parent (an empty block).
  const fromGenesis = await diff(2, [{ key: bobKey, returnType: "value" }], hashes[0]);
  assert.deepEqual(fromGenesis.map((e) => e.event), ["storageDiff", "storageDiffDone"]);
  assert.deepEqual(
    (await diff(3, [{ key: accountPrefix, returnType: "value" }])).map((e) => e.event),
    ["storageDiffDone"],
  );
  // No items: every key, by value (the block number, the timestamp and more change).
  const all = await diff(2, undefined);
  assert.ok(all.some((e) => e.key === bobKey && e.value === bobAfter));
  assert.ok(all.length > 4);

  const notAncestor = await diff(2, [{ returnType: "value" }], hashes[3]);
  assert.deepEqual(notAncestor.map((e) => e.event), ["storageDiffError"]);
  assert.match(notAncestor[0].error as string, /not an ancestor/);
  const itself = await diff(2, [{ returnType: "value" }], hashes[2]);
  assert.deepEqual(itself.map((e) => e.event), ["storageDiffError"]);

  for (
    const params of [
      [hashes[2], [{ key: bobKey, returnType: "values" }], null],
      [hashes[2], [{ key: 5, returnType: "value" }], null],
      [hashes[2], [{ returnType: "value", childTrieKey: "x" }], null],
      [hashes[2], "all", null],
      [hashes[2], [], "0x12"],
    ]
  ) {
    const reply = await ws.call("archive_v1_storageDiff", params);
    assert.equal(reply.error?.code, -32602, JSON.stringify(params));
  }
  assert.equal((await ws.call("archive_v1_stopStorageDiff", ["nope"])).result, null);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("archive_v1_call runs a runtime API on an old block's state", async () => {
  const { node, hashes } = await archiveChain();
  await using _ = node;
  const nonce = async (n: number) => {
    const result = await node.rpc<{ success: boolean; value: string }>("archive_v1_call", [
      hashes[n],
      "AccountNonceApi_account_nonce",
      toHex(alice.publicKey),
    ]);
    assert.equal(result.success, true);
    return fromHex(result.value)[0];
  };
  assert.equal(await nonce(1), 0);
  assert.equal(await nonce(2), 1, "the transfer used nonce 0");
  const version = await node.rpc<{ success: boolean; value: string }>("archive_v1_call", [
    hashes[1],
    "Core_version",
    "",
  ]);
  assert.equal(version.success, true);
  assert.equal(
    version.value,
    await node.rpc("state_call", ["Core_version", "0x", hashes[1]]),
  );
  const unknown = await node.rpc<{ success: boolean; error: string }>("archive_v1_call", [
    hashes[1],
    "Nope_nothing",
    "0x",
  ]);
  assert.equal(unknown.success, false);
  assert.match(unknown.error, /Nope_nothing/);
  assert.equal(
    await node.rpc("archive_v1_call", [toHex(new Uint8Array(32)), "Core_version", "0x"]),
    null,
  );
  await rejects(node, "archive_v1_call", [hashes[1], 7, "0x"]);
  await rejects(node, "archive_v1_call", [hashes[1], "Core_version", "zz"]);
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("archive_v1_storage and storageDiff queries are bounded node-wide, and a finished one frees its slot", async () => {
  const { node, hashes } = await archiveChain({ archiveQueries: 1 });
  await using _ = node;
  await using ws = await WsClient.connect(node.url);
  const storage = (id: number) => ({
    jsonrpc: "2.0",
    id,
    method: "archive_v1_storage",
    params: [hashes[2], [{ key: accountPrefix, type: "descendantsValues" }], null],
  });
  // A batch runs in order within one task: the first query still runs when the second asks.
  ws.socket.send(JSON.stringify([storage(100), storage(101)]));
  const replies = await until("the batch", () => ws.log.find(Array.isArray)) as unknown as {
    id: number;
    result?: string;
    error?: { code: number };
  }[];
  assert.equal(typeof replies[0].result, "string");
  assert.equal(replies[1].error?.code, -32006);
  await until(
    "the first query's end",
    () => (ws.notifications(replies[0].result!) as Event[]).find((e) => e.event === "storageDone"),
  );
  const again = await query(ws, "archive_v1_storageDiff", [hashes[2], undefined, null]);
  assert.equal(again.at(-1)!.event, "storageDiffDone");
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("a node that prunes states or bodies serves no archive_v1 method", async () => {
  for (
    const pruning of [{ states: 256, blocks: "archive" }, {
      states: "archive",
      blocks: 64,
    }] as const
  ) {
    await using node = await startDevNode({ finality: false, pruning });
    const { methods } = await node.rpc<{ methods: string[] }>("rpc_methods");
    assert.deepEqual(methods.filter((m) => m.startsWith("archive_")), [], JSON.stringify(pruning));
    const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
    await rejects(node, "archive_v1_header", [genesis], -32601);
    await rejects(node, "archive_v1_finalizedHeight", [], -32601);
  }
  await using archive = await startDevNode({ finality: false, pruning: ARCHIVE });
  const served = (await archive.rpc<{ methods: string[] }>("rpc_methods")).methods
    .filter((m) => m.startsWith("archive_"));
  assert.deepEqual(served, [
    "archive_v1_body",
    "archive_v1_call",
    "archive_v1_finalizedHeight",
    "archive_v1_genesisHash",
    "archive_v1_hashByHeight",
    "archive_v1_header",
    "archive_v1_stopStorage",
    "archive_v1_stopStorageDiff",
    "archive_v1_storage",
    "archive_v1_storageDiff",
  ]);
});
