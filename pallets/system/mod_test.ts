/**
 * Behaviour tests of the system pallet: its calls (remark, remarkWithEvent,
 * killStorage), the account lifecycle it records (NewAccount, KilledAccount,
 * reference counts, nonces) and its block bookkeeping (block hashes, events,
 * their count and phase).
 */
import assert from "node:assert/strict";
import { blockHash, type DigestItem } from "../../runtime/block/header.ts";
import { encodeBare } from "../../runtime/extrinsic/extrinsic.ts";
import { utf8 } from "../../runtime/primitives/bytes.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import type { EventRecord } from "../../runtime/executive/runtime.ts";
import { TransactionValidityError } from "../../runtime/executive/validity.ts";
import { DispatchError } from "../../runtime/pallet/errors.ts";
import type { DispatchContext } from "../../runtime/pallet/pallet.ts";
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import { LIMITS, runtime } from "../../runtime/mod.ts";
import {
  assertEvent,
  assertLastEvent,
  assertNoop,
  dev,
  GENESIS_TIME_MS,
  TestExt,
} from "../../runtime/testing/mod.ts";
import { existentialDeposit, freeBalance } from "../balances/mod.ts";
import { something, template } from "../template/mod.ts";
import {
  account,
  BLOCK_HASH_COUNT,
  decConsumers,
  depositLog,
  emptyAccount,
  incConsumers,
  setAccount,
  systemApi,
  systemStorage,
} from "./mod.ts";
import { WEIGHTS } from "./weights.ts";
import { WEIGHTS as TIMESTAMP_WEIGHTS } from "../timestamp/weights.ts";

/** What the runtime adds to every extrinsic's weight. */
const BASE = LIMITS.extrinsicBaseWeight;

const to = (who: Uint8Array) => ({ tag: "Id", value: who });
const bytes = (...b: number[]) => new Uint8Array(b);

/** A dispatch context on the open block, as a pallet's call would get. */
function context(ext: TestExt): DispatchContext {
  return ext.executive.context(ext.state, () => ({ tag: "Initialization" }));
}

/** The error a function throws, as `"Kind"` for a dispatch error. */
function dispatchErrorOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof DispatchError) return e.kind;
    throw e;
  }
  throw new Error("expected a dispatch error");
}

/** The state of the last finished block (after its finalize hooks). */
function finished(ext: TestExt) {
  return ext.executive.stateAt(ext.parent.stateRoot);
}

// --- remark -----------------------------------------------------------------

Deno.test("remark() succeeds for a signed origin and changes no storage", () => {
  const ext = new TestExt();
  const before = ext.snapshot();
  const eventsBefore = ext.events().length;
  assert.deepEqual(ext.apply("System", "remark", { remark: bytes(1, 2, 3) }, dev.alice), {
    ok: true,
  });
  assert.deepEqual(ext.snapshot(), before);
  assert.equal(ext.events().length, eventsBefore);
});

Deno.test("remark() needs a signed origin", () => {
  const ext = new TestExt();
  assertNoop(ext, "System", "remark", { remark: bytes(1) }, "root", "BadOrigin");
  assertNoop(ext, "System", "remark", { remark: bytes(1) }, "none", "BadOrigin");
});

Deno.test("remark() as a signed extrinsic pays its fee and bumps the nonce", () => {
  const ext = new TestExt();
  const before = freeBalance(ext.state, dev.alice.publicKey);
  const outcome = ext.applyExtrinsic(
    ext.signed("System", "remark", { remark: bytes(9, 9) }, dev.alice),
  );
  assert.equal(outcome.ok, true);
  assert.ok(outcome.fee > 0n);
  assert.equal(freeBalance(ext.state, dev.alice.publicKey), before - outcome.fee);
  assert.equal(systemApi.accountNonce(ext.state, dev.alice.publicKey), 1);
  assertLastEvent(ext, "System", "ExtrinsicSuccess");
});

// --- remarkWithEvent ----------------------------------------------------------

