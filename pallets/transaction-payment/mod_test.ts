/**
 * Behaviour tests of transaction payment: the fee formula, its withdrawal
 * from the sender (kept alive), its split between the block author and the
 * QoS reward pot, the TransactionFeePaid event, and conservation of the
 * total issuance.
 *
 * The dev genesis charges a base fee of 10⁹, 10⁶ per byte and 10⁶ per
 * million weight units, and gives the author 80%. The harness's blocks have
 * no author; authored blocks are built beside them with an aura digest.
 */
import assert from "node:assert/strict";
import type { DigestItem } from "../../runtime/block/header.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import type { BlockBuilder } from "../../runtime/executive/executive.ts";
import type { EventRecord } from "../../runtime/executive/runtime.ts";
import { TransactionValidityError } from "../../runtime/executive/validity.ts";
import { encodeBare } from "../../runtime/extrinsic/extrinsic.ts";
import { utf8 } from "../../runtime/primitives/bytes.ts";
import { LIMITS, runtime } from "../../runtime/mod.ts";
import { assertEvent, assertLastEvent, dev, TestExt, thrownBy } from "../../runtime/testing/mod.ts";
import { runtimeGenesis } from "../../chain-spec/presets.ts";
import { authorities, setAuthorities } from "../authorship/mod.ts";
import { existentialDeposit, freeBalance, totalIssuance } from "../balances/mod.ts";
import { POT_ACCOUNT } from "../qos-rewards/relays.ts";
import { systemApi, systemStorage } from "../system/mod.ts";
import { WEIGHTS as SYSTEM_WEIGHTS } from "../system/weights.ts";
import { now } from "../timestamp/mod.ts";
import { transactionPaymentStorage } from "./mod.ts";

const to = (who: Uint8Array) => ({ tag: "Id", value: who });
const SLOT_MS = 6000n;

/** A remark of `n` bytes. */
const remark = (n: number) => ({ remark: new Uint8Array(n).fill(7) });

/** The fee the pallet's formula gives for an extrinsic of `length` bytes and `weight`. */
function expectedFee(ext: TestExt, length: number, weight: number, tip = 0n): bigint {
  const p = transactionPaymentStorage.FeeParams.get(ext.state);
  return p.baseFee + p.lengthFee * BigInt(length) + p.weightFee * BigInt(weight) / 1_000_000n +
    tip;
}

/** A chain whose genesis is the dev one with the given fee parameters. */
function withFees(fees: Record<string, unknown>): TestExt {
  const genesis = runtimeGenesis(["Alice"]);
  return new TestExt({
    transactionPayment: { ...(genesis.transactionPayment as object), ...fees },
  });
}

/**
 * A block beside the harness's open one, with a slot digest so that it has
 * an author (the authority at `slot % authorities`), and its timestamp.
 */
function authoredBlock(ext: TestExt): { block: BlockBuilder; author: Uint8Array } {
  const time = now(ext.state); // the harness's time for this block number
  const slot = time / SLOT_MS;
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, slot, true);
  const digest: DigestItem[] = [{ tag: "PreRuntime", value: [utf8("aura"), bytes] }];
  const block = ext.executive.buildBlock(ext.parent, digest);
  block.applyExtrinsic(
    encodeBare(runtime.encodeCall({ pallet: "Timestamp", call: "set", args: { now: time } })),
  );
  const keys = authorities(block.state);
  return { block, author: keys[Number(slot % BigInt(keys.length))] };
}

function eventsOf(block: BlockBuilder): EventRecord[] {
  return runtime.decodeEvents(systemApi.events(block.state));
}

