import assert from "node:assert/strict";
import { encodeBare, extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { runtime } from "../../runtime/mod.ts";
import { dev } from "../../runtime/testing/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { PoolError, PoolErrorCode } from "./errors.ts";
import { record, remark, setup, types } from "./_testing.ts";

function rejects(fn: () => unknown, code: number, data?: string): PoolError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof PoolError, `expected a PoolError, got ${caught}`);
  assert.equal(caught.code, code);
  if (data !== undefined) assert.equal(caught.data, data);
  return caught;
}

Deno.test("submit() holds a nonce gap as future and promotes it when the gap is filled", () => {
  const { ext, pool } = setup();
  const second = remark(ext, dev.alice, { nonce: 1 });
  assert.equal(pool.submit(second, ext.parent).status, "future");
  assert.deepEqual(pool.status(), { ready: 0, future: 1, bytes: second.length });
  assert.deepEqual(pool.pending(), []);
  const first = remark(ext, dev.alice, { nonce: 0 });
  assert.equal(pool.submit(first, ext.parent).status, "ready");
  assert.equal(pool.status().ready, 2);
  assert.equal(pool.status().future, 0);
  assert.deepEqual(pool.pending(), [first, second]);
});

Deno.test("submit() replaces a same-nonce transaction only for a strictly higher tip", () => {
  const { ext, pool } = setup();
  const low = remark(ext, dev.alice, { tip: 10n });
  const { hash } = pool.submit(low, ext.parent);
  const seen = record(pool, hash);
  rejects(
    () => pool.submit(remark(ext, dev.alice, { tip: 10n }), ext.parent),
    PoolErrorCode.TooLowPriority,
    "(10 vs 10)",
  );
  rejects(() => pool.submit(remark(ext, dev.alice, { tip: 3n }), ext.parent), 1014);
  assert.deepEqual(pool.pending(), [low]);
  const high = remark(ext, dev.alice, { tip: 11n });
  assert.equal(pool.submit(high, ext.parent).status, "ready");
  assert.deepEqual(pool.pending(), [high]);
  assert.deepEqual(types(seen), ["ready", "usurped"]);
  assert.deepEqual(seen[1], { type: "usurped", by: extrinsicHash(high) });
});

Deno.test("submit() refuses a bad signature with Substrate's words and bans it", () => {
  const { ext, pool, clock } = setup();
  const forged = remark(ext, dev.alice, { genesisHash: new Uint8Array(32).fill(7) });
  const e = rejects(
    () => pool.submit(forged, ext.parent),
    PoolErrorCode.InvalidTransaction,
    "Transaction has a bad signature",
  );
  assert.equal(e.message, "Invalid Transaction");
  assert.deepEqual(pool.status(), { ready: 0, future: 0, bytes: 0 });
  const banned = rejects(() => pool.submit(forged, ext.parent), PoolErrorCode.TemporarilyBanned);
  assert.equal(banned.message, "Transaction is temporarily banned");
  clock.now += 60_000;
  rejects(() => pool.submit(forged, ext.parent), 1010, "Transaction has a bad signature");
});

Deno.test("submit() refuses a stale nonce and an unfunded signer as invalid", () => {
  const { ext, pool } = setup();
  ext.applyExtrinsic(remark(ext, dev.alice));
  ext.nextBlock();
  rejects(
    () => pool.submit(remark(ext, dev.alice, { nonce: 0 }), ext.parent),
    1010,
    "Transaction is outdated",
  );
  rejects(
    () => pool.submit(remark(ext, keypairFromUri("//Nobody")), ext.parent),
    1010,
    "Inability to pay some fees (e.g. account balance too low)",
  );
});

Deno.test("submit() reports an unsigned extrinsic as of unknown validity, not banned", () => {
  const { ext, pool } = setup();
  const bare = encodeBare(
    runtime.encodeCall({ pallet: "System", call: "remark", args: { remark: new Uint8Array() } }),
  );
  const e = rejects(() => pool.submit(bare, ext.parent), PoolErrorCode.UnknownValidity);
  assert.equal(e.message, "Unknown Transaction Validity");
  assert.equal(e.data, "Could not find an unsigned validator for the unsigned transaction");
  rejects(() => pool.submit(bare, ext.parent), PoolErrorCode.UnknownValidity);
});

Deno.test("submit() refuses a transaction already in the pool", () => {
  const { ext, pool } = setup();
  const tx = remark(ext, dev.alice);
  pool.submit(tx, ext.parent);
  const e = rejects(() => pool.submit(tx, ext.parent), PoolErrorCode.AlreadyImported);
  assert.equal(e.message, "Transaction Already Imported");
  assert.equal(e.data, toHex(extrinsicHash(tx)));
});