Deno.test("remarkWithEvent() emits Remarked with the sender and the blake2-256 of the remark", () => {
  const ext = new TestExt();
  const remark = new TextEncoder().encode("hello, chain");
  assert.deepEqual(ext.apply("System", "remarkWithEvent", { remark }, dev.bob), { ok: true });
  assertLastEvent(ext, "System", "Remarked", {
    sender: dev.bob.publicKey,
    hash: blake2_256(remark),
  });
  // blake2-256 of the empty string (RFC 7693 parameters, 32-byte digest).
  ext.apply("System", "remarkWithEvent", { remark: new Uint8Array() }, dev.alice);
  const last = ext.events().at(-1)!;
  assert.equal(
    Array.from(last.data.hash as Uint8Array, (b) => b.toString(16).padStart(2, "0")).join(""),
    "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
  );
});

Deno.test("remarkWithEvent() needs a signed origin and emits nothing otherwise", () => {
  const ext = new TestExt();
  const events = ext.events().length;
  assertNoop(ext, "System", "remarkWithEvent", { remark: bytes(1) }, "root", "BadOrigin");
  assertNoop(ext, "System", "remarkWithEvent", { remark: bytes(1) }, "none", "BadOrigin");
  assert.equal(ext.events().length, events);
});

// --- killStorage --------------------------------------------------------------

Deno.test("killStorage() as root removes exactly the given keys", () => {
  const ext = new TestExt({ template: { something: 5 } });
  const alice = systemStorage.Account.keyOf(dev.alice.publicKey);
  assert.equal(something(ext.state), 5);
  assert.ok(ext.state.get(alice));
  const before = ext.snapshot();
  const missing = bytes(0xde, 0xad);
  const result = ext.apply("System", "killStorage", {
    keys: [template.storage.Something.key, alice, missing],
  }, "root");
  assert.deepEqual(result, { ok: true });
  assert.equal(something(ext.state), undefined);
  assert.deepEqual(account(ext.state, dev.alice.publicKey), emptyAccount());
  // Nothing else changed.
  const after = ext.snapshot();
  assert.equal(after.size, before.size - 2);
  for (const [k, v] of after) assert.equal(before.get(k), v);
});

Deno.test("killStorage() is root only", () => {
  const ext = new TestExt({ template: { something: 5 } });
  const keys = [template.storage.Something.key];
  assertNoop(ext, "System", "killStorage", { keys }, dev.alice, "BadOrigin");
  assertNoop(ext, "System", "killStorage", { keys }, "none", "BadOrigin");
  assert.equal(something(ext.state), 5);
});

// --- accounts -------------------------------------------------------------------

Deno.test("an account endowed above the existential deposit is created: NewAccount", () => {
  const ext = new TestExt();
  const fresh = keypairFromUri("//Fresh");
  assert.equal(systemStorage.Account.contains(ext.state, fresh.publicKey), false);
  const ed = existentialDeposit(ext.state);
  assert.ok(
    ext.apply("Balances", "transferAllowDeath", {
      dest: to(fresh.publicKey),
      value: 10n * ed,
    }, dev.alice).ok,
  );
  assertEvent(ext, "System", "NewAccount", { account: fresh.publicKey });
  const info = account(ext.state, fresh.publicKey);
  assert.equal(info.providers, 1);
  assert.equal(info.nonce, 0);
  assert.equal(info.data.free, 10n * ed);
});

Deno.test("an account emptied below the existential deposit is reaped: KilledAccount", () => {
  const ext = new TestExt();
  const fresh = keypairFromUri("//Fresh");
  const ed = existentialDeposit(ext.state);
  ext.apply(
    "Balances",
    "transferAllowDeath",
    { dest: to(fresh.publicKey), value: 10n * ed },
    dev.alice,
  );
  assert.ok(ext.applyExtrinsic(ext.signed("System", "remark", { remark: bytes() }, fresh)).ok);
  assert.equal(account(ext.state, fresh.publicKey).nonce, 1);
  assert.ok(
    ext.apply("Balances", "transferAll", { dest: to(dev.bob.publicKey), keepAlive: false }, fresh)
      .ok,
  );
  assertEvent(ext, "System", "KilledAccount", { account: fresh.publicKey });
  // Removed, nonce and all.
  assert.equal(systemStorage.Account.contains(ext.state, fresh.publicKey), false);
  assert.deepEqual(account(ext.state, fresh.publicKey), emptyAccount());
  assert.equal(systemApi.accountNonce(ext.state, fresh.publicKey), 0);
});

