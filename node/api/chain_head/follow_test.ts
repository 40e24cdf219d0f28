/**
 * `chainHead_v1_*` over WebSocket against an in-process dev node sealing on
 * demand: the follow event stream, pinning and its limit, and the
 * operations on pinned blocks, as the JSON-RPC spec words them.
 */
import assert from "node:assert/strict";
import { decodeHeader } from "../../../runtime/block/header.ts";
import { blake2_256 } from "../../../runtime/primitives/hashing.ts";
import { fromHex, toHex } from "../../../runtime/primitives/hex.ts";
import { systemStorage } from "../../../pallets/system/mod.ts";
import { alice, type DevNode, startDevNode, until, WsClient } from "../_testing.ts";
import type { HeaderJson } from "../../../client/rpc/format.ts";

type Event = Record<string, unknown> & { event: string };

/** Follows with `withRuntime` and returns the id and a reader of its events. */
async function follow(ws: WsClient, withRuntime = true) {
  const id = await ws.subscribe("chainHead_v1_follow", [withRuntime]);
  const events = () => ws.notifications(id) as Event[];
  /** Waits for the first event after `from` matching `match`. */
  const next = (what: string, match: (e: Event) => boolean, from = 0) =>
    until(what, () => events().slice(from).find(match));
  return { id, events, next };
}

async function createBlock(node: DevNode): Promise<string> {
  return (await node.rpc<{ hash: string }>("engine_createBlock", [true, false])).hash;
}

async function result<T = unknown>(ws: WsClient, method: string, params: unknown[]): Promise<T> {
  const reply = await ws.call(method, params);
  assert.equal(reply.error, undefined, `${method}: ${JSON.stringify(reply.error)}`);
  return reply.result as T;
}

