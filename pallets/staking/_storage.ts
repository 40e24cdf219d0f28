/**
 * The staking pallet's types, storage, events and errors: the declarations
 * every other file of the folder builds on (kept apart from `mod.ts` so that
 * the logic files can import them without a cycle).
 *
 * @module
 */
import { t, type ValueOf } from "../../runtime/codec/types.ts";
import { defineErrors } from "../../runtime/pallet/errors.ts";
import { defineEvents } from "../../runtime/pallet/events.ts";
import { declareStorage, doubleMap, map, value } from "../../runtime/storage/items.ts";

/** Parts per billion: the denominator of every commission and slash ratio. */
export const PERBILL = 1_000_000_000n;

/** Unlocking chunks a ledger may hold (Substrate's `MaxUnlockingChunks`). */
export const MAX_UNLOCKING_CHUNKS = 32;

/** Targets a nominator may name (Substrate's `MaxNominations`). */
export const MAX_NOMINATIONS = 16;

/**
 * The most stashes that may nominate at once: every one of them is read by
 * each election and paid by each era payout, so the era boundary's work is
 * bounded by it.
 */
export const MAX_NOMINATORS = 10_000;

/**
 * The most validators an election may pick (`ValidatorCount`, set at genesis
 * or by root's `setValidatorCount`): the authority set the authorship
 * pallet's `onInitialize` walks each block is weighed at this many (see
 * `pallets/authorship/weights.ts`), and each elected validator adds at least
 * one page to its era's payout.
 */
export const MAX_VALIDATORS = 1_000;

/**
 * The payout a block's hook does, in full pages (a step and
 * {@link MAX_EXPOSURE_PAGE_SIZE} nominators): it pays pages in order while
 * it has paid less than this many full pages' weight, so at least this many
 * pages, or many more small ones (a validator's page 0 without nominators
 * weighs under 2% of a full page), and declares at most one page more.
 * Four full pages weigh ~41 ms as measured (2% of a 2 s block; whole
 * blocks, the state root over the credited accounts included, take
 * ~150 ms: `deno task bench stf.payout`). The worst era (every validator of
 * {@link MAX_VALIDATORS} elected, {@link MAX_NOMINATORS} each naming
 * {@link MAX_NOMINATIONS}: 1,312 pages, 160,000 rewards) weighs ~87 blocks
 * of this, so an era of 88 blocks or more (dev and local: 100) is paid by
 * the hook alone before the next one ends (`payout_test.ts` checks the
 * arithmetic against `weights.ts` and the dev era).
 */
export const PAGES_PER_BLOCK = 4;

/**
 * Eras of exposures, prefs, points, validator sets and unpaid rewards kept
 * (Substrate's `HistoryDepth`): a reward still unpaid when its era falls out
 * of this window is no longer payable.
 */
export const HISTORY_DEPTH = 84;

/**
 * Nominators per page of an exposure (Substrate's `MaxExposurePageSize`):
 * paying one page is the most payout work a block's hook does, whatever
 * the number of nominators.
 */
export const MAX_EXPOSURE_PAGE_SIZE = 512;

/**
 * The share (percent) of an era's reward points that QoS scores add at most:
 * the block points are the rest, so a relay's receipts can never outweigh
 * the blocks its validator set authored.
 */
export const QOS_POINTS_PERCENT = 20n;

/** Points a block author earns (Substrate's `pallet_authorship` reward: 20). */
export const BLOCK_AUTHOR_POINTS = 20;

/** An amount unbonding since era `era`, withdrawable from `era + bondingDuration`. */
export const unlockChunkType = t.struct("UnlockChunk", { value: t.balance, era: t.u32 });

/** What a stash has bonded: `total` locked, `active` of it at stake, the rest unlocking. */
export const ledgerType = t.struct("StakingLedger", {
  stash: t.accountId,
  total: t.balance,
  active: t.balance,
  unlocking: t.vec(unlockChunkType),
});

/** A stash's ledger. */
export type Ledger = ValueOf<typeof ledgerType>;

/** What a validator asks: its commission, and whether it refuses new nominations. */
export const validatorPrefsType = t.struct("ValidatorPrefs", {
  commissionPerbill: t.u32,
  blocked: t.bool,
});

/** A validator's preferences. */
export type ValidatorPrefs = ValueOf<typeof validatorPrefsType>;

/** One nominator's stake behind a validator. */
export const individualExposureType = t.struct("IndividualExposure", {
  who: t.accountId,
  value: t.balance,
});

/** The stake behind an elected validator in an era: its own and its nominators'. */
export const exposureType = t.struct("Exposure", {
  total: t.balance,
  own: t.balance,
  others: t.vec(individualExposureType),
});

