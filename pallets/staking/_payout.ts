/**
 * Paying ended eras, page by page of stakers (Substrate's paged
 * payouts, `payout_stakers_by_page`, on a chain that also pays itself).
 *
 * When an era ends, {@link decideEraPayout} splits `EraPayout` among its
 * validators by points and records each share as owed; nothing is minted
 * yet. Then pages (a validator's commission and own stake with its page 0,
 * at most {@link MAX_EXPOSURE_PAGE_SIZE} nominators a page) are paid by
 * {@link payPages} in each block's hook, `PAGES_PER_BLOCK` full pages'
 * worth at least, in a fixed order (era, then validator in stash order,
 * then page), or by anyone with {@link payoutStakers}; `ClaimedRewards`
 * records the pages paid, so none is paid twice. What each staker gets is exactly what paying the whole era
 * at once gave: a nominator `(share − commission) × its stake ÷ total`, the
 * validator the rest, rounding dust included, with the validator's last
 * page to be paid.
 *
 * @module
 */
import type { DispatchContext, Weight } from "../../runtime/pallet/pallet.ts";
import { compareBytes } from "../../runtime/primitives/bytes.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { mint } from "../balances/mod.ts";
import { exposurePage } from "./_exposure.ts";
import {
  errors,
  events,
  HISTORY_DEPTH,
  MAX_EXPOSURE_PAGE_SIZE,
  type PagedExposureMetadata,
  PAGES_PER_BLOCK,
  PERBILL,
  QOS_POINTS_PERCENT,
  type RewardOwed,
  storage,
} from "./_storage.ts";
import { WEIGHTS } from "./weights.ts";

/**
 * The reward points of era `era`: each validator's block points, plus its
 * part of a QoS budget of `QOS_POINTS_PERCENT` of all points (the block
 * points being the rest), split by the validators' QoS scores. However
 * large a score, QoS moves at most that share of the payout.
 */
function eraPoints(state: StateReader, era: number): { who: Uint8Array; points: bigint }[] {
  const blocks = storage.ErasRewardPoints.get(state, era);
  const points = new Map<string, { who: Uint8Array; points: bigint }>();
  for (const p of blocks.individual) {
    points.set(toHex(p.who), { who: p.who, points: BigInt(p.points) });
  }
  const scores = [...storage.ErasServiceScores.entriesOf(state, era)];
  const totalScore = scores.reduce((sum, [, score]) => sum + score, 0n);
  const budget = BigInt(blocks.total) * QOS_POINTS_PERCENT / (100n - QOS_POINTS_PERCENT);
  if (totalScore > 0n && budget > 0n) {
    for (const [who, score] of scores) {
      const entry = points.get(toHex(who)) ?? { who, points: 0n };
      entry.points += budget * score / totalScore;
      points.set(toHex(who), entry);
    }
  }
  return [...points.values()].filter((p) => p.points > 0n)
    .sort((a, b) => compareBytes(a.who, b.who));
}

/**
 * Decides what ended era `era` pays: `EraPayout` split among its validators
 * in proportion to their points ({@link eraPoints}; every validator counts
 * one point when nobody earned any, e.g. on a chain without slot digests),
 * the dust of the split to the first of them, so that the shares sum to
 * exactly `EraPayout`. Each share is recorded as owed, and the block hook's
 * cursor is set to the era if it is not busy with an older one. Work grows
 * with validators, not nominators.
 */
export function decideEraPayout(ctx: DispatchContext, era: number): void {
  const { state } = ctx;
  const validators = storage.ErasValidators.get(state, era);
  if (validators.length === 0) return;
  const payout = storage.EraPayout.get(state);
  const earned = eraPoints(state, era);
  const points = earned.length > 0 ? earned : validators.map((who) => ({ who, points: 1n }));
  const total = points.reduce((sum, p) => sum + p.points, 0n);
  const shares = new Map(points.map((p) => [toHex(p.who), payout * p.points / total]));
  const first = toHex(points[0].who);
  const split = [...shares.values()].reduce((sum, s) => sum + s, 0n);
  shares.set(first, shares.get(first)! + payout - split);
  for (const who of validators) {
    const share = shares.get(toHex(who)) ?? 0n;
    storage.ErasRewardOwed.set(state, era, who, { share, unpaid: share });
  }
  storage.ErasValidatorReward.set(state, era, payout);
  if (!storage.PayoutCursor.exists(state)) storage.PayoutCursor.set(state, { era, index: 0 });
  ctx.deposit(events.EraPaid({ eraIndex: era, validatorPayout: payout }));
}

/**
 * The `payoutStakers` call: pays page `page` of `stash`'s stakers for era
 * `era`, if that era ended less than `HISTORY_DEPTH` eras ago and the page
 * is not paid yet.
 *
 * @throws `InvalidEraToReward`, `NotStash`, `InvalidPage` or `AlreadyClaimed`
 */
export function payoutStakers(
  ctx: DispatchContext,
  stash: Uint8Array,
  era: number,
  page: number,
): void {
  const current = storage.CurrentEra.get(ctx.state);
  if (era >= current || era + HISTORY_DEPTH <= current) throw errors.InvalidEraToReward();
  const overview = storage.ErasStakersOverview.get(ctx.state, era, stash);
  if (!overview) throw errors.NotStash();
  if (page >= overview.pageCount) throw errors.InvalidPage();
  const owed = storage.ErasRewardOwed.get(ctx.state, era, stash);
  const claimed = storage.ClaimedRewards.get(ctx.state, era, stash);
  if (!owed || claimed.includes(page)) throw errors.AlreadyClaimed();
  payPage(ctx, era, stash, page, overview, owed, claimed);
}

