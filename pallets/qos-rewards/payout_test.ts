/**
 * The era payout: the pot, topped up by the era's issuance, is split among
 * the era's relays by score; validator relays also hand their score to
 * staking.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { assertEvent, dev, type TestExt } from "../../runtime/testing/mod.ts";
import type { Keypair } from "../../runtime/crypto/mod.ts";
import { freeBalance } from "../balances/mod.ts";
import { currentEra, stakingStorage } from "../staking/mod.ts";
import { isCarrying } from "../streams/mod.ts";
import {
  accepted,
  carry,
  ED,
  lateInEra,
  liveStream,
  newExt,
  ok,
  pay,
  pot,
  QOS,
  receipt,
  register,
  report,
  toEra,
  TOKEN,
} from "./_mock.ts";
import { countedReceipt, eraService, POT_ACCOUNT, qualityPermill, rewardEra } from "./mod.ts";

const viewers = [dev.charlie, dev.dave];

/**
 * `relay` serves `seconds` of `stream` to Charlie, who pays for them, and
 * reports it late in the era (so that the era has lasted them).
 */
function serve(
  ext: TestExt,
  relay: Keypair,
  stream: bigint,
  seconds: number,
  quality: { lossPermill?: number; jitterMs?: number } = {},
): void {
  if (!isCarrying(ext.state, stream, relay.publicKey)) carry(ext, relay, stream);
  pay(ext, dev.charlie, relay, stream, seconds);
  lateInEra(ext);
  const era = currentEra(ext.state);
  const counted = countedReceipt(ext.state, era, relay.publicKey, stream, dev.charlie.publicKey);
  accepted(ext, relay, report(ext, stream, quality), [
    receipt(ext, dev.charlie, relay, stream, (counted?.seconds ?? 0) + seconds),
  ]);
}

/** A live stream by Eve at 1,000 planck a second. */
const paidStream = (ext: TestExt) => liveStream(ext, dev.eve, 1_000n);

Deno.test("two relays are paid in proportion to their scores, dust staying in the pot", () => {
  const ext = newExt();
  register(ext, dev.bob);
  register(ext, dev.ferdie);
  const stream = paidStream(ext);
  serve(ext, dev.bob, stream, 600);
  serve(ext, dev.ferdie, stream, 300, { lossPermill: 10_000 }); // 90% quality: score 270
  const bob = freeBalance(ext.state, dev.bob.publicKey);
  const ferdie = freeBalance(ext.state, dev.ferdie.publicKey);
  assert.equal(pot(ext), ED);

  toEra(ext, 1);
  // 1000 tokens split 600 : 270, rounded down; 1 unit of dust stays.
  assertEvent(ext, "QosRewards", "RelayRewarded", {
    relay: dev.bob.publicKey,
    era: 0,
    amount: 689_655_172_413_793n,
  });
  assertEvent(ext, "QosRewards", "RelayRewarded", {
    relay: dev.ferdie.publicKey,
    era: 0,
    amount: 310_344_827_586_206n,
  });
  assertEvent(ext, "QosRewards", "EraRewardsPaid", { era: 0, total: 999_999_999_999_999n });
  assert.equal(freeBalance(ext.state, dev.bob.publicKey), bob + 689_655_172_413_793n);
  assert.equal(freeBalance(ext.state, dev.ferdie.publicKey), ferdie + 310_344_827_586_206n);
  assert.equal(pot(ext), ED + 1n);
});

Deno.test("the payout clears the era's service and moves on to the new era", () => {
  const ext = newExt();
  register(ext, dev.bob);
  const stream = paidStream(ext);
  serve(ext, dev.bob, stream, 60);
  toEra(ext, 1);
  assert.equal(rewardEra(ext.state), 1);
  assert.equal(eraService(ext.state, 0, dev.bob.publicKey), undefined);
  assert.equal(
    countedReceipt(ext.state, 0, dev.bob.publicKey, stream, dev.charlie.publicKey),
    undefined,
  );
  // Receipts count afresh in the new era.
  serve(ext, dev.bob, stream, 60);
  assert.equal(eraService(ext.state, 1, dev.bob.publicKey)?.verifiedSeconds, 60n);
});

Deno.test("the payout happens once, at the era boundary", () => {
  const ext = newExt();
  register(ext, dev.bob);
  serve(ext, dev.bob, paidStream(ext), 60);
  toEra(ext, 1);
  const after = freeBalance(ext.state, dev.bob.publicKey);
  ext.nextBlock(3);
  assert.equal(freeBalance(ext.state, dev.bob.publicKey), after);
  assert.ok(!ext.events().some((e) => e.pallet === "QosRewards"));
});

