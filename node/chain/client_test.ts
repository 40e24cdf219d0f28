/**
 * The chain client's promises to whoever listens: a finalization that moves
 * the best block to another fork says so like an import would, and a
 * listener's failure never undoes a block already stored.
 */
import assert from "node:assert/strict";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { BestChange } from "./client.ts";
import { encodeBare } from "../../runtime/extrinsic/extrinsic.ts";
import { runtime } from "../../runtime/mod.ts";
import { buildOn, openTestChain } from "./_testing.ts";

const hashes = (blocks: { hash: Uint8Array }[]) => blocks.map((b) => toHex(b.hash));

Deno.test("finalizing a shorter fork re-orgs the best block and tells the best-chain listeners", async () => {
  await using chain = await openTestChain();
  const { client } = chain;
  const genesis = client.best;
  const a1 = (await client.importBlock(buildOn(client, genesis)))!.block;
  const a2 = (await client.importBlock(buildOn(client, a1)))!.block;
  const b1 = (await client.importBlock(buildOn(client, genesis, { fork: 1 })))!.block;
  assert.equal(client.best.hashHex, a2.hashHex, "the longer fork is best");

  const changes: BestChange[] = [];
  const heard: string[] = [];
  client.onBestChanged((change) => {
    changes.push(change);
    heard.push("best");
  });
  client.onFinalized(() => heard.push("finalized"));
  await client.finalize(b1.hash);

  assert.equal(client.best.hashHex, b1.hashHex);
  assert.equal(changes.length, 1);
  assert.equal(changes[0].cause, "finality");
  assert.equal(changes[0].best.hashHex, b1.hashHex);
  assert.deepEqual(hashes(changes[0].route.retracted), hashes([a2, a1]));
  assert.deepEqual(hashes(changes[0].route.enacted), hashes([b1]));
  assert.deepEqual(heard, ["best", "finalized"], "the new best is heard before it is final");
});

Deno.test("a listener that throws does not fail an import that is stored; the others still hear it", async () => {
  const logged: string[] = [];
  await using chain = await openTestChain({ log: { error: (line) => logged.push(line) } });
  const { client } = chain;
  client.onImported(() => {
    throw new Error("listener bug");
  });
  client.onBestChanged(() => Promise.reject(new Error("async listener bug")));
  const heard: string[] = [];
  client.onImported(({ block }) => heard.push(block.hashHex));

  const imported = await client.importBlock(buildOn(client, client.best));
  assert.ok(imported?.route, "importBlock resolves with the block made best");
  assert.equal(client.best.hashHex, imported.block.hashHex);
  assert.deepEqual(heard, [imported.block.hashHex]);
  assert.ok(await client.header(imported.block.hash), "the block is stored");
  await client.finalize(imported.block.hash);
  assert.equal(client.finalized.hashHex, imported.block.hashHex);
  // The rejection is caught a microtask later.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.ok(logged.some((line) => line.includes("listener bug")), logged.join("\n"));
  assert.ok(logged.some((line) => line.includes("async listener bug")), logged.join("\n"));
});

Deno.test("a block this node sealed is written before anyone hears of it; an imported one need not wait", async () => {
  // A validator killed after announcing its block, with the block's write still
  // queued, would restart without it and could seal another block in that slot.
  await using chain = await openTestChain();
  const { client, db } = chain;
  const order: string[] = [];
  const flush = db.flush.bind(db);
  db.flush = async () => {
    await flush();
    order.push("written");
  };
  client.onImported(() => void order.push("heard"));

  const builder = client.executive.buildBlock(client.best.header, []);
  builder.applyExtrinsic(
    encodeBare(runtime.encodeCall({ pallet: "Timestamp", call: "set", args: { now: 6000n } })),
  );
  const own = builder.finish();
  await client.importOwnBlock(own.header, own);
  assert.deepEqual(order, ["written", "heard"]);

  order.length = 0;
  await client.importBlock(buildOn(client, client.best));
  assert.deepEqual(order, ["heard"]);
});
