/**
 * Benchmarks of the staking pallet's calls and hooks, each in its worst case,
 * on the tests' chain (`_mock.ts`: 10-block eras, Alice's stash validating):
 * a nomination of {@link MAX_NOMINATIONS} validators, a ledger of
 * {@link MAX_UNLOCKING_CHUNKS} chunks, a stash removed by its withdrawal;
 * the era boundary's election of up to {@link MAX_VALIDATORS} validators
 * backed by nominators that each name 16; the payout's step and a page of
 * up to {@link MAX_EXPOSURE_PAGE_SIZE} nominators whose rewards create
 * their accounts.
 *
 * Storage is written directly where calls would take long to get there
 * (thousands of stakers, a paid era), as frame-benchmarking's setups do.
 *
 * @module
 */
import {
  account,
  defineBenchmarks,
  ensure,
  fund,
  hasEvent,
  ok,
} from "../../runtime/benchmarking/mod.ts";
import type { Keypair } from "../../runtime/crypto/mod.ts";
import { blockHash, type DigestItem, encodeHeader } from "../../runtime/block/header.ts";
import { utf8 } from "../../runtime/primitives/bytes.ts";
import { dev, type TestExt } from "../../runtime/testing/mod.ts";
import { authorshipStorage } from "../authorship/mod.ts";
import { keysArgs, newExt, TOKEN } from "./_mock.ts";
import {
  MAX_EXPOSURE_PAGE_SIZE,
  MAX_NOMINATIONS,
  MAX_NOMINATORS,
  MAX_UNLOCKING_CHUNKS,
  MAX_VALIDATORS,
  storage,
} from "./_storage.ts";

/**
 * Nominators the era hook is benchmarked up to. Its weight is a linear
 * function of them, measured over this range and extrapolated to
 * {@link MAX_NOMINATORS}: at that many every dispatch would take seconds.
 */
const ERA_NOMINATORS = Math.min(2_000, MAX_NOMINATORS);
const BOND = 10_000n * TOKEN;
const stash = account("stash", 0);

/** `who`, funded and bonded `bond`. */
function bonded(ext: TestExt, who: Keypair = stash, bond = BOND): void {
  fund(ext, who.publicKey, 2n * bond);
  ok(ext.apply("Staking", "bond", { value: bond }, who), "Staking.bond");
}

/** `count` validators (stashes in storage, with session keys and bonds), as the election reads them. */
function validators(ext: TestExt, count: number, tag = "validator"): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const who = account(tag, i).publicKey;
    storage.Ledger.set(ext.state, who, { stash: who, total: BOND, active: BOND, unlocking: [] });
    storage.Validators.set(ext.state, who, { commissionPerbill: 50_000_000, blocked: false });
    storage.SessionKeys.set(ext.state, who, account(`${tag}-key`, i).publicKey);
    return who;
  });
}

/** `who`'s nomination of the first `count` of `targets`, by the call. */
function nominating(ext: TestExt, who: Keypair, targets: Uint8Array[], count: number): void {
  const addresses = targets.slice(0, count).map((value) => ({ tag: "Id", value }));
  ok(ext.apply("Staking", "nominate", { targets: addresses }, who), "Staking.nominate");
}

/** A header for `slot` sealed by `signer`, differing from others by `root`. */
function sealedHeader(signer: Keypair, slot: bigint, root: number): Uint8Array {
  const slotBytes = new Uint8Array(8);
  new DataView(slotBytes.buffer).setBigUint64(0, slot, true);
  const header = {
    parentHash: new Uint8Array(32).fill(1),
    number: 7,
    stateRoot: new Uint8Array(32).fill(root),
    extrinsicsRoot: new Uint8Array(32).fill(3),
    digest: [{ tag: "PreRuntime", value: [utf8("aura"), slotBytes] }] as DigestItem[],
  };
  const signature = signer.sign(blockHash(header));
  return encodeHeader({
    ...header,
    digest: [...header.digest, { tag: "Seal", value: [utf8("aura"), signature] }],
  });
}

/**
 * An ended era 0 owing its one validator `validator` a share, whose page 0
 * holds `nominators` nominators with no account yet (each reward creates
 * one), and the hook's cursor on it; era 1 in progress.
 */