Deno.test("setAccount() refuses to reap an account something still consumes", () => {
  const ext = new TestExt();
  const ctx = context(ext);
  const who = dev.charlie.publicKey;
  incConsumers(ctx, who);
  const info = account(ext.state, who);
  assert.equal(info.consumers, 1);
  const events = ext.events().length;
  assert.equal(
    dispatchErrorOf(() => setAccount(ctx, who, { ...info, providers: 0 })),
    "ConsumerRemaining",
  );
  assert.deepEqual(account(ext.state, who), info);
  assert.equal(ext.events().length, events);
  // Once the consumer goes, the account can be reaped.
  decConsumers(ctx, who);
  setAccount(ctx, who, { ...account(ext.state, who), providers: 0 });
  assert.equal(systemStorage.Account.contains(ext.state, who), false);
  assertLastEvent(ext, "System", "KilledAccount", { account: who });
});

Deno.test("incConsumers() needs a provider; decConsumers() stops at zero", () => {
  const ext = new TestExt();
  const ctx = context(ext);
  const nobody = keypairFromUri("//Nobody").publicKey;
  assert.equal(dispatchErrorOf(() => incConsumers(ctx, nobody)), "NoProviders");
  assert.equal(systemStorage.Account.contains(ext.state, nobody), false);
  decConsumers(ctx, nobody);
  assert.equal(systemStorage.Account.contains(ext.state, nobody), false);
  const before = account(ext.state, dev.dave.publicKey);
  assert.equal(before.consumers, 0);
  decConsumers(ctx, dev.dave.publicKey);
  assert.deepEqual(account(ext.state, dev.dave.publicKey), before);
});

Deno.test("setAccount() of a record with no providers for an absent account writes nothing", () => {
  const ext = new TestExt();
  const nobody = keypairFromUri("//Nobody").publicKey;
  const before = ext.snapshot();
  const events = ext.events().length;
  setAccount(context(ext), nobody, emptyAccount());
  assert.deepEqual(ext.snapshot(), before);
  assert.equal(ext.events().length, events);
});

// --- nonces -------------------------------------------------------------------------

Deno.test("a signed extrinsic bumps its sender's nonce, whether or not its dispatch succeeds", () => {
  const ext = new TestExt();
  const alice = dev.alice.publicKey;
  assert.equal(systemApi.accountNonce(ext.state, alice), 0);
  ext.applyExtrinsic(ext.signed("System", "remark", { remark: bytes(1) }, dev.alice));
  assert.equal(systemApi.accountNonce(ext.state, alice), 1);
  // A failing dispatch (root-only call) still uses the nonce.
  const failed = ext.applyExtrinsic(
    ext.signed("System", "killStorage", { keys: [] }, dev.alice),
  );
  assert.equal(failed.ok, false);
  assert.deepEqual(failed.error, { tag: "BadOrigin" });
  assert.equal(systemApi.accountNonce(ext.state, alice), 2);
  assert.equal(account(ext.state, alice).nonce, 2);
  // Nonces survive the block.
  ext.nextBlock();
  assert.equal(systemApi.accountNonce(ext.state, alice), 2);
  assert.equal(systemApi.accountNonce(ext.state, dev.bob.publicKey), 0);
});

Deno.test("a signed extrinsic from an account that does not exist is refused, even at no fee", () => {
  const ext = new TestExt({
    transactionPayment: { baseFee: 0, lengthFee: 0, weightFee: 0, authorSharePercent: 0 },
  });
  const nobody = keypairFromUri("//Nobody");
  const x = ext.signed("System", "remark", { remark: bytes(1) }, nobody);
  const before = ext.snapshot();
  let reason = "";
  try {
    ext.applyExtrinsic(x);
  } catch (e) {
    if (!(e instanceof TransactionValidityError)) throw e;
    reason = e.reason;
  }
  assert.equal(reason, "Payment");
  // No record (nonce 1, no providers) is left behind.
  assert.equal(systemStorage.Account.contains(ext.state, nobody.publicKey), false);
  assert.deepEqual(ext.snapshot(), before);
  // An existing account sends for free.
  const outcome = ext.applyExtrinsic(
    ext.signed("System", "remark", { remark: bytes(1) }, dev.alice),
  );
  assert.deepEqual(outcome.fee, 0n);
  assert.equal(systemApi.accountNonce(ext.state, dev.alice.publicKey), 1);
});

