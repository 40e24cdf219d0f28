import assert from "node:assert/strict";
import fc from "fast-check";
import { dev, TestExt } from "../../runtime/testing/mod.ts";
import { account } from "../system/mod.ts";
import { totalIssuance } from "../balances/mod.ts";
import { ERA_LENGTH, id, keysArgs, NO_QOS_ISSUANCE, stakingConfig, TOKEN } from "./_mock.ts";
import { stakingStorage as storage } from "./mod.ts";

const stakers = [
  { stash: dev.bobStash, key: dev.bob },
  { stash: dev.charlieStash, key: dev.charlie },
  { stash: dev.daveStash, key: dev.dave },
];

const op = fc.oneof(
  fc.record({
    kind: fc.constantFrom(
      "bond",
      "bondExtra",
      "unbond",
      "withdrawUnbonded",
      "validate",
      "nominate",
      "chill",
      "setKeys",
    ),
    who: fc.nat(stakers.length - 1),
    amount: fc.bigInt({ min: 0n, max: 200_000n * TOKEN }),
    target: fc.nat(stakers.length),
  }),
  fc.record({ kind: fc.constant("blocks" as const), count: fc.integer({ min: 1, max: 12 }) }),
);

type CallOp = { kind: string; who: number; amount: bigint; target: number };
type BlocksOp = { kind: "blocks"; count: number };

function apply(ext: TestExt, o: CallOp): void {
  const { stash, key } = stakers[o.who];
  const targets = [dev.aliceStash, ...stakers.map((s) => s.stash)];
  const args: Record<string, Record<string, unknown>> = {
    bond: { value: o.amount },
    bondExtra: { maxAdditional: o.amount },
    unbond: { value: o.amount },
    withdrawUnbonded: {},
    validate: { prefs: { commissionPerbill: Number(o.amount % 1_000_000_001n), blocked: false } },
    nominate: { targets: [id(targets[o.target])] },
    chill: {},
    setKeys: keysArgs(stash, key),
  };
  ext.apply("Staking", o.kind, args[o.kind], stash);
}

function checkLedgers(ext: TestExt): void {
  assert.equal(
    storage.CounterForNominators.get(ext.state),
    [...storage.Nominators.entries(ext.state)].length,
    "the nominator counter counts the nominators",
  );
  for (const [stash, l] of storage.Ledger.entries(ext.state)) {
    assert(l.active >= 0n && l.total >= 0n);
    assert.equal(l.total, l.active + l.unlocking.reduce((s, c) => s + c.value, 0n));
    const data = account(ext.state, stash).data;
    assert(data.frozen >= l.total, "the lock covers the bond");
    assert(data.free >= l.total, "the bond is backed by free balance");
  }
}

/** What ended eras still owe, summed over every era kept. */
function unpaid(ext: TestExt): bigint {
  let sum = 0n;
  for (let era = 0; era <= storage.CurrentEra.get(ext.state); era++) {
    for (const [, owed] of storage.ErasRewardOwed.entriesOf(ext.state, era)) sum += owed.unpaid;
  }
  return sum;
}

Deno.test("total issuance grows by exactly eraPayout per ended era, page by page, and stakes never go negative", () => {
  fc.assert(
    fc.property(fc.array(op as fc.Arbitrary<CallOp | BlocksOp>, { maxLength: 25 }), (ops) => {
      const ext = new TestExt({ qosRewards: NO_QOS_ISSUANCE, staking: stakingConfig() });
      const payout = storage.EraPayout.get(ext.state);
      const issuance = totalIssuance(ext.state);
      const step = () => {
        ext.nextBlock();
        // Minted so far and still owed add up to the payouts of the ended eras.
        const ended = BigInt(storage.CurrentEra.get(ext.state));
        assert.equal(totalIssuance(ext.state) - issuance + unpaid(ext), payout * ended);
      };
      for (const o of ops) {
        if (!("count" in o)) {
          const before = totalIssuance(ext.state);
          apply(ext, o);
          assert.equal(totalIssuance(ext.state), before, "calls neither mint nor burn");
        } else {
          for (let i = 0; i < o.count; i++) step();
        }
        checkLedgers(ext);
      }
      // End on an era boundary, so that every run pays at least one era, then pay it.
      do step(); while (ext.blockNumber % ERA_LENGTH !== 0);
      while (storage.PayoutCursor.exists(ext.state)) step();
      assert.equal(unpaid(ext), 0n);
      checkLedgers(ext);
    }),
    { numRuns: 12 },
  );
});
