/**
 * What a paid era leaves (its counted receipts, the credits of channels
 * closed since) is cleared a bounded number of entries per block, however
 * much there is: the payout block does not grow with it.
 */
import assert from "node:assert/strict";
import { dev, type TestExt } from "../../runtime/testing/mod.ts";
import { carry, liveStream, newExt, pay, register, toEra } from "./_mock.ts";
import { MAX_CLEANUP_PER_BLOCK } from "./_cleanup.ts";
import { qosRewardsStorage as storage } from "./mod.ts";

const key = (i: number) => new Uint8Array(32).fill(7).map((b, j) => j < 2 ? i >> (8 * j) & 255 : b);

const counted = (ext: TestExt, era: number) =>
  [...storage.CountedReceipts.entriesOf(ext.state, era)].length;

const credits = (ext: TestExt) => [...storage.CreditedSeconds.entries(ext.state)];

Deno.test("attack: a paid era's counted receipts are cleared at most 512 per block", () => {
  const ext = newExt();
  const total = 2 * MAX_CLEANUP_PER_BLOCK + 10;
  for (let i = 0; i < total; i++) {
    storage.CountedReceipts.set(ext.state, 0, [key(1), BigInt(i), key(i)], {
      seconds: 60,
      bytes: 60_000n,
    });
  }
  toEra(ext, 1);
  assert.equal(counted(ext, 0), total - MAX_CLEANUP_PER_BLOCK);
  assert.deepEqual(storage.StaleReceiptEras.get(ext.state), [0]);
  ext.nextBlock();
  assert.equal(counted(ext, 0), 10);
  ext.nextBlock();
  assert.equal(counted(ext, 0), 0);
  assert.deepEqual(storage.StaleReceiptEras.get(ext.state), []);
  assert.equal(storage.CreditSweep.get(ext.state), undefined);
});

Deno.test("attack: the credits of closed channels are swept at most 512 per block; open ones stay", () => {
  const ext = newExt();
  register(ext, dev.bob);
  const stream = liveStream(ext, dev.eve, 1_000n);
  carry(ext, dev.bob, stream);
  const open = pay(ext, dev.charlie, dev.bob, stream, 10);
  storage.CreditedSeconds.set(ext.state, [open, dev.bob.publicKey], 10n);
  // Credits of channels that are gone (no channel has these ids).
  const closed = MAX_CLEANUP_PER_BLOCK + 10;
  for (let i = 0; i < closed; i++) {
    storage.CreditedSeconds.set(ext.state, [1_000n + BigInt(i), key(i)], 1n);
  }

  toEra(ext, 1);
  const removed = closed + 1 - credits(ext).length;
  assert.ok(removed <= MAX_CLEANUP_PER_BLOCK && removed >= MAX_CLEANUP_PER_BLOCK - 1, `${removed}`);
  assert.ok(storage.CreditSweep.get(ext.state), "the sweep goes on in the next block");
  ext.nextBlock();
  assert.deepEqual(credits(ext).map(([k]) => k[0]), [open]);
  assert.equal(storage.CreditSweep.get(ext.state), undefined);
});

Deno.test("the credit sweep starts once per payout and resumes where it stopped", () => {
  const ext = newExt();
  for (let i = 0; i < 3 * MAX_CLEANUP_PER_BLOCK; i++) {
    storage.CreditedSeconds.set(ext.state, [1_000n + BigInt(i), key(i)], 1n);
  }
  toEra(ext, 1);
  ext.nextBlock();
  assert.equal(credits(ext).length, MAX_CLEANUP_PER_BLOCK);
  ext.nextBlock();
  assert.equal(credits(ext).length, 0);
  // A full budget's worth seen: the next block finds the end and stops.
  assert.ok(storage.CreditSweep.get(ext.state));
  ext.nextBlock();
  assert.equal(storage.CreditSweep.get(ext.state), undefined);
});
