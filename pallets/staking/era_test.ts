import assert from "node:assert/strict";
import type { DigestItem, Header } from "../../runtime/block/header.ts";
import {
  GRANDPA_ENGINE_ID,
  scheduledChangeLog,
  scheduledChangeOf,
} from "../../runtime/consensus/grandpa.ts";
import { BlockError, Executive } from "../../runtime/executive/executive.ts";
import { runtime } from "../../runtime/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { equalBytes, utf8 } from "../../runtime/primitives/bytes.ts";
import { MemoryNodeStore, Trie } from "../../runtime/trie/mod.ts";
import { verifyMulti } from "../../runtime/crypto/mod.ts";
import { assertEvent, assertNoop, dev, TestExt } from "../../runtime/testing/mod.ts";
import { runtimeGenesis } from "../../chain-spec/presets.ts";
import { authorities } from "../authorship/mod.ts";
import { MAX_AUTHORITIES } from "../authorship/benchmarking.ts";
import { totalIssuance } from "../balances/mod.ts";
import {
  context,
  ERA_LENGTH,
  free,
  keysArgs,
  NO_QOS_ISSUANCE,
  nominatorStaker,
  payAll,
  stakingConfig,
  toEra,
  TOKEN,
  validatorStaker,
} from "./_mock.ts";
import {
  addRewardPoints,
  addServiceScore,
  BLOCK_AUTHOR_POINTS,
  currentEra,
  currentValidators,
  eraExposure,
  isValidator,
  MAX_VALIDATORS,
  stakingStorage as storage,
} from "./mod.ts";

const { aliceStash, bobStash, charlieStash, daveStash } = dev;

const sorted = (...stashes: Uint8Array[]) =>
  [...stashes].sort((a, b) => toHex(a) < toHex(b) ? -1 : 1);

function ext3(overrides: Record<string, unknown> = {}): TestExt {
  return new TestExt({
    qosRewards: NO_QOS_ISSUANCE,
    staking: stakingConfig({
      stakers: [
        validatorStaker(aliceStash, dev.alice, 100_000n * TOKEN, 100_000_000),
        validatorStaker(bobStash, dev.bob, 50_000n * TOKEN, 0),
        nominatorStaker(charlieStash, dev.charlie, 30_000n * TOKEN, [aliceStash, bobStash]),
      ],
      ...overrides,
    }),
  });
}

Deno.test("an ended era pays the era payout in proportion to points, commission first", () => {
  const ext = ext3();
  addRewardPoints(context(ext), aliceStash.publicKey, 60);
  addRewardPoints(context(ext), bobStash.publicKey, 20);
  const issuance = totalIssuance(ext.state);
  const before = [aliceStash, bobStash, charlieStash].map((k) => free(ext, k));
  toEra(ext, 1);
  // The era's first block decides the payout and mints nothing; the next blocks pay it.
  assertEvent(ext, "Staking", "EraPaid", { eraIndex: 0, validatorPayout: 1_000n * TOKEN });
  assert.equal(totalIssuance(ext.state), issuance);
  const paid = payAll(ext);
  // Alice: 3/4 of 1000 = 750; 10% commission = 75; the other 675 split over her
  // exposure of 100k own + 15k Charlie (rounding dust to Alice).
  const charlieFromAlice = 675n * TOKEN * 15_000n / 115_000n;
  // Bob: 250, no commission, exposure 50k own + 15k Charlie.
  const charlieFromBob = 250n * TOKEN * 15_000n / 65_000n;
  assert.equal(charlieFromAlice, 88_043_478_260_869n);
  assert.equal(charlieFromBob, 57_692_307_692_307n);
  assert.equal(free(ext, aliceStash) - before[0], 661_956_521_739_131n);
  assert.equal(free(ext, bobStash) - before[1], 192_307_692_307_693n);
  assert.equal(free(ext, charlieStash) - before[2], charlieFromAlice + charlieFromBob);
  assert.equal(totalIssuance(ext.state) - issuance, 1_000n * TOKEN);
  assert.equal(paid.get(toHex(aliceStash.publicKey)), 661_956_521_739_131n);
});

