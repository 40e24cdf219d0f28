/**
 * # Staking
 *
 * Nominated proof of stake, as Substrate's `pallet_staking` simplified: no
 * controller accounts (the stash signs everything), an ended era pays
 * itself page by page (and anyone may pay a page sooner), one slash kind
 * per offence.
 *
 * ## Overview
 *
 * - **Bonding.** `bond` locks part of a stash's free balance (the balances
 *   lock `"staking "`, equal to the ledger's `total`) and takes a consumer
 *   reference, so a bonded stash is never reaped. `bondExtra` adds to it;
 *   `unbond` moves active stake into an unlocking chunk (at most
 *   {@link MAX_UNLOCKING_CHUNKS}); `withdrawUnbonded` releases the chunks
 *   unbonded at least `BondingDuration` eras ago, and removes the stash
 *   entirely once nothing is left bonded.
 * - **Intentions.** `validate` (with a commission) or `nominate` (up to
 *   {@link MAX_NOMINATIONS} validators) declare what the active stake is for;
 *   `chill` withdraws the intention. A validator needs a session key
 *   (`setKeys`): the ed25519 key its node signs blocks and finality votes
 *   with, distinct from the stash (dev: stash `//Alice//stash`, key `//Alice`).
 *   Setting one takes the key's own signature (nobody can claim another's
 *   key), and the key takes effect when the next era starts; a replaced key
 *   stays slashable for `BondingDuration` eras (see `_session_keys.ts`).
 * - **Eras.** Era `e` starts at block `e * EraLength`. In that block's
 *   `onInitialize`, era `e - 1` ends and its payout is decided: `EraPayout`
 *   split among its validators by the reward points they earned: 20 per
 *   authored block, plus a QoS budget of at most `QOS_POINTS_PERCENT` (20%)
 *   of the era's points, split by the scores the QoS-rewards pallet adds
 *   through {@link addServiceScore} (`EraPaid`; nothing is minted yet).
 *   Then era `e` is elected: the `ValidatorCount` (at most
 *   {@link MAX_VALIDATORS}, 1,000) candidates with the most
 *   backing (own stake plus an even split of each nominator's stake among
 *   its candidate targets), ordered by stash bytes, whose session keys
 *   become the authorship pallet's authority set.
 * - **Payouts, paged.** Each elected validator's exposure is stored as an
 *   overview and pages of at most {@link MAX_EXPOSURE_PAGE_SIZE} (512)
 *   nominators (`ErasStakersOverview`, `ErasStakersPaged`). Every block that
 *   does not start an era pays pages of ended eras (`PayoutStarted`, then
 *   `Rewarded`s), in order of era, validator (stash order) and page, while
 *   it has paid less than {@link PAGES_PER_BLOCK} (4) full pages' weight;
 *   `payoutStakers(validatorStash, era, page)`, callable by anyone, pays a
 *   page sooner. `ClaimedRewards` records the pages paid, so
 *   none is paid twice. A validator's share pays its commission first and
 *   the rest pro rata to the stake exposed behind it, rounded down; the
 *   commission and the validator's own part come with its page 0, the
 *   rounding dust with its last page paid, so each era mints exactly
 *   `EraPayout`. An era's rewards are payable for `HISTORY_DEPTH` (84) eras
 *   after it ends; then its history is pruned and what is unpaid is gone.
 *   The worst era ({@link MAX_VALIDATORS} validators, {@link MAX_NOMINATORS}
 *   nominators naming 16 each) weighs ~87 blocks of the hook's payout, so
 *   eras of 88 blocks or more (dev, local: 100) pay themselves in full
 *   before the next one ends; shorter eras may fall behind at that size
 *   unless others call `payoutStakers`.
 * - **Slashing.** `reportEquivocation` proves that a current validator signed
 *   two blocks for one slot, or two conflicting finality votes in one round
 *   (see `equivocation.ts`). The offender loses `EquivocationSlashPerbill` of
 *   its bond (burned), the active bond and every unlocking chunk not yet free
 *   to withdraw alike, so that chilling and unbonding first saves nothing. It
 *   is chilled and disabled (left out of the next election), and the same
 *   offence cannot be reported twice. An offence older than
 *   `BondingDuration` eras (by its slot or authority set) is no longer
 *   accepted, so its record is let go then.
 *
 * All amounts are bigint; ratios are parts per billion.
 *
 * @module
 */