// --- block bookkeeping -----------------------------------------------------------------

Deno.test("initialize records the number, the parent hash and the parent's BlockHash", () => {
  const ext = new TestExt();
  ext.nextBlock(3);
  const parentHash = blockHash(ext.parent);
  assert.equal(systemApi.blockNumber(ext.state), 4);
  assert.equal(ext.blockNumber, 4);
  assert.deepEqual(systemStorage.ParentHash.get(ext.state), parentHash);
  assert.deepEqual(systemApi.blockHash(ext.state, 3), parentHash);
  assert.deepEqual(systemStorage.Digest.get(ext.state), []);
  // The open block's own hash is not known yet.
  assert.equal(systemApi.blockHash(ext.state, 4), undefined);
});

Deno.test("depositLog() appends to the digest the block started with, and the built header carries it", () => {
  const ext = new TestExt();
  const pre: DigestItem = { tag: "PreRuntime", value: [utf8("test"), bytes(7)] };
  const logs: DigestItem[] = [
    { tag: "Consensus", value: [utf8("FRNK"), bytes(1, 2)] },
    { tag: "Other", value: bytes(3) },
  ];
  const block = ext.executive.buildBlock(ext.parent, [pre]);
  block.applyExtrinsic(
    encodeBare(
      runtime.encodeCall({ pallet: "Timestamp", call: "set", args: { now: GENESIS_TIME_MS } }),
    ),
  );
  const ctx = ext.executive.context(block.state, () => ({ tag: "Finalization" }));
  for (const log of logs) depositLog(ctx, log);
  assert.deepEqual(systemApi.digest(block.state), [pre, ...logs]);
  assert.deepEqual(block.finish().header.digest, [pre, ...logs]);
});

Deno.test("genesis keeps a placeholder hash for block 0 that block 1 replaces with the real one", () => {
  const ext = new TestExt();
  const genesisState = ext.executive.stateAt(ext.parent.stateRoot);
  assert.deepEqual(systemApi.blockHash(genesisState, 0), new Uint8Array(32).fill(69));
  assert.deepEqual(systemApi.blockHash(ext.state, 0), blockHash(ext.parent));
});

Deno.test("BlockHash keeps the last BLOCK_HASH_COUNT blocks and genesis, pruning older ones", () => {
  const ext = new TestExt();
  const hashes = new Map<number, Uint8Array>([[0, blockHash(ext.parent)]]);
  const step = () => {
    ext.nextBlock();
    hashes.set(ext.parent.number, blockHash(ext.parent));
  };
  // Finish blocks 1 ..= BLOCK_HASH_COUNT + 1: nothing is old enough to prune yet.
  while (ext.parent.number < BLOCK_HASH_COUNT + 1) step();
  let state = finished(ext);
  assert.deepEqual(systemApi.blockHash(state, 1), hashes.get(1));
  // Finishing block BLOCK_HASH_COUNT + 2 prunes block 1; 2 is still kept.
  step();
  state = finished(ext);
  const n = ext.parent.number;
  assert.equal(n, BLOCK_HASH_COUNT + 2);
  assert.equal(systemApi.blockHash(state, 1), undefined);
  assert.deepEqual(systemApi.blockHash(state, 2), hashes.get(2));
  assert.deepEqual(systemApi.blockHash(state, n - 1), hashes.get(n - 1));
  assert.deepEqual(systemApi.blockHash(state, 0), hashes.get(0), "genesis is kept forever");
  // Exactly BLOCK_HASH_COUNT recent hashes plus genesis remain.
  const kept = [...state.entries(systemStorage.BlockHash.prefix)].length;
  assert.equal(kept, BLOCK_HASH_COUNT + 1);
  // One more block prunes one more.
  step();
  state = finished(ext);
  assert.equal(systemApi.blockHash(state, 2), undefined);
  assert.deepEqual(systemApi.blockHash(state, 3), hashes.get(3));
  assert.equal([...state.entries(systemStorage.BlockHash.prefix)].length, BLOCK_HASH_COUNT + 1);
});