/** Alice's and Bob's stashes validating with equal bonds, no commission, no nominators. */
const twoEqualValidators = () =>
  ext3({
    stakers: [
      validatorStaker(aliceStash, dev.alice, 100_000n * TOKEN, 0),
      validatorStaker(bobStash, dev.bob, 100_000n * TOKEN, 0),
    ],
  });

Deno.test("attack: a huge QoS score moves at most 20% of the era's points, not the whole payout", () => {
  const ext = twoEqualValidators();
  addRewardPoints(context(ext), aliceStash.publicKey, 100);
  addRewardPoints(context(ext), bobStash.publicKey, 100);
  // One fake receipt once gave Alice u32::MAX points and Bob nothing.
  addServiceScore(context(ext), aliceStash.publicKey, (1n << 64n) - 1n);
  toEra(ext, 1);
  const paid = payAll(ext);
  // Block points 100 + 100; the QoS budget is 200 × 20/80 = 50, all Alice's: 150 to 100.
  assert.equal(paid.get(toHex(aliceStash.publicKey)), 600n * TOKEN);
  assert.equal(paid.get(toHex(bobStash.publicKey)), 400n * TOKEN);
});

Deno.test("QoS scores split the QoS budget in proportion", () => {
  const ext = twoEqualValidators();
  addRewardPoints(context(ext), aliceStash.publicKey, 300);
  addRewardPoints(context(ext), bobStash.publicKey, 100);
  addServiceScore(context(ext), aliceStash.publicKey, 10n);
  addServiceScore(context(ext), bobStash.publicKey, 30n);
  addServiceScore(context(ext), charlieStash.publicKey, 1_000n); // no validator: ignored
  toEra(ext, 1);
  const paid = payAll(ext);
  // Budget 400 × 20/80 = 100: Alice 300 + 25, Bob 100 + 75, of 500 points.
  assert.equal(paid.get(toHex(aliceStash.publicKey)), 650n * TOKEN);
  assert.equal(paid.get(toHex(bobStash.publicKey)), 350n * TOKEN);
});

Deno.test("an era without reward points pays every validator as if it had one point", () => {
  const ext = ext3();
  toEra(ext, 1);
  const paid = payAll(ext);
  // 500 each; Alice keeps 50 commission and 450 * 100/115 of the rest, plus dust.
  const charlie = 450n * TOKEN * 15n / 115n + 500n * TOKEN * 15n / 65n;
  assert.equal(paid.get(toHex(charlieStash.publicKey)), charlie);
  assert.equal([...paid.values()].reduce((a, b) => a + b, 0n), 1_000n * TOKEN);
});

Deno.test("addRewardPoints() ignores a stash that is not a validator of the era", () => {
  const ext = ext3();
  addRewardPoints(context(ext), charlieStash.publicKey, 50);
  assert.deepEqual(storage.ErasRewardPoints.get(ext.state, 0), { total: 0, individual: [] });
});

Deno.test("the author of a block earns 20 points for its stash", () => {
  const ext = ext3();
  ext.nextBlock();
  // Build a block with a slot digest next to the harness's open one.
  const keys = authorities(ext.state);
  const slot = 1_000_001n;
  const slotBytes = new Uint8Array(8);
  new DataView(slotBytes.buffer).setBigUint64(0, slot, true);
  const author = keys[Number(slot % BigInt(keys.length))];
  const builder = ext.executive.buildBlock(ext.parent, [
    { tag: "PreRuntime", value: [utf8("aura"), slotBytes] },
  ]);
  const stash = storage.KeyOwner.get(builder.state, author)!;
  assert.deepEqual(storage.ErasRewardPoints.get(builder.state, 0), {
    total: BLOCK_AUTHOR_POINTS,
    individual: [{ who: stash, points: BLOCK_AUTHOR_POINTS }],
  });
});

