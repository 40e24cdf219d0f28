import assert from "node:assert/strict";
import { blockHash } from "../../runtime/block/header.ts";
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import { mortal } from "../../runtime/extrinsic/era.ts";
import { dev } from "../../runtime/testing/mod.ts";
import { PoolError, PoolErrorCode } from "./errors.ts";
import { FINALITY_TIMEOUT_BLOCKS } from "./pool.ts";
import { includeAll, record, remark, setup, types } from "./_testing.ts";

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof PoolError) return e.code;
    throw e;
  }
  return undefined;
}

Deno.test("onNewBest() removes included transactions and keeps the rest ready", () => {
  const { ext, pool } = setup();
  const a0 = remark(ext, dev.alice, { nonce: 0 });
  const a1 = remark(ext, dev.alice, { nonce: 1 });
  const b0 = remark(ext, dev.bob);
  for (const tx of [a0, a1, b0]) pool.submit(tx, ext.parent);
  const seen0 = record(pool, extrinsicHash(a0));
  const seen1 = record(pool, extrinsicHash(a1));
  const block = includeAll(ext, [a0]);
  pool.onNewBest(block.header, block.included);
  assert.deepEqual(pool.pending(), [a1, b0]);
  assert.deepEqual(seen0, [{ type: "ready" }, { type: "inBlock", blockHash: block.hash }]);
  assert.deepEqual(types(seen1), ["ready"]);
  // a1 no longer waits on a pool transaction: the chain provides its nonce.
  assert.deepEqual(pool.ready()[0].requires, []);
  // Gossip cannot bring an included transaction back.
  assert.equal(code(() => pool.submit(a0, ext.parent)), PoolErrorCode.TemporarilyBanned);
});

Deno.test("onNewBest() removes a transaction made stale by a block from elsewhere as invalid", () => {
  const { ext, pool } = setup();
  const ours = remark(ext, dev.alice, { nonce: 0 });
  const next = remark(ext, dev.alice, { nonce: 1 });
  pool.submit(ours, ext.parent);
  pool.submit(next, ext.parent);
  const seen = record(pool, extrinsicHash(ours));
  const theirs = remark(ext, dev.alice, { nonce: 0, tip: 1n });
  const block = includeAll(ext, [theirs]);
  pool.onNewBest(block.header, block.included);
  assert.deepEqual(types(seen), ["ready", "invalid"]);
  assert.deepEqual(pool.pending(), [next]);
  assert.equal(code(() => pool.submit(ours, ext.parent)), PoolErrorCode.TemporarilyBanned);
});

Deno.test("onNewBest() promotes a future transaction whose gap a block filled", () => {
  const { ext, pool } = setup();
  const a1 = remark(ext, dev.alice, { nonce: 1 });
  const seen = record(pool, pool.submit(a1, ext.parent).hash);
  const block = includeAll(ext, [remark(ext, dev.alice, { nonce: 0 })]);
  pool.onNewBest(block.header, block.included);
  assert.deepEqual(types(seen), ["future", "ready"]);
  assert.deepEqual(pool.status(), { ready: 1, future: 0, bytes: a1.length });
});

Deno.test("onNewBest() drops a transaction whose era has ended", () => {
  const { ext, pool } = setup();
  const tx = remark(ext, dev.alice, { era: mortal(4, ext.blockNumber - 1) });
  const seen = record(pool, pool.submit(tx, ext.parent).hash);
  for (let i = 0; i < 4 && pool.has(extrinsicHash(tx)); i++) {
    const block = includeAll(ext, []);
    pool.onNewBest(block.header, block.included);
  }
  assert.deepEqual(types(seen), ["ready", "dropped"]);
  assert.equal(pool.status().ready, 0);
});

Deno.test("a watcher hears future, ready, broadcast, inBlock and finalized, then nothing", () => {
  const { ext, pool } = setup();
  const a1 = remark(ext, dev.alice, { nonce: 1 });
  const hash = pool.submit(a1, ext.parent).hash;
  const seen = record(pool, hash);
  const a0 = remark(ext, dev.alice, { nonce: 0 });
  pool.submit(a0, ext.parent);
  pool.markBroadcast(hash, ["peer-1", "peer-2"]);
  const block = includeAll(ext, [a0, a1]);
  pool.onNewBest(block.header, block.included);
  pool.onFinalized([block.hash]);
  pool.onFinalized([block.hash]);
  assert.deepEqual(seen, [
    { type: "future" },
    { type: "ready" },
    { type: "broadcast", peers: ["peer-1", "peer-2"] },
    { type: "inBlock", blockHash: block.hash },
    { type: "finalized", blockHash: block.hash },
  ]);
});

