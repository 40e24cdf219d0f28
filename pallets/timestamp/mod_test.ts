/**
 * Behaviour tests of the timestamp pallet: the `set` inherent (unsigned
 * only, at least `MinimumPeriod` after the parent's time, once per block)
 * and the rule that every block carries it.
 *
 * The harness puts `set(GENESIS_TIME_MS + 6000 × number)` first in each
 * block it opens; tests that need a block without it, or with another time,
 * build one beside it with `ext.executive.buildBlock`.
 */
import assert from "node:assert/strict";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { type BlockBuilder, BlockError } from "../../runtime/executive/executive.ts";
import { TransactionValidityError } from "../../runtime/executive/validity.ts";
import { encodeBare } from "../../runtime/extrinsic/extrinsic.ts";
import { LIMITS, runtime } from "../../runtime/mod.ts";
import {
  assertLastEvent,
  assertNoop,
  dev,
  GENESIS_TIME_MS,
  TestExt,
  thrownBy,
} from "../../runtime/testing/mod.ts";
import { now, timestampStorage } from "./mod.ts";
import { WEIGHTS } from "./weights.ts";

/** The `set(now)` inherent, as a block author puts it in. */
function inherent(time: bigint): Uint8Array {
  return encodeBare(runtime.encodeCall({ pallet: "Timestamp", call: "set", args: { now: time } }));
}

/** The harness's time of block `n`. */
const timeOf = (n: number) => GENESIS_TIME_MS + BigInt(n) * 6000n;

/** A block beside the harness's open one, on the same parent, with no inherent yet. */
function sideBlock(ext: TestExt): BlockBuilder {
  return ext.executive.buildBlock(ext.parent, []);
}

Deno.test("set() as the inherent stores the time and marks the block as updated", () => {
  const ext = new TestExt();
  // The harness's own block: its inherent ran first.
  assert.equal(now(ext.state), timeOf(1));
  assert.equal(timestampStorage.DidUpdate.get(ext.state), true);
  assertLastEvent(ext, "System", "ExtrinsicSuccess", {
    dispatchInfo: {
      weight: { refTime: BigInt(LIMITS.extrinsicBaseWeight + WEIGHTS.set), proofSize: 0n },
      class: { tag: "Mandatory" },
      paysFee: { tag: "No" },
    },
  });
  assert.deepEqual(ext.events().at(-1)!.phase, { tag: "ApplyExtrinsic", value: 0 });
  // A block beside it, at another valid time.
  const block = sideBlock(ext);
  assert.equal(timestampStorage.DidUpdate.get(block.state), false);
  const outcome = block.applyExtrinsic(inherent(timeOf(1) + 123n));
  assert.deepEqual(outcome, {
    ok: true,
    weight: LIMITS.extrinsicBaseWeight + WEIGHTS.set,
    fee: 0n,
  });
  assert.equal(now(block.state), timeOf(1) + 123n);
});

Deno.test("DidUpdate is cleared at the end of the block; Now is kept", () => {
  const ext = new TestExt();
  ext.nextBlock();
  const finished = ext.executive.stateAt(ext.parent.stateRoot);
  assert.equal(timestampStorage.DidUpdate.exists(finished), false);
  assert.equal(now(finished), timeOf(1));
  // The next block sees the parent's time until its own inherent runs.
  const block = sideBlock(ext);
  assert.equal(now(block.state), timeOf(1));
});

Deno.test("the first block may set any time: there is no previous one", () => {
  const ext = new TestExt();
  const genesis = ext.executive.stateAt(ext.parent.stateRoot);
  assert.equal(now(genesis), 0n);
  const block = ext.executive.buildBlock(ext.parent, []);
  assert.equal(block.number, 1);
  assert.ok(block.applyExtrinsic(inherent(1n)).ok);
  assert.equal(now(block.state), 1n);
});

Deno.test("set() must be at least MinimumPeriod after the parent's time: TooEarly", () => {
  const ext = new TestExt();
  ext.nextBlock();
  const period = timestampStorage.MinimumPeriod.get(ext.state);
  assert.equal(period, 3000n);
  const previous = timeOf(1);
  for (const early of [previous + period - 1n, previous, previous - 1n]) {
    const block = sideBlock(ext);
    const before = [...block.state.changes()].length;
    const error = thrownBy(TransactionValidityError, () => block.applyExtrinsic(inherent(early)));
    assert.equal(error.reason, "BadMandatory");
    assert.match(error.detail, /Timestamp\.TooEarly/);
    assert.equal(now(block.state), previous);
    assert.equal(timestampStorage.DidUpdate.get(block.state), false);
    assert.equal([...block.state.changes()].length, before);
    assert.equal(block.extrinsics.length, 0);
  }
  // Exactly MinimumPeriod later is enough.
  const block = sideBlock(ext);
  assert.ok(block.applyExtrinsic(inherent(previous + period)).ok);
  assert.equal(now(block.state), previous + period);
});

