import assert from "node:assert/strict";
import fc from "fast-check";
import { ERA_LENGTH as DEV_ERA_LENGTH } from "../../chain-spec/presets.ts";
import { ss58Encode } from "../../runtime/crypto/mod.ts";
import { LIMITS } from "../../runtime/mod.ts";
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { assertEvent, assertNoop, dev, TestExt } from "../../runtime/testing/mod.ts";
import { freeBalance, totalIssuance } from "../balances/mod.ts";
import {
  context,
  ERA_LENGTH,
  hookWeight,
  NO_QOS_ISSUANCE,
  nominators,
  payAll,
  rewards,
  type StakerJson,
  stakingConfig,
  toEra,
  TOKEN,
  validatorStaker,
} from "./_mock.ts";
import {
  addRewardPoints,
  eraExposure,
  MAX_EXPOSURE_PAGE_SIZE,
  MAX_NOMINATIONS,
  MAX_NOMINATORS,
  MAX_VALIDATORS,
  PERBILL,
  stakingStorage as storage,
} from "./mod.ts";
import { PAYOUT_BUDGET } from "./_payout.ts";
import { HISTORY_DEPTH } from "./_storage.ts";
import { WEIGHTS } from "./weights.ts";

const { aliceStash, bobStash, charlieStash } = dev;

/** Blocks of the hook's payout the worst era weighs, as `PAGES_PER_BLOCK`'s docs say. */
/** What the docs say, with some room: `weights.ts` is measured again now and then. */
const WORST_ERA_BLOCKS = 90;

/** Alice's stash (10% commission) and, if asked, Bob's validating, with `count` nominators. */
function chain(count: number, opts: { bob?: boolean; bond?: (i: number) => bigint } = {}) {
  const validators = opts.bob ? [aliceStash, bobStash] : [aliceStash];
  const backing = nominators(count, validators, opts.bond);
  const ext = new TestExt({
    balances: backing.balances,
    qosRewards: NO_QOS_ISSUANCE,
    staking: stakingConfig({
      stakers: [
        validatorStaker(aliceStash, dev.alice, 100_000n * TOKEN, 100_000_000),
        ...(opts.bob ? [validatorStaker(bobStash, dev.bob, 50_000n * TOKEN, 0)] : []),
        ...backing.stakers,
      ],
    }),
  });
  return { ext, stashes: backing.stashes };
}

/**
 * What paying era `era` at once gave each staker (the rule before pages):
 * a validator's share less its commission goes to each nominator in
 * proportion to its stake, rounded down, and the validator keeps the rest.
 */
function unpagedRule(ext: TestExt, era: number): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const add = (who: Uint8Array, amount: bigint) =>
    out.set(toHex(who), (out.get(toHex(who)) ?? 0n) + amount);
  for (const stash of storage.ErasValidators.get(ext.state, era)) {
    const { share } = storage.ErasRewardOwed.get(ext.state, era, stash)!;
    const exposure = eraExposure(ext.state, era, stash)!;
    const prefs = storage.ErasValidatorPrefs.get(ext.state, era, stash)!;
    const rest = share - share * BigInt(prefs.commissionPerbill) / PERBILL;
    let toNominators = 0n;
    for (const { who, value } of exposure.others) {
      const amount = rest * value / exposure.total;
      if (amount > 0n) add(who, amount);
      toNominators += amount;
    }
    if (share > toNominators) add(stash, share - toNominators);
  }
  return out;
}

/** How many `Staking.Rewarded` events each stash got in the open block, into `counts`. */
function countRewards(ext: TestExt, counts: Map<string, number>): void {
  for (const e of ext.events()) {
    if (e.pallet !== "Staking" || e.name !== "Rewarded") continue;
    const who = toHex(e.data.stash as Uint8Array);
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }
}

/** The most a block's staking hook declares outside an era's first block. */
const MOST_A_BLOCK = WEIGHTS.onInitializeBlock + PAYOUT_BUDGET + WEIGHTS.payoutStep +
  WEIGHTS.payoutPage(MAX_EXPOSURE_PAGE_SIZE);