/** An elected validator's exposure (all pages together). */
export type Exposure = ValueOf<typeof exposureType>;

/**
 * The summary of an elected validator's exposure in an era (Substrate's
 * `PagedExposureMetadata`): the nominators are stored apart, in `pageCount`
 * pages of at most {@link MAX_EXPOSURE_PAGE_SIZE}. A validator with no
 * nominator still has one page (page 0, empty), which pays its own reward.
 */
export const pagedExposureMetadataType = t.struct("PagedExposureMetadata", {
  total: t.balance,
  own: t.balance,
  nominatorCount: t.u32,
  pageCount: t.u32,
});

/** An elected validator's exposure overview. */
export type PagedExposureMetadata = ValueOf<typeof pagedExposureMetadataType>;

/** One page of a validator's nominators, in stash order (Substrate's `ExposurePage`). */
export const exposurePageType = t.struct("ExposurePage", {
  pageTotal: t.balance,
  others: t.vec(individualExposureType),
});

/** A page of an exposure. */
export type ExposurePage = ValueOf<typeof exposurePageType>;

/** What an ended era still owes one of its validators (and the stake behind it). */
export const rewardOwedType = t.struct("RewardOwed", {
  share: t.balance,
  unpaid: t.balance,
});

/** A validator's share of an era's payout, and what of it is not minted yet. */
export type RewardOwed = ValueOf<typeof rewardOwedType>;

/** Where the block hook pays next: a validator (its index in `ErasValidators`) of an era. */
export const payoutCursorType = t.struct("PayoutCursor", { era: t.u32, index: t.u32 });

/** One validator's reward points in an era. */
export const individualPointsType = t.struct("IndividualPoints", {
  who: t.accountId,
  points: t.u32,
});

/** The reward points of an era: their total and each validator's, in stash order. */
export const eraRewardPointsType = t.struct("EraRewardPoints", {
  total: t.u32,
  individual: t.vec(individualPointsType),
});

/** An era's reward points. */
export type EraRewardPoints = ValueOf<typeof eraRewardPointsType>;

/** Which kind of misbehaviour an offence is. */
export const offenceKindType = t.enum("OffenceKind", {
  BlockEquivocation: null,
  VoteEquivocation: null,
});

/** An offence kind. */
export type OffenceKind = ValueOf<typeof offenceKindType>;