Deno.test("the election picks the best-backed validators, in stash order", () => {
  const ext = new TestExt({
    staking: stakingConfig({
      stakers: [
        validatorStaker(aliceStash, dev.alice, 100_000n * TOKEN),
        validatorStaker(bobStash, dev.bob, 50_000n * TOKEN),
        validatorStaker(charlieStash, dev.charlie, 20_000n * TOKEN),
        nominatorStaker(daveStash, dev.dave, 200_000n * TOKEN, [charlieStash]),
      ],
    }),
  });
  const winners = sorted(aliceStash.publicKey, charlieStash.publicKey);
  assert.deepEqual(storage.ErasValidators.get(ext.state, 0), winners);
  assert.deepEqual(eraExposure(ext.state, 0, charlieStash.publicKey), {
    total: 220_000n * TOKEN,
    own: 20_000n * TOKEN,
    others: [{ who: daveStash.publicKey, value: 200_000n * TOKEN }],
  });
  assert.equal(isValidator(ext.state, bobStash.publicKey), false);
  // Bob gains backing: Dave moves to him, and he wins era 1.
  assert(
    ext.apply("Staking", "nominate", {
      targets: [{ tag: "Id", value: bobStash.publicKey }],
    }, daveStash).ok,
  );
  toEra(ext, 1);
  const next = sorted(aliceStash.publicKey, bobStash.publicKey);
  assert.deepEqual(currentValidators(ext.state), next);
  const keys = next.map((s) => storage.SessionKeys.get(ext.state, s)!);
  assertEvent(ext, "Staking", "NewValidatorSet", { era: 1, validators: next, sessionKeys: keys });
  assert.deepEqual(authorities(ext.state), keys);
  assert.equal(currentEra(ext.state), 1);
});

Deno.test("a nominator's stake is split evenly among candidate targets, remainder to the first", () => {
  const odd = 30_000n * TOKEN + 1n;
  const ext = new TestExt({
    staking: stakingConfig({
      validatorCount: 3,
      stakers: [
        validatorStaker(aliceStash, dev.alice, 100_000n * TOKEN),
        validatorStaker(bobStash, dev.bob, 100_000n * TOKEN),
        nominatorStaker(daveStash, dev.dave, odd, [bobStash, aliceStash]),
      ],
    }),
  });
  const [first, second] = sorted(aliceStash.publicKey, bobStash.publicKey);
  const share = (s: Uint8Array) => eraExposure(ext.state, 0, s)!.others[0].value;
  assert.equal(share(first), 15_000n * TOKEN + 1n);
  assert.equal(share(second), 15_000n * TOKEN);
});

Deno.test("equal backing is broken by stash bytes", () => {
  const ext = new TestExt({
    staking: stakingConfig({
      validatorCount: 1,
      stakers: [
        validatorStaker(aliceStash, dev.alice, 100_000n * TOKEN),
        validatorStaker(bobStash, dev.bob, 100_000n * TOKEN),
      ],
    }),
  });
  assert.deepEqual(currentValidators(ext.state), [
    sorted(aliceStash.publicKey, bobStash.publicKey)[0],
  ]);
});

Deno.test("chilled and under-bonded validators are not candidates", () => {
  const ext = ext3({ validatorCount: 5 });
  assert(ext.apply("Staking", "chill", {}, bobStash).ok);
  storage.MinValidatorBond.set(ext.state, 100_001n * TOKEN);
  toEra(ext, 1);
  // No candidate is left: the previous set carries over, exposures and all.
  assert.deepEqual(currentValidators(ext.state), storage.ErasValidators.get(ext.state, 0));
  assert.deepEqual(
    eraExposure(ext.state, 1, aliceStash.publicKey),
    eraExposure(ext.state, 0, aliceStash.publicKey),
  );
  storage.MinValidatorBond.set(ext.state, 1_000n * TOKEN);
  toEra(ext, 2);
  assert.deepEqual(currentValidators(ext.state), [aliceStash.publicKey]);
});