import { t } from "../../runtime/codec/types.ts";
import { ensureRoot, ensureSigned } from "../../runtime/pallet/origin.ts";
import { call, constant, definePallet, type DispatchContext } from "../../runtime/pallet/pallet.ts";
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { blockAuthor } from "../authorship/mod.ts";
import { lookup, multiAddressType } from "../balances/mod.ts";
import { systemApi } from "../system/mod.ts";
import { addRewardPoints, addServiceScore, currentValidators, startEra } from "./_era.ts";
import { stakingGenesis } from "./_genesis.ts";
import * as ledgers from "./_ledger.ts";
import {
  BLOCK_AUTHOR_POINTS,
  errors,
  events,
  HISTORY_DEPTH,
  type Ledger,
  MAX_EXPOSURE_PAGE_SIZE,
  MAX_NOMINATIONS,
  MAX_NOMINATORS,
  MAX_UNLOCKING_CHUNKS,
  MAX_VALIDATORS,
  PAGES_PER_BLOCK,
  PERBILL,
  QOS_POINTS_PERCENT,
  storage,
  validatorPrefsType,
} from "./_storage.ts";
import { checkEquivocation, equivocationProofType } from "./equivocation.ts";
import { payoutStakers, payPages } from "./_payout.ts";
import { hasKey, queueKey } from "./_session_keys.ts";
import { WEIGHTS } from "./weights.ts";

/** Whether `stash` is an elected validator of the current era. */
export function isValidator(state: StateReader, stash: Uint8Array): boolean {
  return storage.ErasStakersOverview.contains(state, currentEra(state), stash);
}

/** The era in progress. */
export function currentEra(state: StateReader): number {
  return storage.CurrentEra.get(state);
}

/** Blocks per era. */
export function eraLength(state: StateReader): number {
  return storage.EraLength.get(state);
}

/** The session key `stash` signs with, if it set one. */
export function sessionKeyOf(state: StateReader, stash: Uint8Array): Uint8Array | undefined {
  return storage.SessionKeys.get(state, stash);
}

/** The stash owning session key `key`, if any. */
export function stashOfKey(state: StateReader, key: Uint8Array): Uint8Array | undefined {
  return storage.KeyOwner.get(state, key);
}

/** The ledger of `stash`, if it is bonded. */
export function ledgerOf(state: StateReader, stash: Uint8Array): Ledger | undefined {
  return storage.Ledger.get(state, stash);
}

/**
 * An era's first block ends the last era (its payout decided, nothing
 * minted) and elects the new one; every other block pays pages of ended
 * eras' stakers, `PAGES_PER_BLOCK` full pages' worth (see `_payout.ts`).
 * So no block's weight grows with the nominators beyond the election.
 */
function onInitialize(ctx: DispatchContext, n: number): number {
  let weight = WEIGHTS.onInitializeBlock;
  const length = eraLength(ctx.state);
  if (n > 0 && n % length === 0) {
    startEra(ctx, n / length);
    weight += WEIGHTS.onInitializeEra(
      currentValidators(ctx.state).length,
      storage.CounterForNominators.get(ctx.state),
    );
  } else weight += payPages(ctx);
  const author = blockAuthor(ctx.state);
  const stash = author && stashOfKey(ctx.state, author);
  if (stash) addRewardPoints(ctx, stash, BLOCK_AUTHOR_POINTS);
  return weight;
}