Deno.test("the fee is base + length × lengthFee + weight × weightFee / 10⁶ + tip", () => {
  const ext = new TestExt();
  assert.deepEqual(transactionPaymentStorage.FeeParams.get(ext.state), {
    baseFee: 1_000_000_000n,
    lengthFee: 1_000_000n,
    weightFee: 1_000_000n,
    authorSharePercent: 80,
  });
  for (const [n, tip] of [[0, 0n], [100, 0n], [1000, 12_345n]] as const) {
    const x = ext.signed("System", "remark", remark(n), dev.alice, { tip });
    const weight = LIMITS.extrinsicBaseWeight + SYSTEM_WEIGHTS.remark(n);
    const fee = expectedFee(ext, x.length, weight, tip);
    const before = freeBalance(ext.state, dev.alice.publicKey);
    const outcome = ext.applyExtrinsic(x);
    assert.equal(outcome.ok, true);
    assert.equal(outcome.weight, weight);
    assert.equal(outcome.fee, fee);
    assert.equal(freeBalance(ext.state, dev.alice.publicKey), before - fee);
    assertEvent(ext, "Balances", "Withdraw", { who: dev.alice.publicKey, amount: fee });
  }
});

Deno.test("the weight part rounds down per million weight units", () => {
  const ext = withFees({ baseFee: 0, lengthFee: 0, weightFee: 3 });
  // remark(999) weighs the base + its measured weight; 3 planck a million units, rounded down.
  const weight = LIMITS.extrinsicBaseWeight + SYSTEM_WEIGHTS.remark(999);
  assert.notEqual(weight * 3 % 1_000_000, 0);
  const x = ext.signed("System", "remark", remark(999), dev.alice);
  assert.equal(ext.applyExtrinsic(x).fee, BigInt(Math.floor(weight * 3 / 1_000_000)));
});

Deno.test("queryInfo gives the same fee, less the tip, with the call's weight and class", () => {
  const ext = new TestExt();
  const x = ext.signed("System", "remarkWithEvent", remark(50), dev.alice, { tip: 1_000n });
  const info = ext.executive.queryInfo(ext.parent, x);
  assert.equal(info.weight, LIMITS.extrinsicBaseWeight + SYSTEM_WEIGHTS.remarkWithEvent(50));
  assert.equal(info.class, "normal");
  const outcome = ext.applyExtrinsic(x);
  assert.equal(info.partialFee, outcome.fee - 1_000n);
  assert.equal(info.partialFee, expectedFee(ext, x.length, info.weight));
  // An operational call is charged by the same formula.
  const kill = ext.signed("System", "killStorage", { keys: [] }, dev.bob);
  const killInfo = ext.executive.queryInfo(ext.parent, kill);
  assert.equal(killInfo.class, "operational");
  assert.equal(killInfo.partialFee, ext.applyExtrinsic(kill).fee);
});

Deno.test("without an author the whole fee goes to the reward pot; TransactionFeePaid", () => {
  const ext = new TestExt();
  const pot = freeBalance(ext.state, POT_ACCOUNT);
  const issuance = totalIssuance(ext.state);
  const outcome = ext.applyExtrinsic(
    ext.signed("System", "remark", remark(10), dev.alice, { tip: 5n }),
  );
  assert.equal(freeBalance(ext.state, POT_ACCOUNT), pot + outcome.fee);
  assert.equal(totalIssuance(ext.state), issuance);
  assertEvent(ext, "Balances", "Deposit", { who: POT_ACCOUNT, amount: outcome.fee });
  assertEvent(ext, "TransactionPayment", "TransactionFeePaid", {
    who: dev.alice.publicKey,
    actualFee: outcome.fee,
    tip: 5n,
  });
  // TransactionFeePaid comes right before the extrinsic's success, in its phase.
  const events = ext.events();
  const paid = events.at(-2)!;
  assert.equal(paid.name, "TransactionFeePaid");
  assert.deepEqual(paid.phase, { tag: "ApplyExtrinsic", value: 1 });
  assertLastEvent(ext, "System", "ExtrinsicSuccess");
});