function owedPage(ext: TestExt, validator: Uint8Array, nominators: number): void {
  const others = Array.from({ length: nominators }, (_, i) => ({
    who: account("paid", i).publicKey,
    value: BOND,
  }));
  const total = BOND * BigInt(nominators + 1);
  const share = 1_000_000n * TOKEN;
  storage.CurrentEra.set(ext.state, 1);
  storage.ErasValidators.set(ext.state, 0, [validator]);
  storage.ErasStakersOverview.set(ext.state, 0, validator, {
    total,
    own: BOND,
    nominatorCount: nominators,
    pageCount: 1,
  });
  storage.ErasStakersPaged.set(ext.state, 0, [validator, 0], { pageTotal: total - BOND, others });
  storage.ErasValidatorPrefs.set(ext.state, 0, validator, {
    commissionPerbill: 50_000_000,
    blocked: false,
  });
  storage.ErasRewardOwed.set(ext.state, 0, validator, { share, unpaid: share });
  storage.ClaimedRewards.remove(ext.state, 0, validator);
  storage.PayoutCursor.set(ext.state, { era: 0, index: 0 });
}

const pageNominators = { name: "nominators", min: 0, max: MAX_EXPOSURE_PAGE_SIZE };

/** The staking pallet's benchmarks. */
export const benchmarks = defineBenchmarks({
  pallet: "Staking",
  newExt: () => newExt(),
  benchmarks: {
    bond: {
      docs: "A ledger, a lock and a consumer reference for a new stash.",
      setup(ext) {
        fund(ext, stash.publicKey, 2n * BOND);
        return { call: "bond", origin: stash.publicKey, args: { value: BOND } };
      },
      verify: (ext) => ensure(storage.Ledger.contains(ext.state, stash.publicKey), "not bonded"),
    },
    bondExtra: {
      docs: "The ledger and its lock grow.",
      setup(ext) {
        bonded(ext);
        return { call: "bondExtra", origin: stash.publicKey, args: { maxAdditional: BOND } };
      },
      verify: (ext) => ensure(hasEvent(ext, "Staking", "Bonded"), "not bonded"),
    },
    unbond: {
      docs: `A nominator's ledger of ${MAX_UNLOCKING_CHUNKS - 1} unlocking chunks gets one more.`,
      components: [{ name: "chunks", min: 0, max: MAX_UNLOCKING_CHUNKS - 1 }],
      setup(ext, c) {
        bonded(ext);
        nominating(ext, stash, storage.ErasValidators.get(ext.state, 0), 1);
        const unlocking = Array.from({ length: c.chunks }, (_, i) => ({ value: TOKEN, era: i }));
        storage.CurrentEra.set(ext.state, c.chunks);
        storage.Ledger.set(ext.state, stash.publicKey, {
          stash: stash.publicKey,
          total: BOND,
          active: BOND - BigInt(c.chunks) * TOKEN,
          unlocking,
        });
        return { call: "unbond", origin: stash.publicKey, args: { value: TOKEN } };
      },
      verify: (ext) => ensure(hasEvent(ext, "Staking", "Unbonded"), "not unbonded"),
    },
    withdrawUnbonded: {
      docs: `${MAX_UNLOCKING_CHUNKS} chunks released and the stash removed (ledger, lock, ` +
        "consumer reference, nomination, session keys).",
      components: [{ name: "chunks", min: 1, max: MAX_UNLOCKING_CHUNKS }],
      setup(ext, c) {
        bonded(ext);
        ok(ext.apply("Staking", "setKeys", keysArgs(stash, account("key", 0)), stash), "setKeys");
        nominating(ext, stash, storage.ErasValidators.get(ext.state, 0), 1);
        const value = BOND / BigInt(c.chunks);
        const unlocking = Array.from({ length: c.chunks }, () => ({ value, era: 0 }));
        unlocking[0].value += BOND - value * BigInt(c.chunks);
        storage.Ledger.set(ext.state, stash.publicKey, {
          stash: stash.publicKey,
          total: BOND,
          active: 0n,
          unlocking,
        });
        storage.CurrentEra.set(ext.state, storage.BondingDuration.get(ext.state));
        return { call: "withdrawUnbonded", origin: stash.publicKey, args: {} };
      },
      verify: (ext) => ensure(!storage.Ledger.contains(ext.state, stash.publicKey), "not removed"),
    },
    validate: {
      docs: "A nominator of 16 validators, with a session key, becomes a validator.",
      setup(ext) {
        bonded(ext);
        ok(ext.apply("Staking", "setKeys", keysArgs(stash, account("key", 0)), stash), "setKeys");
        nominating(ext, stash, validators(ext, MAX_NOMINATIONS), MAX_NOMINATIONS);
        return {
          call: "validate",
          origin: stash.publicKey,
          args: { prefs: { commissionPerbill: 50_000_000, blocked: false } },
        };
      },
      verify: (ext) => ensure(storage.Validators.contains(ext.state, stash.publicKey), "no prefs"),
    },
    nominate: {
      docs: "A validator becomes a new nominator: each target looked up and checked against " +
        "`Validators`, the nominator counter raised.",
      components: [{ name: "targets", min: 1, max: MAX_NOMINATIONS }],
      params: ["targets"],
      setup(ext, c) {
        bonded(ext);
        ok(ext.apply("Staking", "setKeys", keysArgs(stash, account("key", 0)), stash), "setKeys");
        const prefs = { commissionPerbill: 0, blocked: false };
        ok(ext.apply("Staking", "validate", { prefs }, stash), "Staking.validate");
        const targets = validators(ext, c.targets).map((value) => ({ tag: "Id", value }));
        return { call: "nominate", origin: stash.publicKey, args: { targets } };
      },
      verify: (ext) => ensure(storage.Nominators.contains(ext.state, stash.publicKey), "none"),
    },
    chill: {
      docs: "A nominator of 16 validators stops nominating.",
      setup(ext) {
        bonded(ext);
        nominating(ext, stash, validators(ext, MAX_NOMINATIONS), MAX_NOMINATIONS);
        return { call: "chill", origin: stash.publicKey, args: {} };
      },
      verify: (ext) => ensure(!storage.Nominators.contains(ext.state, stash.publicKey), "still"),
    },
    setKeys: {
      docs: "An ed25519 verification; a queued key is replaced (and retired).",
      setup(ext) {
        bonded(ext);
        ok(ext.apply("Staking", "setKeys", keysArgs(stash, account("key", 0)), stash), "setKeys");
        return {
          call: "setKeys",
          origin: stash.publicKey,
          args: keysArgs(stash, account("key", 1)),
        };
      },
      verify: (ext) => ensure(hasEvent(ext, "Staking", "SessionKeySet"), "no key set"),
    },
    setValidatorCount: {
      docs: "One write.",
      setup: () => ({ call: "setValidatorCount", origin: "root", args: { new: MAX_VALIDATORS } }),
      verify: (ext) => ensure(storage.ValidatorCount.get(ext.state) === MAX_VALIDATORS, "unset"),
    },
    reportEquivocation: {
      docs: "Two ed25519 verifications of a block equivocation, then a slash of the active bond " +
        `and ${MAX_UNLOCKING_CHUNKS} unlocking chunks, a chill and a disabling.`,
      setup(ext) {
        const [validator] = storage.ErasValidators.get(ext.state, 0);
        const key = storage.SessionKeys.get(ext.state, validator)!;
        const ledger = storage.Ledger.get(ext.state, validator)!;
        const chunk = TOKEN;
        storage.Ledger.set(ext.state, validator, {
          ...ledger,
          active: ledger.total - BigInt(MAX_UNLOCKING_CHUNKS) * chunk,
          unlocking: Array.from({ length: MAX_UNLOCKING_CHUNKS }, () => ({ value: chunk, era: 0 })),
        });
        // The mock's validator is Alice's stash; its session key is //Alice's.
        const signer = dev.alice;
        const proof = {
          tag: "Blocks",
          value: {
            offender: key,
            first: sealedHeader(signer, 42n, 7),
            second: sealedHeader(signer, 42n, 8),
          },
        };
        fund(ext, account("reporter", 0).publicKey, 1_000n * TOKEN);
        return {
          call: "reportEquivocation",
          origin: account("reporter", 0).publicKey,
          args: { proof },
        };
      },
      verify: (ext) => ensure(hasEvent(ext, "Staking", "OffenceReported"), "not reported"),
    },
    onInitializeBlock: {
      docs: "The `onInitialize` hook in a block that pays nothing: the author's points credited.",
      setup(ext) {
        const [validator] = storage.ErasValidators.get(ext.state, 0);
        authorshipStorage.Author.set(ext.state, storage.SessionKeys.get(ext.state, validator)!);
        storage.PayoutCursor.remove(ext.state);
        return { hook: "onInitialize" };
      },
      verify: (ext) => ensure(storage.ErasRewardPoints.get(ext.state, 0).total > 0, "no points"),
    },
    onInitializeEra: {
      docs: "The `onInitialize` hook at an era boundary: the ended era's payout decided (a " +
        "share per validator), and the election of `validators` among as many candidates, " +
        `backed by \`nominators\` each naming ${MAX_NOMINATIONS} (measured up to ` +
        `${ERA_NOMINATORS} nominators, linear).`,
      components: [
        { name: "validators", min: MAX_NOMINATIONS, max: MAX_VALIDATORS },
        { name: "nominators", min: 0, max: ERA_NOMINATORS },
      ],
      params: ["validators", "nominators"],
      setup(ext, c) {
        const stashes = validators(ext, c.validators);
        storage.ValidatorCount.set(ext.state, c.validators);
        storage.ErasValidators.set(ext.state, 0, stashes);
        storage.ErasRewardPoints.set(ext.state, 0, {
          total: 20 * stashes.length,
          individual: stashes.map((who) => ({ who, points: 20 }))
            .sort((a, b) => (a.who < b.who ? -1 : 1)),
        });
        for (let i = 0; i < c.nominators; i++) {
          const who = account("nominator", i).publicKey;
          storage.Ledger.set(ext.state, who, {
            stash: who,
            total: BOND + BigInt(i),
            active: BOND + BigInt(i),
            unlocking: [],
          });
          const targets = Array.from(
            { length: Math.min(MAX_NOMINATIONS, stashes.length) },
            (_, j) => stashes[(i + j * 61) % stashes.length],
          );
          storage.Nominators.set(ext.state, who, [...new Set(targets)]);
        }
        storage.CounterForNominators.set(ext.state, c.nominators);
        storage.EraLength.set(ext.state, ext.blockNumber);
        return { hook: "onInitialize" };
      },
      verify(ext, c) {
        ensure(hasEvent(ext, "Staking", "EraPaid"), "no era paid");
        const elected = storage.ErasValidators.get(ext.state, storage.CurrentEra.get(ext.state));
        ensure(elected.length === c.validators, `${elected.length} of ${c.validators} elected`);
      },
    },
    payoutStep: {
      docs: "The hook's look at a validator under the payout cursor whose pages were all paid " +
        "by `payoutStakers` (overview, owed share).",
      setup(ext) {
        const [validator] = storage.ErasValidators.get(ext.state, 0);
        owedPage(ext, validator, 0);
        storage.ErasRewardOwed.remove(ext.state, 0, validator);
        storage.ClaimedRewards.set(ext.state, 0, validator, [0]);
        return { hook: "onInitialize" };
      },
      verify: (ext) => ensure(!storage.PayoutCursor.exists(ext.state), "the cursor stayed"),
    },
    payoutPage: {
      docs: "The hook paying one page (with its step): the claim, its event, the validator's " +
        "reward, and per nominator a reward that creates its account.",
      components: [pageNominators],
      params: ["nominators"],
      setup(ext, c) {
        const [validator] = storage.ErasValidators.get(ext.state, 0);
        owedPage(ext, validator, c.nominators);
        return { hook: "onInitialize" };
      },
      verify(ext, c) {
        const paid = ext.events().filter((e) => e.name === "Rewarded").length;
        ensure(paid === c.nominators + 1, `${paid} of ${c.nominators + 1} rewarded`);
      },
    },
    payoutStakers: {
      docs: `\`payoutStakers\`: the checks, and a page of ${MAX_EXPOSURE_PAGE_SIZE} nominators ` +
        "whose rewards create their accounts.",
      components: [pageNominators],
      setup(ext, c) {
        const [validator] = storage.ErasValidators.get(ext.state, 0);
        owedPage(ext, validator, c.nominators);
        fund(ext, account("caller", 0).publicKey, 1_000n * TOKEN);
        return {
          call: "payoutStakers",
          origin: account("caller", 0).publicKey,
          args: { validatorStash: validator, era: 0, page: 0 },
        };
      },
      verify: (ext) => ensure(hasEvent(ext, "Staking", "PayoutStarted"), "nothing paid"),
    },
  },
});