Deno.test("a validator without a session key is not a candidate", () => {
  const ext = ext3();
  storage.SessionKeys.remove(ext.state, bobStash.publicKey);
  toEra(ext, 1);
  assert.deepEqual(currentValidators(ext.state), [aliceStash.publicKey]);
});

Deno.test("setValidatorCount() is root's, from 1 to MAX_VALIDATORS, and the next election picks that many", () => {
  const ext = ext3();
  const set = (count: number) => ({ new: count });
  assertNoop(ext, "Staking", "setValidatorCount", set(1), aliceStash, "BadOrigin");
  for (const count of [0, MAX_VALIDATORS + 1, 0xffff_ffff]) {
    assertNoop(
      ext,
      "Staking",
      "setValidatorCount",
      set(count),
      "root",
      "Staking.InvalidValidatorCount",
    );
  }
  assert(ext.apply("Staking", "setValidatorCount", set(MAX_VALIDATORS), "root").ok);
  assert.equal(storage.ValidatorCount.get(ext.state), MAX_VALIDATORS);
  assert(ext.apply("Staking", "setValidatorCount", set(1), "root").ok);
  toEra(ext, 1);
  assert.equal(currentValidators(ext.state).length, 1);
});

Deno.test("the authority set's per-block weight is priced for MAX_VALIDATORS authorities", () => {
  assert.equal(MAX_VALIDATORS, MAX_AUTHORITIES);
});

Deno.test("eras start every eraLength blocks", () => {
  const ext = ext3();
  ext.nextBlock(ERA_LENGTH - 2);
  assert.equal(ext.blockNumber, ERA_LENGTH - 1);
  assert.equal(currentEra(ext.state), 0);
  ext.nextBlock();
  assert.equal(currentEra(ext.state), 1);
});