Deno.test("with an author, authorSharePercent of the fee goes to it and the rest to the pot", () => {
  const ext = new TestExt();
  const { block, author } = authoredBlock(ext);
  assert.deepEqual(author, dev.alice.publicKey);
  const authorBefore = freeBalance(block.state, author);
  const potBefore = freeBalance(block.state, POT_ACCOUNT);
  const bobBefore = freeBalance(block.state, dev.bob.publicKey);
  const issuance = totalIssuance(block.state);
  // A tip that makes the fee no multiple of 5, so 80% of it rounds: the pot gets the rounding.
  const signed = (tip: bigint) => ext.signed("System", "remark", remark(3), dev.bob, { tip });
  const untipped = ext.executive.queryInfo(ext.parent, signed(1_000n)).partialFee;
  const tip = [1_001n, 1_002n].find((t) => (untipped + t) % 5n !== 0n)!;
  const outcome = block.applyExtrinsic(signed(tip));
  assert.equal(outcome.ok, true);
  const authorPart = outcome.fee * 80n / 100n;
  assert.notEqual(authorPart * 100n, outcome.fee * 80n, "the split rounds");
  assert.equal(freeBalance(block.state, author), authorBefore + authorPart);
  assert.equal(freeBalance(block.state, POT_ACCOUNT), potBefore + outcome.fee - authorPart);
  assert.equal(freeBalance(block.state, dev.bob.publicKey), bobBefore - outcome.fee);
  assert.equal(totalIssuance(block.state), issuance);
  const events = eventsOf(block).filter((e) =>
    e.phase.tag === "ApplyExtrinsic" && e.phase.value === 1
  );
  assert.deepEqual(
    events.map((e) => `${e.pallet}.${e.name}`),
    [
      "Balances.Withdraw",
      "Balances.Deposit",
      "Balances.Deposit",
      "TransactionPayment.TransactionFeePaid",
      "System.ExtrinsicSuccess",
    ],
  );
  assert.deepEqual(events[1].data, { who: author, amount: authorPart });
  assert.deepEqual(events[2].data, { who: POT_ACCOUNT, amount: outcome.fee - authorPart });
  assert.deepEqual(events[3].data, {
    who: dev.bob.publicKey,
    actualFee: outcome.fee,
    tip,
  });
});

Deno.test("a failed dispatch still pays, and the fee is still split", () => {
  const ext = new TestExt();
  const { block, author } = authoredBlock(ext);
  const authorBefore = freeBalance(block.state, author);
  const potBefore = freeBalance(block.state, POT_ACCOUNT);
  const issuance = totalIssuance(block.state);
  const outcome = block.applyExtrinsic(
    ext.signed("Balances", "transferKeepAlive", {
      dest: to(dev.charlie.publicKey),
      value: 10n ** 30n,
    }, dev.bob),
  );
  assert.equal(outcome.ok, false);
  const authorPart = outcome.fee * 80n / 100n;
  assert.equal(freeBalance(block.state, author), authorBefore + authorPart);
  assert.equal(freeBalance(block.state, POT_ACCOUNT), potBefore + outcome.fee - authorPart);
  assert.equal(totalIssuance(block.state), issuance);
  assert.ok(eventsOf(block).some((e) => e.name === "TransactionFeePaid"));
});

Deno.test("authorSharePercent 100 pays the author all; 0 pays the pot all", () => {
  for (const share of [100, 0]) {
    const ext = withFees({ authorSharePercent: share });
    const { block, author } = authoredBlock(ext);
    const authorBefore = freeBalance(block.state, author);
    const potBefore = freeBalance(block.state, POT_ACCOUNT);
    const { fee } = block.applyExtrinsic(ext.signed("System", "remark", remark(1), dev.bob));
    const authorPart = share === 100 ? fee : 0n;
    assert.equal(freeBalance(block.state, author), authorBefore + authorPart);
    assert.equal(freeBalance(block.state, POT_ACCOUNT), potBefore + fee - authorPart);
  }
});