Deno.test("EventCount is the number of events once the block is finalized", () => {
  const ext = new TestExt();
  ext.applyExtrinsic(ext.signed("System", "remarkWithEvent", { remark: bytes(1) }, dev.alice));
  ext.applyExtrinsic(
    ext.signed(
      "Balances",
      "transferKeepAlive",
      { dest: to(dev.bob.publicKey), value: 7n },
      dev.bob,
    ),
  );
  ext.apply("System", "remarkWithEvent", { remark: bytes(2) }, dev.charlie);
  const open = ext.events().length;
  // Counted at finalize, not on each deposit.
  assert.equal(systemStorage.EventCount.get(ext.state), 0);
  ext.nextBlock();
  const state = finished(ext);
  const events = runtime.decodeEvents(systemApi.events(state));
  assert.ok(events.length >= open);
  assert.equal(systemStorage.EventCount.get(state), events.length);
  // The next block starts with its own events only, and no count.
  assert.equal(systemStorage.EventCount.get(ext.state), 0);
  assert.equal(ext.events().length, 1, "only the timestamp inherent's ExtrinsicSuccess");
});

Deno.test("EventCount counts the events of a quiet block too", () => {
  const ext = new TestExt();
  ext.nextBlock();
  const state = finished(ext);
  const events = runtime.decodeEvents(systemApi.events(state));
  assert.ok(events.length >= 1);
  assert.equal(systemStorage.EventCount.get(state), events.length);
});

Deno.test("events carry the index of the extrinsic that deposited them", () => {
  const ext = new TestExt();
  ext.applyExtrinsic(ext.signed("System", "remarkWithEvent", { remark: bytes(1) }, dev.alice));
  ext.applyExtrinsic(ext.signed("System", "remarkWithEvent", { remark: bytes(2) }, dev.bob));
  const events = ext.events();
  const phaseOf = (e: EventRecord) => e.phase.tag === "ApplyExtrinsic" ? e.phase.value : -1;
  // The timestamp inherent is extrinsic 0.
  assert.equal(events[0].pallet, "System");
  assert.equal(events[0].name, "ExtrinsicSuccess");
  assert.deepEqual(events[0].phase, { tag: "ApplyExtrinsic", value: 0 });
  assert.deepEqual(events[0].data.dispatchInfo, {
    weight: { refTime: BigInt(BASE + TIMESTAMP_WEIGHTS.set), proofSize: 0n },
    class: { tag: "Mandatory" },
    paysFee: { tag: "No" },
  });
  const remarked = events.filter((e) => e.name === "Remarked");
  assert.deepEqual(remarked.map(phaseOf), [1, 2]);
  assert.deepEqual(remarked.map((e) => e.data.sender), [dev.alice.publicKey, dev.bob.publicKey]);
  // Each extrinsic's fee and success events sit in its own phase, success last.
  for (const index of [1, 2]) {
    const own = events.filter((e) => phaseOf(e) === index);
    assert.deepEqual(own.at(-1)!.name, "ExtrinsicSuccess");
    assert.ok(own.some((e) => e.name === "TransactionFeePaid"));
  }
  // In order: phases never go back.
  const phases = events.map(phaseOf);
  assert.deepEqual(phases, [...phases].sort((a, b) => a - b));
});

Deno.test("ExtrinsicFailed carries the dispatch error and the call's info", () => {
  const ext = new TestExt();
  ext.applyExtrinsic(ext.signed("System", "killStorage", { keys: [bytes(1)] }, dev.alice));
  assertLastEvent(ext, "System", "ExtrinsicFailed", {
    dispatchError: { tag: "BadOrigin" },
    dispatchInfo: {
      weight: {
        refTime: BigInt(BASE + WEIGHTS.killStorage(1)),
        proofSize: 0n,
      },
      class: { tag: "Operational" },
      paysFee: { tag: "Yes" },
    },
  });
  assert.deepEqual(ext.events().at(-1)!.phase, { tag: "ApplyExtrinsic", value: 1 });
});