function genesisError(staking: Record<string, unknown>): string {
  const executive = new Executive(runtime, new Trie(new MemoryNodeStore()), verifyMulti);
  try {
    executive.genesis({ ...runtimeGenesis(["Alice"]), staking: stakingConfig(staking) });
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

Deno.test("genesis rejects bad parameters and stakers, naming the field", () => {
  assert.equal(
    genesisError({ eraLength: 0 }),
    "genesis.runtime.staking.eraLength: must be at least 1",
  );
  assert.equal(
    genesisError({ validatorCount: 0 }),
    "genesis.runtime.staking.validatorCount: must be at least 1",
  );
  assert.equal(
    genesisError({ validatorCount: MAX_VALIDATORS + 1 }),
    "genesis.runtime.staking.validatorCount: must be at most 1000 (MaxValidators)",
  );
  assert.equal(genesisError({ validatorCount: MAX_VALIDATORS }), "no error");
  const alice = validatorStaker(aliceStash, dev.alice, 100_000n * TOKEN);
  assert.match(genesisError({ stakers: [alice, alice] }), /stakers\[1\]\.stash: bonded twice/);
  assert.match(
    genesisError({ stakers: [validatorStaker(aliceStash, dev.alice, 10n * TOKEN)] }),
    /stakers\[0\]\.bond: below minValidatorBond/,
  );
  assert.match(
    genesisError({
      stakers: [alice, nominatorStaker(bobStash, dev.bob, 100n * TOKEN, [charlieStash])],
    }),
    /stakers\[1\]\.role\.Nominator\[0\]: not a genesis validator/,
  );
  assert.match(
    genesisError({ stakers: [alice, validatorStaker(bobStash, dev.alice, 100_000n * TOKEN)] }),
    /stakers\[1\]\.sessionKey: used by another staker/,
  );
});

Deno.test("genesis bonds the stakers and elects era 0", () => {
  const ext = ext3();
  assert.deepEqual(
    currentValidators(ext.state),
    sorted(aliceStash.publicKey, bobStash.publicKey),
  );
  assert.equal(storage.Ledger.get(ext.state, charlieStash.publicKey)?.active, 30_000n * TOKEN);
  assert.deepEqual(
    authorities(ext.state),
    currentValidators(ext.state).map((s) => storage.SessionKeys.get(ext.state, s)!),
  );
});

/** Alice validating at genesis; Bob's stash bonds, sets his key and validates in era 0. */
function bobJoins(): TestExt {
  const ext = new TestExt({ staking: stakingConfig() });
  assert(ext.apply("Staking", "bond", { value: 50_000n * TOKEN }, bobStash).ok);
  assert(ext.apply("Staking", "setKeys", keysArgs(bobStash, dev.bob), bobStash).ok);
  const prefs = { commissionPerbill: 0, blocked: false };
  assert(ext.apply("Staking", "validate", { prefs }, bobStash).ok);
  return ext;
}

/** The block that starts `era`, finished: its parent, header and body. */
function eraBlock(
  ext: TestExt,
  era: number,
): { parent: Header; header: Header; extrinsics: Uint8Array[] } {
  toEra(ext, era);
  const parent = ext.parent;
  const extrinsics = [...ext.extrinsics];
  ext.nextBlock();
  return { parent, header: ext.parent, extrinsics };
}

const frnkLogs = (digest: DigestItem[]) =>
  digest.filter((d) => d.tag === "Consensus" && equalBytes(d.value[0], utf8(GRANDPA_ENGINE_ID)));

Deno.test("the block that starts an era signals the elected set in one FRNK ScheduledChange", () => {
  const ext = bobJoins();
  const { header } = eraBlock(ext, 1);
  const state = ext.executive.stateAt(header.stateRoot);
  const keys = currentValidators(state).map((stash) => storage.SessionKeys.get(state, stash)!);
  assert.equal(keys.length, 2);
  assert(keys.some((key) => equalBytes(key, dev.bob.publicKey)));
  assert.equal(frnkLogs(header.digest).length, 1);
  assert.deepEqual(scheduledChangeOf(header.digest), {
    nextAuthorities: keys.map((key) => [key, 1n]),
    delay: 0,
  });
  assert.deepEqual(authorities(state), keys);
});

Deno.test("only the block that starts an era signals a set change", () => {
  const ext = bobJoins();
  for (let n = 1; n <= ERA_LENGTH + 1; n++) {
    ext.nextBlock();
    assert.equal(ext.parent.number, n);
    assert.equal(frnkLogs(ext.parent.digest).length, n === ERA_LENGTH ? 1 : 0, `block ${n}`);
  }
});

Deno.test("an era block whose header hides the set change is refused and stores nothing; as built it imports", () => {
  const ext = bobJoins();
  const { parent, header, extrinsics } = eraBlock(ext, 1);
  const change = frnkLogs(header.digest)[0];
  const seal: DigestItem = { tag: "Seal", value: [utf8("aura"), new Uint8Array(64)] };
  const nodes = ext.store.size;
  const attacks: DigestItem[][] = [
    // Dropped: followers of headers would keep the old set finalizing.
    [],
    [seal],
    // Behind the seal, outside the digest the runtime computes.
    [seal, change],
    // Replaced by a change to a set of the author's choosing.
    [scheduledChangeLog([dev.eve.publicKey])],
  ];
  for (const digest of attacks) {
    assert.throws(
      () => ext.executive.executeBlock(parent, { header: { ...header, digest }, extrinsics }),
      (e) => e instanceof BlockError && e.code === "BLOCK_ERROR_DIGEST_MISMATCH",
    );
  }
  assert.equal(ext.store.size, nodes);
  const sealed = { ...header, digest: [...header.digest, seal] };
  assert.deepEqual(
    ext.executive.executeBlock(parent, { header: sealed, extrinsics }).header,
    sealed,
  );
});