Deno.test("ready() orders by nonce within an account and by tip across accounts", () => {
  const { ext, pool } = setup();
  const a0 = remark(ext, dev.alice, { nonce: 0 });
  const a1 = remark(ext, dev.alice, { nonce: 1, tip: 50n });
  const a2 = remark(ext, dev.alice, { nonce: 2 });
  const b0 = remark(ext, dev.bob, { tip: 10n });
  const c0 = remark(ext, dev.charlie, { nonce: 0, tip: 5n });
  const c1 = remark(ext, dev.charlie, { nonce: 1, tip: 100n });
  for (const tx of [a2, c1, a1, b0, a0, c0]) pool.submit(tx, ext.parent);
  // b0 (10) before c0 (5); c0 unlocks c1 (100); alice's chain last, in nonce order.
  assert.deepEqual(pool.pending(), [b0, c0, c1, a0, a1, a2]);
  const ready = pool.ready();
  assert.deepEqual(ready.map((t) => t.priority), [10n, 5n, 100n, 0n, 50n, 0n]);
  assert.deepEqual(ready[4].requires, [ready[3].provides[0]]);
  assert.equal(ready[0].propagate, true);
});

Deno.test("limits evict the lowest priority, futures first, and refuse a newcomer that ranks last", () => {
  const { ext, pool } = setup({ maxReady: 2, maxFuture: 1 });
  const a = remark(ext, dev.alice, { tip: 10n });
  const b = remark(ext, dev.bob, { tip: 5n });
  pool.submit(a, ext.parent);
  const seenB = record(pool, pool.submit(b, ext.parent).hash);
  const c = remark(ext, dev.charlie, { tip: 20n });
  pool.submit(c, ext.parent);
  assert.deepEqual(types(seenB), ["ready", "dropped"]);
  assert.deepEqual(pool.pending(), [c, a]);
  const d = remark(ext, dev.dave, { tip: 1n });
  rejects(() => pool.submit(d, ext.parent), PoolErrorCode.ImmediatelyDropped);
  rejects(() => pool.submit(b, ext.parent), PoolErrorCode.TemporarilyBanned);

  const f1 = remark(ext, dev.eve, { nonce: 1, tip: 1n });
  const f2 = remark(ext, dev.ferdie, { nonce: 1, tip: 2n });
  const seenF1 = record(pool, pool.submit(f1, ext.parent).hash);
  pool.submit(f2, ext.parent);
  assert.deepEqual(types(seenF1), ["future", "dropped"]);
  assert.deepEqual(pool.status(), { ready: 2, future: 1, bytes: a.length + c.length + f2.length });
});

Deno.test("a byte limit evicts futures before ready transactions", () => {
  const probe = setup();
  const size = remark(probe.ext, dev.alice).length;
  const { ext, pool } = setup({ maxBytes: 2 * size });
  const future = remark(ext, dev.bob, { nonce: 1, tip: 100n });
  const seen = record(pool, pool.submit(future, ext.parent).hash);
  pool.submit(remark(ext, dev.alice), ext.parent);
  pool.submit(remark(ext, dev.charlie), ext.parent);
  assert.deepEqual(types(seen), ["future", "dropped"]);
  assert.deepEqual(pool.status(), { ready: 2, future: 0, bytes: 2 * size });
});

Deno.test("onImported() announces transactions as they become ready", () => {
  const { ext, pool } = setup();
  const heard: Uint8Array[] = [];
  const stop = pool.onImported((hash) => heard.push(hash));
  const second = remark(ext, dev.alice, { nonce: 1 });
  pool.submit(second, ext.parent);
  assert.equal(heard.length, 0);
  const first = remark(ext, dev.alice, { nonce: 0 });
  pool.submit(first, ext.parent);
  assert.deepEqual(heard, [extrinsicHash(first), extrinsicHash(second)]);
  stop();
  pool.submit(remark(ext, dev.bob), ext.parent);
  assert.equal(heard.length, 2);
});

Deno.test("remove() takes transactions out as invalid and bans them", () => {
  const { ext, pool } = setup();
  const tx = remark(ext, dev.alice);
  const { hash } = pool.submit(tx, ext.parent);
  const seen = record(pool, hash);
  assert.deepEqual(pool.remove([hash, new Uint8Array(32)]), [hash]);
  assert.deepEqual(types(seen), ["ready", "invalid"]);
  assert.equal(pool.has(hash), false);
  rejects(() => pool.submit(tx, ext.parent), PoolErrorCode.TemporarilyBanned);
});