Deno.test("attack: 2,000 nominators behind one validator: the era block only elects, and the next block pays everyone once", () => {
  const { ext, stashes } = chain(2_000, { bond: (i) => 10n * TOKEN + BigInt(i) * 7_919n });
  const overview = storage.ErasStakersOverview.get(ext.state, 0, aliceStash.publicKey)!;
  assert.equal(overview.nominatorCount, 2_000);
  assert.equal(overview.pageCount, Math.ceil(2_000 / MAX_EXPOSURE_PAGE_SIZE));
  const issuance = totalIssuance(ext.state);
  toEra(ext, 1);
  // The era's block mints nothing: its work beyond the election does not grow with nominators.
  assert.equal(totalIssuance(ext.state), issuance);
  assert.equal(rewards(ext).size, 0);
  assertEvent(ext, "Staking", "EraPaid", { eraIndex: 0, validatorPayout: 1_000n * TOKEN });
  assert.equal(
    hookWeight(ext),
    WEIGHTS.onInitializeBlock + WEIGHTS.onInitializeEra(1, 2_000),
  );
  const expected = unpagedRule(ext, 0);
  const before = new Map(
    [aliceStash.publicKey, ...stashes].map((s) => [toHex(s), freeBalance(ext.state, s)]),
  );
  const counts = new Map<string, number>();
  // Somebody pays page 2 ahead of the hook; the hook skips it.
  assert(
    ext.apply("Staking", "payoutStakers", {
      validatorStash: aliceStash.publicKey,
      era: 0,
      page: 2,
    }, charlieStash).ok,
  );
  assertEvent(ext, "Staking", "PayoutStarted", {
    eraIndex: 0,
    validatorStash: aliceStash.publicKey,
    page: 2,
    next: 0,
  });
  countRewards(ext, counts);
  ext.nextBlock();
  // Three pages of 512, 512 and 464: under the weight of PAGES_PER_BLOCK full pages.
  assert.equal(
    hookWeight(ext),
    WEIGHTS.onInitializeBlock + 3 * WEIGHTS.payoutStep +
      2 * WEIGHTS.payoutPage(MAX_EXPOSURE_PAGE_SIZE) + WEIGHTS.payoutPage(2_000 - 3 * 512),
  );
  countRewards(ext, counts);
  assert.equal(storage.PayoutCursor.get(ext.state), undefined, "the era is paid");
  assert.deepEqual(storage.ClaimedRewards.get(ext.state, 0, aliceStash.publicKey), [0, 1, 2, 3]);
  assert.equal(totalIssuance(ext.state) - issuance, 1_000n * TOKEN);
  // Each nominator is paid once; the validator with its page 0 and, the rounding dust, its last.
  assert.equal(counts.get(toHex(aliceStash.publicKey)), 2);
  for (const [who, amount] of expected) {
    if (who !== toHex(aliceStash.publicKey)) assert.equal(counts.get(who), 1, `${who} paid once`);
    const stash = [aliceStash.publicKey, ...stashes].find((s) => toHex(s) === who)!;
    assert.equal(freeBalance(ext.state, stash) - before.get(who)!, amount);
  }
  assert.equal(counts.size, expected.size);
  // Nothing more to pay: the hook declares nothing beyond its block's points.
  ext.nextBlock();
  assert.equal(hookWeight(ext), WEIGHTS.onInitializeBlock);
  for (let page = 0; page < 4; page++) {
    const args = { validatorStash: aliceStash.publicKey, era: 0, page };
    assertNoop(ext, "Staking", "payoutStakers", args, charlieStash, "Staking.AlreadyClaimed");
  }
});

/**
 * `count` validators without nominators for a genesis (distinct stashes and
 * session keys, 1,000 tokens bonded each), and their balances entries.
 */