Deno.test("an author share too small to open the author's account goes to the pot", () => {
  const ext = new TestExt();
  const fresh = keypairFromUri("//FreshAuthor").publicKey;
  setAuthorities(ext.executive.context(ext.state, () => ({ tag: "Initialization" })), [fresh]);
  ext.nextBlock();
  const ed = existentialDeposit(ext.state);
  {
    const { block, author } = authoredBlock(ext);
    assert.deepEqual(author, fresh);
    const potBefore = freeBalance(block.state, POT_ACCOUNT);
    const issuance = totalIssuance(block.state);
    const { fee } = block.applyExtrinsic(ext.signed("System", "remark", remark(1), dev.bob));
    assert.ok(fee * 80n / 100n < ed);
    assert.equal(systemStorage.Account.contains(block.state, fresh), false);
    assert.equal(freeBalance(block.state, POT_ACCOUNT), potBefore + fee);
    assert.equal(totalIssuance(block.state), issuance);
  }
  {
    // A tip big enough opens it: NewAccount, and the share is paid.
    const { block } = authoredBlock(ext);
    const potBefore = freeBalance(block.state, POT_ACCOUNT);
    const { fee } = block.applyExtrinsic(
      ext.signed("System", "remark", remark(1), dev.bob, { tip: ed }),
    );
    const authorPart = fee * 80n / 100n;
    assert.ok(authorPart >= ed);
    assert.equal(freeBalance(block.state, fresh), authorPart);
    assert.equal(freeBalance(block.state, POT_ACCOUNT), potBefore + fee - authorPart);
    assert.ok(
      eventsOf(block).some((e) =>
        e.name === "NewAccount" && (e.data.account as Uint8Array).every((b, i) => b === fresh[i])
      ),
    );
  }
});

Deno.test("a fee the sender cannot pay and stay alive is refused, changing nothing", () => {
  const ext = new TestExt();
  const payer = keypairFromUri("//Payer");
  const ed = existentialDeposit(ext.state);
  const x = ext.signed("System", "remark", remark(1), payer);
  const fee = ext.executive.queryInfo(ext.parent, x).partialFee;
  // One unit short of the fee plus the existential deposit.
  ext.apply(
    "Balances",
    "transferAllowDeath",
    { dest: to(payer.publicKey), value: fee + ed - 1n },
    dev.alice,
  );
  const before = ext.snapshot();
  assert.equal(thrownBy(TransactionValidityError, () => ext.applyExtrinsic(x)).reason, "Payment");
  assert.deepEqual(ext.snapshot(), before);
  // Enough to stay alive: paid.
  ext.apply("Balances", "transferAllowDeath", { dest: to(payer.publicKey), value: 1n }, dev.alice);
  const outcome = ext.applyExtrinsic(x);
  assert.equal(outcome.fee, fee);
  assert.equal(freeBalance(ext.state, payer.publicKey), ed);
});

Deno.test("with every fee parameter zero, only the tip is paid", () => {
  const ext = withFees({ baseFee: 0, lengthFee: 0, weightFee: 0 });
  const before = freeBalance(ext.state, dev.alice.publicKey);
  const x = ext.signed("System", "remark", remark(100), dev.alice, { tip: 42n });
  assert.equal(ext.executive.queryInfo(ext.parent, x).partialFee, 0n);
  assert.equal(ext.applyExtrinsic(x).fee, 42n);
  assert.equal(freeBalance(ext.state, dev.alice.publicKey), before - 42n);
  assertEvent(ext, "TransactionPayment", "TransactionFeePaid", { actualFee: 42n, tip: 42n });
});

Deno.test("genesis refuses an author share over 100 percent", () => {
  assert.throws(
    () => withFees({ authorSharePercent: 101 }),
    (e) => e instanceof TypeError && /authorSharePercent/.test(e.message),
  );
  const ext = withFees({ authorSharePercent: 100 });
  assert.equal(transactionPaymentStorage.FeeParams.get(ext.state).authorSharePercent, 100);
});