Deno.test("MinimumPeriod comes from the chain spec", () => {
  const ext = new TestExt({ timestamp: { minimumPeriodMs: 6000 } });
  assert.equal(timestampStorage.MinimumPeriod.get(ext.state), 6000n);
  ext.nextBlock(); // the harness's blocks are exactly 6000 ms apart
  const block = sideBlock(ext);
  assert.match(
    thrownBy(TransactionValidityError, () => block.applyExtrinsic(inherent(timeOf(2) - 1n))).detail,
    /Timestamp\.TooEarly/,
  );
  assert.ok(block.applyExtrinsic(inherent(timeOf(2))).ok);
});

Deno.test("set() only once per block: AlreadySet", () => {
  const ext = new TestExt();
  // The harness already set the time of the open block.
  assertNoop(ext, "Timestamp", "set", { now: timeOf(1) + 60_000n }, "none", "Timestamp.AlreadySet");
  assert.equal(now(ext.state), timeOf(1));
  // Through the executive: a second inherent is a bad mandatory extrinsic.
  const error = thrownBy(
    TransactionValidityError,
    () => ext.applyExtrinsic(inherent(timeOf(1) + 60_000n)),
  );
  assert.equal(error.reason, "BadMandatory");
  assert.match(error.detail, /Timestamp\.AlreadySet/);
  assert.equal(now(ext.state), timeOf(1));
  assert.equal(ext.extrinsics.length, 1);
});

Deno.test("set() from a signed or root origin is a BadOrigin no-op", () => {
  const ext = new TestExt();
  // Even in a block whose time is not set yet.
  timestampStorage.DidUpdate.remove(ext.state);
  const later = timeOf(1) + 60_000n;
  assertNoop(ext, "Timestamp", "set", { now: later }, dev.alice, "BadOrigin");
  assertNoop(ext, "Timestamp", "set", { now: later }, "root", "BadOrigin");
});

Deno.test("set() in a signed extrinsic is refused by the pool and the block, and changes nothing", () => {
  // A mandatory call is an inherent only; signed, it would let anyone fill
  // blocks with it (and bump nonces of keys nothing provides for).
  const ext = new TestExt();
  const before = ext.snapshot();
  for (const signer of [dev.alice, keypairFromUri("//Nobody")]) {
    const x = ext.signed("Timestamp", "set", { now: timeOf(1) + 60_000n }, signer);
    assert.equal(
      thrownBy(TransactionValidityError, () => ext.applyExtrinsic(x)).reason,
      "BadMandatory",
    );
    assert.equal(
      thrownBy(TransactionValidityError, () => ext.executive.validateTransaction(ext.parent, x))
        .reason,
      "MandatoryValidation",
    );
  }
  assert.equal(now(ext.state), timeOf(1));
  assert.deepEqual(ext.snapshot(), before);
  assert.equal(ext.extrinsics.length, 1);
});

Deno.test("every block needs the inherent: without it the block fails to finalize", () => {
  const ext = new TestExt();
  const block = sideBlock(ext);
  assert.ok(
    block.applyExtrinsic(ext.signed("System", "remark", { remark: new Uint8Array() }, dev.alice))
      .ok,
  );
  assert.throws(
    () => block.finish(),
    (e) =>
      e instanceof BlockError && e.code === "BLOCK_ERROR_FINALIZE_FAILED" &&
      /Timestamp\.NotSet/.test(e.message),
  );
  // An empty block too.
  assert.throws(
    () => sideBlock(ext).finish(),
    (e) => e instanceof BlockError && e.code === "BLOCK_ERROR_FINALIZE_FAILED",
  );
});

Deno.test("the inherent must come before any signed extrinsic", () => {
  const ext = new TestExt();
  const block = sideBlock(ext);
  block.applyExtrinsic(ext.signed("System", "remark", { remark: new Uint8Array() }, dev.alice));
  assert.throws(
    () => block.applyExtrinsic(inherent(timeOf(1))),
    (e) => e instanceof BlockError && e.code === "BLOCK_ERROR_INHERENT_POSITION",
  );
});

Deno.test("queryInfo: the inherent is free", () => {
  const ext = new TestExt();
  const bare = ext.executive.queryInfo(ext.parent, inherent(timeOf(1)));
  assert.deepEqual(bare, {
    weight: LIMITS.extrinsicBaseWeight + WEIGHTS.set,
    class: "mandatory",
    partialFee: 0n,
  });
});