Deno.test("watch() replays the current status and refuses an unknown hash", () => {
  const { ext, pool } = setup();
  const tx = remark(ext, dev.alice);
  const { hash } = pool.submit(tx, ext.parent);
  pool.markBroadcast(hash, ["peer"]);
  const seen = record(pool, hash);
  assert.deepEqual(types(seen), ["ready", "broadcast"]);
  assert.throws(() => pool.watch(new Uint8Array(32), () => {}), RangeError);
  const block = includeAll(ext, [tx]);
  pool.onNewBest(block.header, block.included);
  assert.deepEqual(record(pool, hash), [{ type: "inBlock", blockHash: block.hash }]);
});

Deno.test("a retracted block's transactions re-enter the pool at the next best block", () => {
  const { ext, pool } = setup();
  const genesis = ext.parent;
  const tx = remark(ext, dev.alice);
  const { hash } = pool.submit(tx, ext.parent);
  const seen = record(pool, hash);
  const block = includeAll(ext, [tx]);
  pool.onNewBest(block.header, block.included);
  assert.equal(pool.has(hash), false);

  // A re-org back to genesis: the block (timestamp inherent included) is retracted.
  pool.onRetracted(block.hash, block.body);
  pool.onNewBest(genesis, []);
  assert.deepEqual(pool.pending(), [tx]);
  // And forward again: included once more, then finalized.
  pool.onNewBest(block.header, block.included);
  pool.onFinalized([block.hash]);
  assert.deepEqual(seen, [
    { type: "ready" },
    { type: "inBlock", blockHash: block.hash },
    { type: "retracted", blockHash: block.hash },
    { type: "ready" },
    { type: "inBlock", blockHash: block.hash },
    { type: "finalized", blockHash: block.hash },
  ]);
  assert.deepEqual(pool.status(), { ready: 0, future: 0, bytes: 0 });
});

Deno.test("a retracted transaction loses to a better one that took its nonce meanwhile", () => {
  const { ext, pool } = setup();
  const genesis = ext.parent;
  const tx = remark(ext, dev.alice);
  const seen = record(pool, pool.submit(tx, ext.parent).hash);
  const block = includeAll(ext, [tx]);
  pool.onNewBest(block.header, block.included);
  pool.onRetracted(block.hash, block.body);
  pool.onNewBest(genesis, []);
  const better = remark(ext, dev.alice, { nonce: 0, tip: 9n });
  pool.submit(better, genesis);
  assert.deepEqual(pool.pending(), [better]);
  assert.deepEqual(types(seen), ["ready", "inBlock", "retracted", "ready", "usurped"]);
});

Deno.test("an unfinalized inclusion ends its watch with finalityTimeout", () => {
  const { ext, pool } = setup();
  const tx = remark(ext, dev.alice);
  const seen = record(pool, pool.submit(tx, ext.parent).hash);
  const block = includeAll(ext, [tx]);
  pool.onNewBest(block.header, block.included);
  const later = { ...block.header, number: block.header.number + FINALITY_TIMEOUT_BLOCKS };
  pool.onNewBest(later, []);
  assert.deepEqual(types(seen), ["ready", "inBlock", "finalityTimeout"]);
  assert.notDeepEqual(blockHash(later), block.hash);
});

Deno.test("a throwing listener neither breaks the pool nor silences other listeners", () => {
  const { ext, pool } = setup();
  const tx = remark(ext, dev.alice);
  const { hash } = pool.submit(tx, ext.parent);
  pool.watch(hash, () => {
    throw new Error("listener bug");
  });
  const seen = record(pool, hash);
  // A listener may call back into the pool: statuses arrive after the change is complete.
  pool.watch(hash, (s) => {
    if (s.type === "inBlock") assert.equal(pool.has(hash), false);
  });
  const block = includeAll(ext, [tx]);
  pool.onNewBest(block.header, block.included);
  assert.deepEqual(types(seen), ["ready", "inBlock"]);
});