/** The staking pallet. */
export const staking = definePallet({
  name: "Staking",
  docs: "Nominated proof of stake: bonds, era elections and rewards, equivocation slashing.",
  storage,
  events,
  errors,
  constants: {
    MaxUnlockingChunks: constant(t.u32, MAX_UNLOCKING_CHUNKS, "Unlocking chunks per ledger."),
    MaxNominations: constant(t.u32, MAX_NOMINATIONS, "Targets per nomination."),
    MaxNominators: constant(t.u32, MAX_NOMINATORS, "Stashes that may nominate at once."),
    MaxValidators: constant(
      t.u32,
      MAX_VALIDATORS,
      "The most validators an election may pick (`ValidatorCount`).",
    ),
    PagesPerBlock: constant(
      t.u32,
      PAGES_PER_BLOCK,
      "Full payout pages' weight each block's hook pays of ended eras, at least.",
    ),
    HistoryDepth: constant(
      t.u32,
      HISTORY_DEPTH,
      "Eras of exposures, points and unpaid rewards kept: an older era's rewards are gone.",
    ),
    MaxExposurePageSize: constant(
      t.u32,
      MAX_EXPOSURE_PAGE_SIZE,
      "Nominators per exposure page: the most one payout (of one page) pays.",
    ),
    BlockAuthorPoints: constant(t.u32, BLOCK_AUTHOR_POINTS, "Reward points per authored block."),
    QosPointsPercent: constant(
      t.u32,
      Number(QOS_POINTS_PERCENT),
      "The most of an era's reward points that QoS scores add (percent).",
    ),
  },
  calls: {
    bond: call({
      index: 0,
      args: { value: t.compactBalance },
      weight: WEIGHTS.bond,
      docs: "Lock `value` of the signer's free balance (at most all of it) as a new bond; " +
        "at least the existential deposit.",
      dispatch(ctx, origin, { value }) {
        const stash = ensureSigned(origin);
        const amount = ledgers.bondNew(ctx, stash, value);
        ctx.deposit(events.Bonded({ stash, amount }));
      },
    }),
    bondExtra: call({
      index: 1,
      args: { maxAdditional: t.compactBalance },
      weight: WEIGHTS.bondExtra,
      docs: "Add up to `maxAdditional` of the stash's unbonded free balance to its active bond.",
      dispatch(ctx, origin, { maxAdditional }) {
        const stash = ensureSigned(origin);
        const amount = ledgers.bondExtra(ctx, stash, maxAdditional);
        ctx.deposit(events.Bonded({ stash, amount }));
      },
    }),
    unbond: call({
      index: 2,
      args: { value: t.compactBalance },
      weight: WEIGHTS.unbond,
      docs: "Start unbonding up to `value` of the active bond; withdrawable after " +
        "`BondingDuration` eras. A validator or nominator must keep its minimum bond.",
      dispatch(ctx, origin, { value }) {
        const stash = ensureSigned(origin);
        const amount = ledgers.unbond(ctx, stash, value);
        ctx.deposit(events.Unbonded({ stash, amount }));
      },
    }),
    withdrawUnbonded: call({
      index: 3,
      args: {},
      weight: WEIGHTS.withdrawUnbonded,
      docs: "Unlock every chunk whose bonding duration has passed; a stash left with nothing " +
        "bonded is removed.",
      dispatch(ctx, origin) {
        const stash = ensureSigned(origin);
        const amount = ledgers.withdrawUnbonded(ctx, stash);
        ctx.deposit(events.Withdrawn({ stash, amount }));
      },
    }),
    validate: call({
      index: 4,
      args: { prefs: validatorPrefsType },
      weight: WEIGHTS.validate,
      docs: "Declare the wish to validate from the next era, with a commission; replaces a " +
        "nomination. Needs a session key (in use or queued) and `MinValidatorBond` active.",
      dispatch(ctx, origin, { prefs }) {
        const stash = ensureSigned(origin);
        const ledger = ledgers.ensureLedger(ctx.state, stash);
        if (BigInt(prefs.commissionPerbill) > PERBILL) throw errors.CommissionTooHigh();
        if (ledger.active < storage.MinValidatorBond.get(ctx.state)) {
          throw errors.InsufficientBond();
        }
        if (!hasKey(ctx.state, stash)) throw errors.NoSessionKey();
        ledgers.removeNominations(ctx.state, stash);
        storage.Validators.set(ctx.state, stash, prefs);
        ctx.deposit(events.ValidatorPrefsSet({ stash, prefs }));
      },
    }),
    nominate: call({
      index: 5,
      args: { targets: t.vec(multiAddressType) },
      weight: ({ targets }) => WEIGHTS.nominate(targets.length),
      docs: "Back up to `MAX_NOMINATIONS` validators from the next era; replaces a validator " +
        "intention. Needs `MinNominatorBond` active; duplicates count once. At most " +
        "`MaxNominators` stashes nominate at once.",
      dispatch(ctx, origin, args) {
        const stash = ensureSigned(origin);
        const ledger = ledgers.ensureLedger(ctx.state, stash);
        if (args.targets.length === 0) throw errors.EmptyTargets();
        if (args.targets.length > MAX_NOMINATIONS) throw errors.TooManyTargets();
        const targets: Uint8Array[] = [];
        for (const address of args.targets) {
          const target = lookup(address);
          const prefs = storage.Validators.get(ctx.state, target);
          if (!prefs || prefs.blocked || equalBytes(target, stash)) throw errors.BadTarget();
          if (!targets.some((t) => equalBytes(t, target))) targets.push(target);
        }
        if (ledger.active < storage.MinNominatorBond.get(ctx.state)) {
          throw errors.InsufficientBond();
        }
        storage.Validators.remove(ctx.state, stash);
        ledgers.setNominations(ctx.state, stash, targets);
        ctx.deposit(events.Nominated({ stash, targets }));
      },
    }),
    chill: call({
      index: 6,
      args: {},
      weight: WEIGHTS.chill,
      docs: "Stop validating or nominating from the next era (the bond stays).",
      dispatch(ctx, origin) {
        const stash = ensureSigned(origin);
        ledgers.ensureLedger(ctx.state, stash);
        storage.Validators.remove(ctx.state, stash);
        ledgers.removeNominations(ctx.state, stash);
        ctx.deposit(events.Chilled({ stash }));
      },
    }),
    setKeys: call({
      index: 7,
      args: { key: t.accountId, proof: t.bytes },
      weight: WEIGHTS.setKeys,
      docs: "Set the session key the stash's node signs blocks and votes with, from the next " +
        "era. `proof` is the key's signature of `sutantra/session-key:` followed by the stash.",
      dispatch(ctx, origin, { key, proof }) {
        const stash = ensureSigned(origin);
        ledgers.ensureLedger(ctx.state, stash);
        queueKey(ctx.state, stash, key, proof);
        ctx.deposit(events.SessionKeySet({ stash, key }));
      },
    }),
    reportEquivocation: call({
      index: 8,
      args: { proof: equivocationProofType },
      weight: WEIGHTS.reportEquivocation,
      docs: "Prove that a current validator equivocated (two blocks for one slot, or two " +
        "conflicting votes in one round): it is slashed, chilled and disabled. Any signed " +
        "account may report; it pays the fee.",
      dispatch(ctx, origin, { proof }) {
        ensureSigned(origin);
        const offence = checkEquivocation(ctx.state, proof);
        if (storage.Offences.contains(ctx.state, offence.id)) {
          throw errors.DuplicateOffenceReport();
        }
        storage.Offences.set(ctx.state, offence.id, systemApi.blockNumber(ctx.state));
        const era = currentEra(ctx.state);
        storage.OffencesReportedIn.set(ctx.state, era, [
          ...storage.OffencesReportedIn.get(ctx.state, era),
          offence.id,
        ]);
        const { stash } = offence;
        const perbill = BigInt(storage.EquivocationSlashPerbill.get(ctx.state));
        const amount = ledgers.slash(ctx, stash, perbill);
        storage.Validators.remove(ctx.state, stash);
        ledgers.removeNominations(ctx.state, stash);
        storage.Disabled.set(ctx.state, stash, currentEra(ctx.state));
        ctx.deposit(events.Slashed({ stash, amount }));
        ctx.deposit(events.OffenceReported({ offender: stash, kind: offence.kind }));
      },
    }),
    payoutStakers: call({
      index: 9,
      args: { validatorStash: t.accountId, era: t.u32, page: t.u32 },
      weight: WEIGHTS.payoutStakers,
      docs: "Pay page `page` of `validatorStash`'s stakers for ended era `era` (Substrate's " +
        "`payout_stakers_by_page`), ahead of the block hook that pays every page in turn. Any " +
        "signed account may call it; it pays the fee. Refused for a page already paid, and for " +
        "an era older than `HistoryDepth`.",
      dispatch(ctx, origin, { validatorStash, era, page }) {
        ensureSigned(origin);
        payoutStakers(ctx, validatorStash, era, page);
      },
    }),
    setValidatorCount: call({
      index: 10,
      args: { new: t.compactU32 },
      weight: WEIGHTS.setValidatorCount,
      docs:
        "Root: set `ValidatorCount`, the most validators the next elections pick (Substrate's " +
        "`set_validator_count`); at least 1, at most `MaxValidators`.",
      dispatch(ctx, origin, { new: count }) {
        ensureRoot(origin);
        if (count < 1 || count > MAX_VALIDATORS) throw errors.InvalidValidatorCount();
        storage.ValidatorCount.set(ctx.state, count);
      },
    }),
  },
  hooks: { onInitialize },
  genesis: stakingGenesis,
});

export { addRewardPoints, addServiceScore, currentValidators };
export { type EquivocationProof, equivocationProofType } from "./equivocation.ts";
export { sessionKeyProofPayload } from "./_session_keys.ts";
export { eraExposure, exposureOverview, exposurePage } from "./_exposure.ts";
export {
  BLOCK_AUTHOR_POINTS,
  MAX_EXPOSURE_PAGE_SIZE,
  MAX_NOMINATIONS,
  MAX_NOMINATORS,
  MAX_UNLOCKING_CHUNKS,
  MAX_VALIDATORS,
  PAGES_PER_BLOCK,
  PERBILL,
  QOS_POINTS_PERCENT,
};
export { errors as stakingErrors, events as stakingEvents, storage as stakingStorage };