/** The storage of the staking pallet. */
export const storage = declareStorage("Staking", {
  EraLength: value({
    type: t.u32,
    default: 1,
    docs: "Blocks per era (chain spec); era `e` starts at block `e * EraLength`.",
  }),
  BondingDuration: value({
    type: t.u32,
    default: 0,
    docs: "Eras unbonded funds stay locked before they can be withdrawn (chain spec).",
  }),
  ValidatorCount: value({
    type: t.u32,
    default: 0,
    docs: "The most validators an election picks (chain spec, or root's `setValidatorCount`; " +
      "at most `MaxValidators`).",
  }),
  MinValidatorBond: value({
    type: t.balance,
    default: 0n,
    docs: "The least active bond a validator must keep (chain spec).",
  }),
  MinNominatorBond: value({
    type: t.balance,
    default: 0n,
    docs: "The least active bond a nominator must keep (chain spec).",
  }),
  EraPayout: value({
    type: t.balance,
    default: 0n,
    docs: "Tokens minted at the end of each era for its stakers (chain spec).",
  }),
  EquivocationSlashPerbill: value({
    type: t.u32,
    default: 0,
    docs: "Parts per billion of an equivocating validator's bond that is slashed: of the " +
      "active bond and of each unlocking chunk not yet free to withdraw (chain spec).",
  }),
  Ledger: map({
    hasher: "Blake2_128Concat",
    key: t.accountId,
    value: ledgerType,
    docs: "The ledger of each bonded stash.",
  }),
  Validators: map({
    hasher: "Twox64Concat",
    key: t.accountId,
    value: validatorPrefsType,
    docs: "Stashes that want to validate, with their preferences (removed by `chill`).",
  }),
  Nominators: map({
    hasher: "Twox64Concat",
    key: t.accountId,
    value: t.vec(t.accountId),
    docs: "Stashes that nominate, with their targets (removed by `chill`).",
  }),
  CounterForNominators: value({
    type: t.u32,
    default: 0,
    docs: "How many stashes nominate (at most `MaxNominators`).",
  }),
  SessionKeys: map({
    hasher: "Blake2_128Concat",
    key: t.accountId,
    value: t.accountId,
    docs: "The ed25519 key each stash's node signs blocks and finality votes with.",
  }),
  QueuedKeys: map({
    hasher: "Blake2_128Concat",
    key: t.accountId,
    value: t.accountId,
    docs: "The session key each stash set this era; it replaces `SessionKeys` when the next " +
      "era starts.",
  }),
  KeyOwner: map({
    hasher: "Blake2_128Concat",
    key: t.accountId,
    value: t.accountId,
    docs: "The stash owning each session key: its current and queued keys, and the keys it " +
      "retired in the last `BondingDuration` eras (still slashable).",
  }),
  RetiredKeys: map({
    hasher: "Twox64Concat",
    key: t.u32,
    value: t.vec(t.accountId),
    default: [],
    docs: "The session keys that stopped signing when each era started; their `KeyOwner` " +
      "entries go `BondingDuration` eras later.",
  }),
  CurrentEra: value({ type: t.u32, default: 0, docs: "The era in progress." }),
  ErasValidators: map({
    hasher: "Twox64Concat",
    key: t.u32,
    value: t.vec(t.accountId),
    default: [],
    docs: "The validators elected for each era, in stash byte order.",
  }),
  ErasStakersOverview: doubleMap({
    hashers: ["Twox64Concat", "Twox64Concat"],
    keys: [t.u32, t.accountId],
    value: pagedExposureMetadataType,
    docs: "The exposure summary (total, own, nominator and page counts) of each elected " +
      "validator in each era (kept `HISTORY_DEPTH` eras).",
  }),
  ErasStakersPaged: doubleMap({
    hashers: ["Twox64Concat", "Twox64Concat"],
    keys: [t.u32, t.tuple(t.accountId, t.u32)],
    value: exposurePageType,
    docs: "The nominators behind each elected validator in each era, by (validator, page): at " +
      "most `MaxExposurePageSize` a page, in stash order; an empty page is not stored.",
  }),
  ClaimedRewards: doubleMap({
    hashers: ["Twox64Concat", "Twox64Concat"],
    keys: [t.u32, t.accountId],
    value: t.vec(t.u32),
    default: [] as number[],
    docs: "The pages of each validator's exposure already paid for each era (ascending): a " +
      "page is paid once.",
  }),
  ErasValidatorReward: map({
    hasher: "Twox64Concat",
    key: t.u32,
    value: t.balance,
    docs: "The payout of each ended era, decided when it ended and paid page by page.",
  }),
  ErasRewardOwed: doubleMap({
    hashers: ["Twox64Concat", "Twox64Concat"],
    keys: [t.u32, t.accountId],
    value: rewardOwedType,
    docs: "Each validator's share of an ended era's payout (by points) and what of it is not " +
      "paid yet; removed when its last page is paid.",
  }),
  PayoutCursor: value({
    type: payoutCursorType,
    docs: "The validator whose pages the block hook pays next (absent: every ended era is " +
      "paid).",
  }),
  ErasValidatorPrefs: doubleMap({
    hashers: ["Twox64Concat", "Twox64Concat"],
    keys: [t.u32, t.accountId],
    value: validatorPrefsType,
    docs: "The preferences (commission) of each elected validator, as they were at its election.",
  }),
  ErasRewardPoints: map({
    hasher: "Twox64Concat",
    key: t.u32,
    value: eraRewardPointsType,
    default: { total: 0, individual: [] } as EraRewardPoints,
    docs: "Reward points earned in each era by block authorship.",
  }),
  ErasServiceScores: doubleMap({
    hashers: ["Twox64Concat", "Twox64Concat"],
    keys: [t.u32, t.accountId],
    value: t.u64,
    docs: "The QoS score each validator earned as a relay in each era; together they share " +
      "`QOS_POINTS_PERCENT` of the era's reward points.",
  }),
  Disabled: map({
    hasher: "Twox64Concat",
    key: t.accountId,
    value: t.u32,
    docs: "Validators disabled for an offence, with the era it was reported in; excluded from " +
      "the next election, then cleared.",
  }),
  Offences: map({
    hasher: "Identity",
    key: t.hash,
    value: t.blockNumber,
    docs: "Offences already reported (hash of kind, offender and slot or vote round), with the " +
      "block they were reported in; kept until they are too old to be reported again.",
  }),
  OffencesReportedIn: map({
    hasher: "Twox64Concat",
    key: t.u32,
    value: t.vec(t.hash),
    default: [],
    docs: "The offences reported in each era, to let them go once no proof of them is accepted.",
  }),
  ErasStartSlot: map({
    hasher: "Twox64Concat",
    key: t.u32,
    value: t.u64,
    docs: "The slot each era started in: a block equivocation older than the bonding duration " +
      "is no longer accepted.",
  }),
});