Deno.test("chainHead_v1_follow reports new, best and finalized blocks and serves the pinned ones", async () => {
  await using node = await startDevNode({ finality: false });
  await using ws = await WsClient.connect(node.url);
  const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
  const { id, events, next } = await follow(ws);
  const initialized = await next("initialized", (e) => e.event === "initialized");
  assert.deepEqual(initialized.finalizedBlockHashes, [genesis]);
  const runtime = initialized.finalizedBlockRuntime as { type: string; spec: { specName: string } };
  assert.equal(runtime.type, "valid");
  assert.equal(
    runtime.spec.specName,
    (await node.rpc<{ specName: string }>("state_getRuntimeVersion")).specName,
  );
  await next("the first best block", (e) => e.event === "bestBlockChanged");

  const b1 = await createBlock(node);
  const b2 = await createBlock(node);
  await next("best block 2", (e) => e.event === "bestBlockChanged" && e.bestBlockHash === b2);
  assert.deepEqual(events().map((e) => [e.event, e.blockHash ?? e.bestBlockHash]), [
    ["initialized", undefined],
    ["bestBlockChanged", genesis],
    ["newBlock", b1],
    ["bestBlockChanged", b1],
    ["newBlock", b2],
    ["bestBlockChanged", b2],
  ]);
  assert.deepEqual(events()[2], {
    event: "newBlock",
    blockHash: b1,
    parentBlockHash: genesis,
    newRuntime: null,
  });

  // header: the SCALE header of chain_getHeader's block.
  const header = decodeHeader(fromHex(await result<string>(ws, "chainHead_v1_header", [id, b1])));
  const json = await node.rpc<HeaderJson>("chain_getHeader", [b1]);
  assert.equal(toHex(header.stateRoot), json.stateRoot);
  assert.equal(header.number, 1);

  // body: started, then the extrinsics chain_getBlock has.
  const body = await result<{ result: string; operationId: string }>(ws, "chainHead_v1_body", [
    id,
    b2,
  ]);
  assert.equal(body.result, "started");
  const done = await next("the body", (e) => e.operationId === body.operationId);
  const block = await node.rpc<{ block: { extrinsics: string[] } }>("chain_getBlock", [b2]);
  assert.deepEqual(done, {
    event: "operationBodyDone",
    operationId: body.operationId,
    value: block.block.extrinsics,
  });

  // storage: value, hash, a Merkle value and an absent key, then done.
  const aliceKey = toHex(systemStorage.Account.keyOf(alice.publicKey));
  const aliceValue = await node.rpc<string>("state_getStorage", [aliceKey, b2]);
  const storage = await result<{ result: string; operationId: string; discardedItems: number }>(
    ws,
    "chainHead_v1_storage",
    [id, b2, [
      { key: aliceKey, type: "value" },
      { key: aliceKey, type: "hash" },
      { key: "0x", type: "closestDescendantMerkleValue" },
      { key: "0xdeadbeef", type: "value" },
    ], null],
  );
  assert.equal(storage.result, "started");
  assert.equal(storage.discardedItems, 0);
  await next("storage done", (e) => e.event === "operationStorageDone");
  const items = events().filter((e) => e.operationId === storage.operationId);
  assert.deepEqual(items.map((e) => e.event), ["operationStorageItems", "operationStorageDone"]);
  assert.deepEqual(items[0].items, [
    { key: aliceKey, value: aliceValue },
    { key: aliceKey, hash: toHex(blake2_256(fromHex(aliceValue))) },
    // The Merkle value of the root is the state root itself.
    {
      key: "0x",
      closestDescendantMerkleValue: (await node.rpc<HeaderJson>("chain_getHeader", [b2])).stateRoot,
    },
  ]);

  // call: a runtime API at the block, and one the runtime does not have.
  const call = await result<{ operationId: string }>(ws, "chainHead_v1_call", [
    id,
    b2,
    "Core_version",
    "0x",
  ]);
  const version = await next("Core_version", (e) => e.operationId === call.operationId);
  assert.equal(version.event, "operationCallDone");
  assert.match(version.output as string, /^0x([0-9a-f]{2}){10,}$/, "a SCALE RuntimeVersion");
  // No input may come as "", as polkadot-api sends it: the same answer.
  const empty = await result<{ operationId: string }>(ws, "chainHead_v1_call", [
    id,
    b2,
    "Core_version",
    "",
  ]);
  const again = await next('Core_version with ""', (e) => e.operationId === empty.operationId);
  assert.equal(again.output, version.output);
  const bad = await result<{ operationId: string }>(ws, "chainHead_v1_call", [
    id,
    b2,
    "Nope_nothing",
    "0x",
  ]);
  const failed = await next("a failed call", (e) => e.operationId === bad.operationId);
  assert.equal(failed.event, "operationError");
  assert.match(failed.error as string, /Nope_nothing/);

  // finalized: both blocks, nothing pruned.
  await node.rpc("engine_finalizeBlock", [b2]);
  const finalized = await next("finalized", (e) => e.event === "finalized");
  assert.deepEqual(finalized, {
    event: "finalized",
    finalizedBlockHashes: [b1, b2],
    prunedBlockHashes: [],
  });

  // unpin: all or none; an unpinned block is no longer served.
  assert.equal((await ws.call("chainHead_v1_unpin", [id, [genesis, genesis]])).error?.code, -32804);
  assert.equal(await result(ws, "chainHead_v1_unpin", [id, [genesis, b1]]), null);
  assert.equal((await ws.call("chainHead_v1_unpin", [id, [b1, b2]])).error?.code, -32801);
  assert.equal((await ws.call("chainHead_v1_header", [id, b1])).error?.code, -32801);
  assert.equal((await ws.call("chainHead_v1_body", [id, genesis])).error?.code, -32801);
  assert.match(await result<string>(ws, "chainHead_v1_header", [id, b2]), /^0x/, "b2 still pinned");

  // A follow nobody has: header null, operations limitReached, unpin ignored.
  assert.equal(await result(ws, "chainHead_v1_header", ["nope", b2]), null);
  assert.deepEqual(await result(ws, "chainHead_v1_body", ["nope", b2]), { result: "limitReached" });
  assert.equal(await result(ws, "chainHead_v1_unpin", ["nope", b2]), null);
  assert.equal((await ws.call("chainHead_v1_header", [id, "0x12"])).error?.code, -32602);

  assert.equal(await result(ws, "chainHead_v1_unfollow", [id]), null);
  assert.equal(await result(ws, "chainHead_v1_header", [id, b2]), null);
  assert.equal(await result(ws, "chainHead_v1_unfollow", [id]), null, "unknown: null too");
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("chainHead_v1_follow refuses a connection more follows than its limit with -32800", async () => {
  await using node = await startDevNode({
    finality: false,
    followLimits: { maxFollowsPerConnection: 2 },
  });
  await using ws = await WsClient.connect(node.url);
  const first = await follow(ws);
  await follow(ws);
  const refused = await ws.call("chainHead_v1_follow", [false]);
  assert.equal(refused.error?.code, -32800, JSON.stringify(refused));
  // Another connection has its own allowance; an unfollow frees one here.
  await using other = await WsClient.connect(node.url);
  await follow(other);
  assert.equal(await result(ws, "chainHead_v1_unfollow", [first.id]), null);
  const again = await follow(ws);
  await again.next("initialized", (e) => e.event === "initialized");
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("chainHead_v1_storage pages descendants behind chainHead_v1_continue and bounds operations", async () => {
  await using node = await startDevNode({
    finality: false,
    followLimits: { storageItemsPerStep: 2, maxOperations: 3 },
  });
  await using ws = await WsClient.connect(node.url);
  const { id, events, next } = await follow(ws, false);
  const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
  await next("initialized", (e) => e.event === "initialized");
  const prefix = toHex(systemStorage.Account.keyOf(alice.publicKey).subarray(0, 32));
  const accounts = await node.rpc<string[]>("state_getKeysPaged", [prefix, 100, null, genesis]);
  assert.ok(accounts.length > 2, "enough accounts for two pages");

  const op = await result<{ operationId: string }>(ws, "chainHead_v1_storage", [
    id,
    genesis,
    [{ key: prefix, type: "descendantsHashes" }],
  ]);
  const mine = () => events().filter((e) => e.operationId === op.operationId);
  await next("waiting", (e) => e.event === "operationWaitingForContinue");
  assert.deepEqual(mine().map((e) => e.event), [
    "operationStorageItems",
    "operationWaitingForContinue",
  ]);
  assert.equal((mine()[0].items as unknown[]).length, 2);
  // Three slots: one is taken, so a storage call of three items keeps two.
  const partial = await result<{ discardedItems: number }>(ws, "chainHead_v1_storage", [
    id,
    genesis,
    [{ key: prefix, type: "value" }, { key: prefix, type: "value" }, {
      key: prefix,
      type: "value",
    }],
  ]);
  assert.equal(partial.discardedItems, 1);
  await until(
    "the partial query done",
    () => events().filter((e) => e.event === "operationStorageDone").length === 1 || undefined,
  );
  for (;;) {
    const last = mine().at(-1)!;
    if (last.event === "operationStorageDone") break;
    if (last.event === "operationWaitingForContinue") {
      assert.equal(await result(ws, "chainHead_v1_continue", [id, op.operationId]), null);
      assert.equal(
        (await ws.call("chainHead_v1_continue", [id, op.operationId])).error?.code ?? -32803,
        -32803,
      );
    }
    await until("the next page", () => mine().at(-1) !== last || undefined);
  }
  const keys = mine().flatMap((e) => (e.items as { key: string }[] | undefined) ?? []).map((i) =>
    i.key
  );
  assert.deepEqual(keys, accounts);

  // withRuntime false: no call.
  assert.equal(
    (await ws.call("chainHead_v1_call", [id, genesis, "Core_version", "0x"])).error?.code,
    -32802,
  );
  // Every slot taken: limitReached until one is stopped.
  const held = [];
  for (let i = 0; i < 3; i++) {
    held.push(
      await result<{ result: string; operationId: string }>(ws, "chainHead_v1_storage", [
        id,
        genesis,
        [{ key: prefix, type: "descendantsValues" }],
      ]),
    );
  }
  assert.ok(held.every((h) => h.result === "started"));
  assert.deepEqual(await result(ws, "chainHead_v1_body", [id, genesis]), {
    result: "limitReached",
  });
  for (const h of held) {
    assert.equal(await result(ws, "chainHead_v1_stopOperation", [id, h.operationId]), null);
  }
  assert.equal(
    (await result<{ result: string }>(ws, "chainHead_v1_body", [id, genesis])).result,
    "started",
  );
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("chainHead_v1_follow is stopped once it holds more finalized pins than its limit", async () => {
  await using node = await startDevNode({ finality: false, followLimits: { maxPinnedBlocks: 3 } });
  await using ws = await WsClient.connect(node.url);
  const { id, events, next } = await follow(ws);
  await next("initialized", (e) => e.event === "initialized");
  // Genesis and two finalized blocks: three pins, at the limit.
  for (let n = 1; n <= 2; n++) await node.rpc("engine_finalizeBlock", [await createBlock(node)]);
  await until(
    "two finalized",
    () => events().filter((e) => e.event === "finalized").length === 2 || undefined,
  );
  assert.equal(events().some((e) => e.event === "stop"), false);
  await node.rpc("engine_finalizeBlock", [await createBlock(node)]);
  await next("stop", (e) => e.event === "stop");
  assert.equal(events().at(-1)!.event, "stop");
  assert.equal(
    await result(ws, "chainHead_v1_header", [id, await node.rpc("chain_getBlockHash", [1])]),
    null,
  );
  await createBlock(node);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(events().at(-1)!.event, "stop", "nothing after stop");
  assert.deepEqual(node.internalErrors, []);
});

Deno.test("chainHead_v1_follow follows 100 blocks when its client unpins what is finalized", async () => {
  await using node = await startDevNode({ finality: false, followLimits: { maxPinnedBlocks: 4 } });
  await using ws = await WsClient.connect(node.url);
  const { id, events, next } = await follow(ws);
  const initialized = await next("initialized", (e) => e.event === "initialized");
  let current = (initialized.finalizedBlockHashes as string[]).at(-1)!;
  let seen = 0;
  for (let n = 1; n <= 100; n++) {
    const hash = await createBlock(node);
    if (n % 3 === 0 || n === 100) await node.rpc("engine_finalizeBlock", [hash]);
    // As the spec's guide says: on `finalized`, unpin the old current, all but
    // the last finalized, and the pruned.
    for (const e of events().slice(seen)) {
      seen++;
      if (e.event !== "finalized") continue;
      const finalized = e.finalizedBlockHashes as string[];
      const unpin = [current, ...finalized.slice(0, -1), ...(e.prunedBlockHashes as string[])];
      assert.equal(await result(ws, "chainHead_v1_unpin", [id, unpin]), null);
      current = finalized.at(-1)!;
    }
  }
  const last = await node.rpc<string>("chain_getBlockHash", [100]);
  await next(
    "block 100 finalized",
    (e) => e.event === "finalized" && (e.finalizedBlockHashes as string[]).includes(last),
  );
  assert.equal(events().some((e) => e.event === "stop"), false);
  assert.equal(events().filter((e) => e.event === "newBlock").length, 100);
  assert.match(await result<string>(ws, "chainHead_v1_header", [id, last]), /^0x/);
  assert.deepEqual(node.internalErrors, []);
});