/** What a block's hook pays at least (see {@link payPages}): `PAGES_PER_BLOCK` full pages. */
export const PAYOUT_BUDGET: Weight = PAGES_PER_BLOCK *
  (WEIGHTS.payoutStep + WEIGHTS.payoutPage(MAX_EXPOSURE_PAGE_SIZE));

/**
 * The block hook's payout: pays pages in order ({@link payNextPage}) while
 * their weight is below that of {@link PAGES_PER_BLOCK} full pages, so a
 * block pays at least `PAGES_PER_BLOCK` pages (or everything left), and its
 * weight is bounded by one full page more. Pages that others paid with
 * `payoutStakers` are skipped at the cost of a step. Returns the weight
 * used: a step per validator looked at, plus each page paid.
 */
export function payPages(ctx: DispatchContext): Weight {
  let weight = 0;
  while (weight < PAYOUT_BUDGET && storage.PayoutCursor.exists(ctx.state)) {
    weight += payNextPage(ctx);
  }
  return weight;
}

/**
 * One step of the hook's payout: looks at the validator under the cursor
 * and pays its lowest unpaid page, if any; moves the cursor on when that
 * validator is fully paid. Without `payoutStakers` calls, an era of `p`
 * pages takes `p` steps. An era that falls out of `HISTORY_DEPTH` unpaid
 * is skipped: its rewards are gone. Returns the weight used: nothing when
 * every era is paid, a step, plus a page when one was paid.
 */
function payNextPage(ctx: DispatchContext): Weight {
  const { state } = ctx;
  const cursor = storage.PayoutCursor.get(state);
  if (!cursor) return 0;
  const current = storage.CurrentEra.get(state);
  const oldest = current - HISTORY_DEPTH + 1;
  let { era, index } = cursor.era < oldest ? { era: oldest, index: 0 } : cursor;
  let weight = WEIGHTS.payoutStep;
  let done = true;
  const stash = storage.ErasValidators.get(state, era)[index];
  const overview = stash && storage.ErasStakersOverview.get(state, era, stash);
  const owed = stash && storage.ErasRewardOwed.get(state, era, stash);
  if (stash && overview && owed) {
    const claimed = storage.ClaimedRewards.get(state, era, stash);
    const page = firstUnclaimed(claimed, overview.pageCount)!;
    const paid = payPage(ctx, era, stash, page, overview, owed, claimed);
    weight += WEIGHTS.payoutPage(paid.nominators);
    done = paid.next === undefined;
  }
  if (done) index++;
  if (index >= storage.ErasValidators.get(state, era).length) [era, index] = [era + 1, 0];
  if (era >= current) storage.PayoutCursor.remove(state);
  else storage.PayoutCursor.set(state, { era, index });
  return weight;
}

/**
 * Pays page `page` of `stash`'s stakers for `era` and records it claimed.
 * Each nominator of the page gets `(share − commission) × value ÷ total`;
 * page 0 pays the validator its commission and `(share − commission) × own
 * ÷ total`; the page that completes the validator pays it everything its
 * share still owes (rounding dust, and rewards too small to create a
 * reaped nominator's account). Returns the nominators paid and the next
 * unpaid page.
 */
function payPage(
  ctx: DispatchContext,
  era: number,
  stash: Uint8Array,
  page: number,
  overview: PagedExposureMetadata,
  owed: RewardOwed,
  claimed: number[],
): { nominators: number; next: number | undefined } {
  const { state } = ctx;
  const pages = [...claimed, page].sort((a, b) => a - b);
  storage.ClaimedRewards.set(state, era, stash, pages);
  const next = firstUnclaimed(pages, overview.pageCount);
  ctx.deposit(events.PayoutStarted({ eraIndex: era, validatorStash: stash, page, next }));
  const prefs = storage.ErasValidatorPrefs.get(state, era, stash);
  const commission = owed.share * BigInt(prefs?.commissionPerbill ?? 0) / PERBILL;
  const rest = owed.share - commission;
  const { others } = exposurePage(state, era, stash, page);
  let unpaid = owed.unpaid;
  if (overview.total > 0n) {
    for (const { who, value } of others) unpaid -= reward(ctx, who, rest * value / overview.total);
  }
  let toValidator = 0n;
  if (next === undefined) toValidator = unpaid;
  else if (page === 0 && overview.total > 0n) {
    toValidator = commission + rest * overview.own / overview.total;
  }
  unpaid -= reward(ctx, stash, toValidator);
  if (next === undefined) storage.ErasRewardOwed.remove(state, era, stash);
  else storage.ErasRewardOwed.set(state, era, stash, { share: owed.share, unpaid });
  return { nominators: others.length, next };
}

/** The lowest page below `pageCount` not in `claimed` (ascending), if any. */
function firstUnclaimed(claimed: number[], pageCount: number): number | undefined {
  let page = 0;
  for (const c of claimed) {
    if (c === page) page++;
    else if (c > page) break;
  }
  return page < pageCount ? page : undefined;
}

function reward(ctx: DispatchContext, who: Uint8Array, amount: bigint): bigint {
  if (amount === 0n) return 0n;
  const minted = mint(ctx, who, amount);
  if (minted > 0n) ctx.deposit(events.Rewarded({ stash: who, amount: minted }));
  return minted;
}