Deno.test("when no relay served, the pot keeps the era's issuance", () => {
  const ext = newExt();
  register(ext, dev.bob);
  toEra(ext, 1);
  assertEvent(ext, "QosRewards", "EraRewardsPaid", { era: 0, total: 0n });
  assert.equal(pot(ext), ED + QOS.eraIssuance);
  // ...and pays it out with the next era's.
  serve(ext, dev.bob, paidStream(ext), 10);
  const bob = freeBalance(ext.state, dev.bob.publicKey);
  toEra(ext, 2);
  assert.equal(freeBalance(ext.state, dev.bob.publicKey), bob + 2n * QOS.eraIssuance);
  assert.equal(pot(ext), ED);
});

Deno.test("fees and shares paid into the pot are distributed too", () => {
  const ext = newExt({ eraIssuance: 0n });
  register(ext, dev.bob);
  serve(ext, dev.bob, paidStream(ext), 10);
  ok(ext, "Balances", "transferKeepAlive", {
    dest: { tag: "Id", value: POT_ACCOUNT },
    value: 5n * TOKEN,
  }, dev.dave);
  toEra(ext, 1);
  assertEvent(ext, "QosRewards", "RelayRewarded", { relay: dev.bob.publicKey, amount: 5n * TOKEN });
  assert.equal(pot(ext), ED);
});

Deno.test("a relay that deregistered during the era is still paid for its service", () => {
  const ext = newExt();
  register(ext, dev.bob);
  serve(ext, dev.bob, paidStream(ext), 10);
  ok(ext, "QosRewards", "deregisterRelay", {}, dev.bob);
  toEra(ext, 1);
  assertEvent(ext, "QosRewards", "RelayRewarded", {
    relay: dev.bob.publicKey,
    amount: QOS.eraIssuance,
  });
});

Deno.test("a validator relay's score goes to staking, which turns it into bounded reward points", () => {
  const ext = newExt();
  const stash = dev.aliceStash;
  register(ext, stash);
  serve(ext, stash, paidStream(ext), 500, { jitterMs: 200 }); // quality 98%
  assert.equal(stakingStorage.ErasServiceScores.get(ext.state, 0, stash.publicKey), 490n);
});

Deno.test("a relay that is not a validator earns no staking score", () => {
  const ext = newExt();
  register(ext, dev.bob);
  serve(ext, dev.bob, paidStream(ext), 500);
  assert.equal(stakingStorage.ErasServiceScores.get(ext.state, 0, dev.bob.publicKey), undefined);
});

Deno.test("property: the pot plus the rewards paid is exactly what came in", () => {
  const relays = [dev.bob, dev.ferdie, dev.aliceStash];
  const service = fc.record({
    relay: fc.integer({ min: 0, max: relays.length - 1 }),
    viewer: fc.integer({ min: 0, max: viewers.length - 1 }),
    // Six services of at most 100 s fit in the 600 s the era has lasted.
    seconds: fc.integer({ min: 1, max: 100 }),
    lossPermill: fc.integer({ min: 0, max: 150_000 }),
    jitterMs: fc.integer({ min: 0, max: 2_000 }),
  });
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 10n ** 18n }),
      fc.bigInt({ min: 0n, max: 10n ** 15n }),
      fc.array(service, { maxLength: 6 }),
      (eraIssuance, extra, services) => {
        const ext = newExt({ eraIssuance });
        relays.forEach((r) => register(ext, r));
        const stream = paidStream(ext);
        relays.forEach((r) => carry(ext, r, stream));
        if (extra > 0n) {
          ok(ext, "Balances", "transferKeepAlive", {
            dest: { tag: "Id", value: POT_ACCOUNT },
            value: extra,
          }, dev.dave);
        }
        const cumulative = new Map<string, number>();
        let totalScore = 0n;
        for (const s of services) {
          const key = `${s.relay}/${s.viewer}`;
          const seconds = (cumulative.get(key) ?? 0) + s.seconds;
          cumulative.set(key, seconds);
          const relay = relays[s.relay];
          pay(ext, viewers[s.viewer], relay, stream, s.seconds);
          lateInEra(ext);
          accepted(ext, relay, report(ext, stream, s), [
            receipt(ext, viewers[s.viewer], relay, stream, seconds),
          ]);
          totalScore += BigInt(s.seconds) * qualityPermill(s.lossPermill, s.jitterMs) / 1_000_000n;
        }
        const potBefore = pot(ext);
        toEra(ext, 1);
        const paid = ext.events()
          .filter((e) => e.pallet === "QosRewards" && e.name === "RelayRewarded")
          .reduce((sum, e) => sum + (e.data.amount as bigint), 0n);
        // Nothing created or lost beyond the era's issuance.
        assert.equal(pot(ext) + paid, potBefore + eraIssuance);
        assertEvent(ext, "QosRewards", "EraRewardsPaid", { era: 0, total: paid });
        // The pot never falls below the existential deposit, and when anyone
        // scored, only rounding dust (less than a unit per relay) stays.
        assert.ok(pot(ext) >= ED);
        if (totalScore > 0n) assert.ok(pot(ext) - ED < BigInt(relays.length));
        else assert.equal(paid, 0n);
      },
    ),
    { numRuns: 12 },
  );
});