/** The events of the staking pallet. */
export const events = defineEvents("Staking", {
  Bonded: {
    fields: { stash: t.accountId, amount: t.balance },
    docs: "A stash bonded this amount (by `bond` or `bondExtra`).",
  },
  Unbonded: {
    fields: { stash: t.accountId, amount: t.balance },
    docs: "A stash started unbonding this amount.",
  },
  Withdrawn: {
    fields: { stash: t.accountId, amount: t.balance },
    docs: "A stash withdrew this much of its unbonded funds (its lock shrank by as much).",
  },
  ValidatorPrefsSet: {
    fields: { stash: t.accountId, prefs: validatorPrefsType },
    docs: "A stash declared the wish to validate, with these preferences.",
  },
  Nominated: {
    fields: { stash: t.accountId, targets: t.vec(t.accountId) },
    docs: "A stash nominated these validators.",
  },
  Chilled: { fields: { stash: t.accountId }, docs: "A stash stopped validating or nominating." },
  SessionKeySet: {
    fields: { stash: t.accountId, key: t.accountId },
    docs: "A stash set the session key its node signs with; it takes effect when the next " +
      "era starts.",
  },
  Rewarded: {
    fields: { stash: t.accountId, amount: t.balance },
    docs: "A staker was paid this reward for the past era.",
  },
  EraPaid: {
    fields: { eraIndex: t.u32, validatorPayout: t.balance },
    docs: "An era ended and its stakers are owed this much in total, to be minted page by page.",
  },
  NewValidatorSet: {
    fields: { era: t.u32, validators: t.vec(t.accountId), sessionKeys: t.vec(t.accountId) },
    docs: "The validators of a new era were elected (stashes and their session keys, in stash " +
      "order).",
  },
  Slashed: {
    fields: { stash: t.accountId, amount: t.balance },
    docs: "A stash was slashed this much of its bond for an offence (burned).",
  },
  OffenceReported: {
    fields: { offender: t.accountId, kind: offenceKindType },
    docs: "An offence by this validator stash was proven; it is disabled and chilled.",
  },
  PayoutStarted: {
    fields: {
      eraIndex: t.u32,
      validatorStash: t.accountId,
      page: t.u32,
      next: t.option(t.u32),
    },
    docs: "A page of a validator's stakers is being paid for an era; `next` is the next page " +
      "still unpaid, if any.",
  },
});

/** The errors of the staking pallet. */
export const errors = defineErrors("Staking", {
  NotStash: "The account is not a bonded stash (to `payoutStakers`: not a validator of the era).",
  AlreadyBonded: "The stash is already bonded.",
  InsufficientBond: "The bond would be below the minimum (existential deposit, or the minimum " +
    "bond of a validator or nominator).",
  NoMoreChunks: "The ledger already holds the maximum number of unlocking chunks.",
  NoUnlockChunk: "No unlocking chunk is ready to be withdrawn.",
  EmptyTargets: "A nomination names no target.",
  TooManyTargets: "A nomination names more than `MAX_NOMINATIONS` targets.",
  TooManyNominators: "10,000 stashes nominate already (`MaxNominators`): the era boundary's " +
    "work is bounded by them.",
  BadTarget: "A nomination target is not a validator, blocks nominations, or is the nominator.",
  CommissionTooHigh: "The commission is above 100% (1_000_000_000 perbill).",
  NoSessionKey: "The stash has set no session key (`setKeys`) and cannot validate.",
  InvalidKeyProof: "The proof is not the session key's signature of the stash's key proof " +
    "payload: only the holder of a key can set it.",
  KeyInUse: "The session key is already used by another stash.",
  InvalidEquivocationProof: "The equivocation proof is malformed, not conflicting, or its " +
    "signatures do not verify.",
  OffenderNotValidator: "The offending key belongs to no stash that was a validator within " +
    "the last `BondingDuration` eras.",
  DuplicateOffenceReport: "This offence was already reported.",
  OffenceTooOld: "The offence happened more than `BondingDuration` eras ago: the stake it " +
    "backed may be withdrawn, and its report is no longer accepted.",
  InvalidEraToReward: "The era has not ended, or ended more than `HistoryDepth` eras ago: " +
    "its rewards are no longer payable.",
  InvalidPage: "The validator's exposure in that era has no such page.",
  AlreadyClaimed: "That page of the validator's stakers was already paid for that era.",
  InvalidValidatorCount: "A validator count of 0, or above 1,000 (`MaxValidators`): the " +
    "authority set's per-block work and the era payout are weighed at that many.",
});