function idleValidators(count: number): { balances: [string, string][]; stakers: StakerJson[] } {
  const seed = (i: number, tag: number) => blake2_256(new Uint8Array([tag, i >> 8, i]));
  const stashes = Array.from({ length: count }, (_, i) => seed(i, 5));
  return {
    balances: stashes.map((s) => [ss58Encode(s), (1_001n * TOKEN).toString()]),
    stakers: stashes.map((stash, i) => ({
      stash: toHex(stash),
      sessionKey: toHex(seed(i, 6)),
      bond: (1_000n * TOKEN).toString(),
      role: { Validator: { commissionPerbill: 0 } },
    })),
  };
}

Deno.test("attack: an era of more pages than blocks (12 full pages, 20 validators' own) is paid by the hook alone before the next era ends", () => {
  // The worst era (MAX_VALIDATORS validators, MAX_NOMINATORS naming 16 each:
  // 1,312 pages) against 99 paying blocks, scaled down to 32 pages against
  // the 9 paying blocks of a 10-block era. A page a block pays 9 of them.
  const backing = nominators(2_600, [aliceStash, bobStash]);
  const idle = idleValidators(20);
  const ext = new TestExt({
    balances: {
      ...backing.balances,
      balances: [...backing.balances.balances as [string, string][], ...idle.balances],
    },
    qosRewards: NO_QOS_ISSUANCE,
    staking: stakingConfig({
      validatorCount: 22,
      stakers: [
        validatorStaker(aliceStash, dev.alice, 100_000n * TOKEN, 100_000_000),
        validatorStaker(bobStash, dev.bob, 50_000n * TOKEN, 0),
        ...idle.stakers,
        ...backing.stakers,
      ],
    }),
  });
  const validators = storage.ErasValidators.get(ext.state, 0);
  assert.equal(validators.length, 22);
  const pages = validators.reduce(
    (sum, v) => sum + storage.ErasStakersOverview.get(ext.state, 0, v)!.pageCount,
    0,
  );
  assert.equal(pages, 2 * 6 + 20);
  assert(pages > ERA_LENGTH - 1, "more pages than the era has blocks after its first");
  const issuance = totalIssuance(ext.state);
  toEra(ext, 1);
  const paid = new Map<string, bigint>();
  while (ext.blockNumber < 2 * ERA_LENGTH - 1 && storage.PayoutCursor.exists(ext.state)) {
    ext.nextBlock();
    assert(hookWeight(ext) <= MOST_A_BLOCK, `block ${ext.blockNumber}: bounded weight`);
    rewards(ext, paid);
  }
  assert(ext.blockNumber < 2 * ERA_LENGTH, "still in era 1");
  assert.equal(storage.PayoutCursor.get(ext.state), undefined, "era 0 is paid");
  for (const v of validators) {
    const { pageCount } = storage.ErasStakersOverview.get(ext.state, 0, v)!;
    assert.equal(storage.ClaimedRewards.get(ext.state, 0, v).length, pageCount);
  }
  assert.equal(totalIssuance(ext.state) - issuance, 1_000n * TOKEN);
  assert.equal(paid.size, 2 + 20 + 2_600);
});

Deno.test("the worst era's payout weighs fewer blocks of the hook than a dev era has, at a small share of each", () => {
  const maxPages = MAX_VALIDATORS +
    Math.floor(MAX_NOMINATORS * MAX_NOMINATIONS / MAX_EXPOSURE_PAGE_SIZE);
  assert.equal(maxPages, 1_312);
  const perReward = WEIGHTS.payoutPage(1) - WEIGHTS.payoutPage(0);
  const worst = maxPages * (WEIGHTS.payoutStep + WEIGHTS.payoutPage(0)) +
    MAX_NOMINATORS * MAX_NOMINATIONS * perReward;
  // Each block pays at least PAYOUT_BUDGET until the era is paid.
  const blocks = Math.ceil(worst / PAYOUT_BUDGET);
  assert(blocks <= WORST_ERA_BLOCKS, `${blocks} blocks, documented as ${WORST_ERA_BLOCKS}`);
  assert(blocks <= DEV_ERA_LENGTH - 1);
  assert(MOST_A_BLOCK <= LIMITS.maxWeight / 10, "a tenth of a block at most");
});

Deno.test("paged payouts give every nominator exactly the unpaged rule's reward, and mint exactly EraPayout", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(0, 1, 511, 512, 513, 1_500),
      fc.integer({ min: 0, max: 1_000 }),
      fc.integer({ min: 0, max: 1_000 }),
      fc.bigInt({ min: 1n, max: 10n ** 15n }),
      fc.array(fc.nat(3), { maxLength: 4 }),
      (count, alicePoints, bobPoints, salt, early) => {
        const { ext } = chain(count, {
          bob: true,
          bond: (i) => 10n * TOKEN + (salt * BigInt(i + 1)) % (1_000n * TOKEN),
        });
        addRewardPoints(context(ext), aliceStash.publicKey, alicePoints);
        addRewardPoints(context(ext), bobStash.publicKey, bobPoints);
        const issuance = totalIssuance(ext.state);
        toEra(ext, 1);
        const expected = unpagedRule(ext, 0);
        // Some pages are paid by calls first, in any order.
        const paid = new Map<string, bigint>();
        for (const page of early) {
          ext.apply("Staking", "payoutStakers", {
            validatorStash: aliceStash.publicKey,
            era: 0,
            page,
          }, charlieStash);
        }
        rewards(ext, paid);
        for (const [who, amount] of payAll(ext)) paid.set(who, (paid.get(who) ?? 0n) + amount);
        assert.deepEqual(paid, expected);
        assert.equal(totalIssuance(ext.state) - issuance, 1_000n * TOKEN);
      },
    ),
    { numRuns: 12 },
  );
});

Deno.test("payoutStakers() refuses an era not ended, a stash not elected, a page out of range", () => {
  const { ext } = chain(600);
  const args = (era: number, page: number, stash = aliceStash) => ({
    validatorStash: stash.publicKey,
    era,
    page,
  });
  const noop = (a: ReturnType<typeof args>, error: string) =>
    assertNoop(ext, "Staking", "payoutStakers", a, charlieStash, `Staking.${error}`);
  noop(args(0, 0), "InvalidEraToReward");
  toEra(ext, 1);
  noop(args(1, 0), "InvalidEraToReward");
  noop(args(0, 0, bobStash), "NotStash");
  noop(args(0, 2), "InvalidPage");
  assert(ext.apply("Staking", "payoutStakers", args(0, 1), charlieStash).ok);
  noop(args(0, 1), "AlreadyClaimed");
  assertNoop(ext, "Staking", "payoutStakers", args(0, 0), "none", "BadOrigin");
});

Deno.test("rewards unpaid when an era falls out of HISTORY_DEPTH are no longer payable", () => {
  // One-block eras leave the hook no block to pay in: nothing is paid unless claimed.
  const ext = new TestExt({
    qosRewards: NO_QOS_ISSUANCE,
    staking: stakingConfig({ eraLength: 1 }),
  });
  const issuance = totalIssuance(ext.state);
  ext.nextBlock(HISTORY_DEPTH);
  const era = storage.CurrentEra.get(ext.state);
  const oldest = era - HISTORY_DEPTH + 1;
  const args = (e: number) => ({ validatorStash: aliceStash.publicKey, era: e, page: 0 });
  const noop = (e: number) =>
    assertNoop(ext, "Staking", "payoutStakers", args(e), dev.bob, "Staking.InvalidEraToReward");
  noop(oldest - 1);
  assert.equal(storage.ErasRewardOwed.get(ext.state, oldest - 1, aliceStash.publicKey), undefined);
  assert(ext.apply("Staking", "payoutStakers", args(oldest), dev.bob).ok);
  assert.equal(totalIssuance(ext.state) - issuance, 1_000n * TOKEN);
  // With longer eras the hook pays the rest, from the oldest era kept on.
  storage.EraLength.set(ext.state, 1_000);
  const paid = payAll(ext);
  assert.equal(paid.size, 1);
  assert.equal(totalIssuance(ext.state) - issuance, BigInt(HISTORY_DEPTH - 1) * 1_000n * TOKEN);
  noop(oldest - 1);
});
