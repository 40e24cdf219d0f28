/**
 * Eras: reward points, paying an ended era, and electing the next one.
 *
 * All arithmetic is bigint and every list is in a fixed order (stash bytes,
 * or storage key order), so that each node computes the same payout and the
 * same validator set.
 *
 * @module
 */
import type { DispatchContext } from "../../runtime/pallet/pallet.ts";
import { compareBytes, equalBytes } from "../../runtime/primitives/bytes.ts";
import type { Overlay, StateReader } from "../../runtime/storage/overlay.ts";
import { currentSlot, setAuthorities } from "../authorship/mod.ts";
import { mint } from "../balances/mod.ts";
import { rotateKeys } from "./_session_keys.ts";
import {
  events,
  type Exposure,
  HISTORY_DEPTH,
  PERBILL,
  QOS_POINTS_PERCENT,
  storage,
  type ValidatorPrefs,
} from "./_storage.ts";

const U32_MAX = 0xffff_ffff;
const U64_MAX = (1n << 64n) - 1n;

/**
 * Adds `points` to `stash`'s reward points of the current era, saturating
 * at `u32::MAX`. A stash that is not an elected validator of the era earns
 * nothing: there is no exposure to pay its points out to.
 */
export function addRewardPoints(ctx: DispatchContext, stash: Uint8Array, points: number): void {
  const era = storage.CurrentEra.get(ctx.state);
  if (points <= 0 || !storage.ErasStakers.contains(ctx.state, era, stash)) return;
  // A copy: an absent item reads as the declared default object itself, shared by every read.
  const stored = storage.ErasRewardPoints.get(ctx.state, era);
  const eraPoints = { total: stored.total, individual: stored.individual.map((p) => ({ ...p })) };
  const add = Math.min(Math.floor(points), U32_MAX - eraPoints.total);
  if (add === 0) return;
  eraPoints.total += add;
  const at = eraPoints.individual.findIndex((p) => compareBytes(p.who, stash) >= 0);
  if (at >= 0 && equalBytes(eraPoints.individual[at].who, stash)) {
    eraPoints.individual[at].points += add;
  } else if (at >= 0) eraPoints.individual.splice(at, 0, { who: stash, points: add });
  else eraPoints.individual.push({ who: stash, points: add });
  storage.ErasRewardPoints.set(ctx.state, era, eraPoints);
}

/**
 * Adds `score` to `stash`'s QoS score of the current era (saturating), if it
 * is an elected validator of the era. Scores turn into reward points only
 * when the era is paid, as a bounded share of them (see {@link payEra}).
 */
export function addServiceScore(ctx: DispatchContext, stash: Uint8Array, score: bigint): void {
  const era = storage.CurrentEra.get(ctx.state);
  if (score <= 0n || !storage.ErasStakers.contains(ctx.state, era, stash)) return;
  const had = storage.ErasServiceScores.get(ctx.state, era, stash) ?? 0n;
  const sum = had + score;
  storage.ErasServiceScores.set(ctx.state, era, stash, sum < U64_MAX ? sum : U64_MAX);
}

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
    points.set(hexKey(p.who), { who: p.who, points: BigInt(p.points) });
  }
  const scores = [...storage.ErasServiceScores.entriesOf(state, era)];
  const totalScore = scores.reduce((sum, [, score]) => sum + score, 0n);
  const budget = BigInt(blocks.total) * QOS_POINTS_PERCENT / (100n - QOS_POINTS_PERCENT);
  if (totalScore > 0n && budget > 0n) {
    for (const [who, score] of scores) {
      const entry = points.get(hexKey(who)) ?? { who, points: 0n };
      entry.points += budget * score / totalScore;
      points.set(hexKey(who), entry);
    }
  }
  return [...points.values()].filter((p) => p.points > 0n)
    .sort((a, b) => compareBytes(a.who, b.who));
}

/**
 * Pays era `era`: mints `EraPayout` split among its validators in
 * proportion to their points ({@link eraPoints}; every validator counts one
 * point when nobody earned any, e.g. on a chain without slot digests). Each validator's share
 * pays its commission first; the rest goes to its own stake and its
 * nominators pro rata to their exposure. Rounding dust goes to the validator,
 * and the dust of the split between validators to the first of them, so
 * exactly `EraPayout` is minted whenever the era had validators.
 */
export function payEra(ctx: DispatchContext, era: number): void {
  const validators = storage.ErasValidators.get(ctx.state, era);
  if (validators.length === 0) return;
  const payout = storage.EraPayout.get(ctx.state);
  const earned = eraPoints(ctx.state, era);
  const points = earned.length > 0 ? earned : validators.map((who) => ({ who, points: 1n }));
  const total = points.reduce((sum, p) => sum + p.points, 0n);
  const shares = points.map((p) => ({ who: p.who, share: payout * p.points / total }));
  shares[0].share += payout - shares.reduce((sum, s) => sum + s.share, 0n);
  let paid = 0n;
  for (const { who, share } of shares) {
    const exposure = storage.ErasStakers.get(ctx.state, era, who) ??
      { total: 0n, own: 0n, others: [] };
    const prefs = storage.ErasValidatorPrefs.get(ctx.state, era, who) ??
      { commissionPerbill: 0, blocked: false };
    paid += payValidator(ctx, who, share, exposure, prefs);
  }
  ctx.deposit(events.EraPaid({ eraIndex: era, validatorPayout: paid }));
}

/** Pays one validator's share of an era's payout; returns what was minted. */
function payValidator(
  ctx: DispatchContext,
  stash: Uint8Array,
  share: bigint,
  exposure: Exposure,
  prefs: ValidatorPrefs,
): bigint {
  const commission = share * BigInt(prefs.commissionPerbill) / PERBILL;
  const rest = share - commission;
  let toValidator = share;
  let paid = 0n;
  if (exposure.total > 0n) {
    for (const { who, value } of exposure.others) {
      const amount = rest * value / exposure.total;
      const minted = reward(ctx, who, amount);
      // A reward too small to create a reaped nominator's account stays with the validator.
      toValidator -= minted;
      paid += minted;
    }
  }
  return paid + reward(ctx, stash, toValidator);
}

function reward(ctx: DispatchContext, who: Uint8Array, amount: bigint): bigint {
  if (amount === 0n) return 0n;
  const minted = mint(ctx, who, amount);
  if (minted > 0n) ctx.deposit(events.Rewarded({ stash: who, amount: minted }));
  return minted;
}

/** A candidate's backing while an election runs. */
interface Candidate {
  stash: Uint8Array;
  key: Uint8Array;
  prefs: ValidatorPrefs;
  own: bigint;
  others: { who: Uint8Array; value: bigint }[];
  total: bigint;
}

/**
 * Elects era `era`'s validators. Candidates are the stashes in `Validators`
 * that are not disabled, keep at least `MinValidatorBond` active (and more
 * than nothing) and have a session key. Each nominator's active stake is
 * split evenly among its targets that are candidates (the remainder of the
 * division to the first in stash order). The `ValidatorCount` best backed
 * win, ties broken by stash bytes. With no candidate, the previous era's set
 * carries over. Returns the elected stashes, in stash order.
 */
export function electEra(ctx: DispatchContext, era: number): Uint8Array[] {
  const { state } = ctx;
  const minBond = storage.MinValidatorBond.get(state);
  const candidates = new Map<string, Candidate>();
  for (const [stash, prefs] of storage.Validators.entries(state)) {
    if (storage.Disabled.contains(state, stash)) continue;
    const ledger = storage.Ledger.get(state, stash);
    const key = storage.SessionKeys.get(state, stash);
    if (!ledger || !key || ledger.active === 0n || ledger.active < minBond) continue;
    candidates.set(hexKey(stash), {
      stash,
      key,
      prefs,
      own: ledger.active,
      others: [],
      total: ledger.active,
    });
  }
  for (const [nominator, targets] of storage.Nominators.entries(state)) {
    const active = storage.Ledger.get(state, nominator)?.active ?? 0n;
    const backed = targets.map((t) => candidates.get(hexKey(t))).filter((c) => c !== undefined)
      .sort((a, b) => compareBytes(a.stash, b.stash));
    if (active === 0n || backed.length === 0) continue;
    const n = BigInt(backed.length);
    backed.forEach((c, i) => {
      const value = active / n + (i === 0 ? active % n : 0n);
      if (value === 0n) return;
      c.others.push({ who: nominator, value });
      c.total += value;
    });
  }
  const ranked = [...candidates.values()].sort((a, b) =>
    a.total === b.total ? compareBytes(a.stash, b.stash) : a.total > b.total ? -1 : 1
  );
  const winners = ranked.slice(0, storage.ValidatorCount.get(state))
    .sort((a, b) => compareBytes(a.stash, b.stash));
  if (winners.length === 0) return carryOver(ctx, era);
  for (const c of winners) {
    c.others.sort((a, b) => compareBytes(a.who, b.who));
    storage.ErasStakers.set(state, era, c.stash, { total: c.total, own: c.own, others: c.others });
    storage.ErasValidatorPrefs.set(state, era, c.stash, c.prefs);
  }
  const stashes = winners.map((c) => c.stash);
  installSet(ctx, era, stashes, winners.map((c) => c.key));
  return stashes;
}

/** Keeps the previous era's validators, exposures and commissions for `era`. */
function carryOver(ctx: DispatchContext, era: number): Uint8Array[] {
  if (era === 0) return [];
  const stashes = storage.ErasValidators.get(ctx.state, era - 1);
  if (stashes.length === 0) return [];
  for (const stash of stashes) {
    const exposure = storage.ErasStakers.get(ctx.state, era - 1, stash);
    const prefs = storage.ErasValidatorPrefs.get(ctx.state, era - 1, stash);
    if (exposure) storage.ErasStakers.set(ctx.state, era, stash, exposure);
    if (prefs) storage.ErasValidatorPrefs.set(ctx.state, era, stash, prefs);
  }
  const keys = stashes.map((s) => storage.SessionKeys.get(ctx.state, s) ?? s);
  installSet(ctx, era, stashes, keys);
  return stashes;
}

function installSet(
  ctx: DispatchContext,
  era: number,
  stashes: Uint8Array[],
  keys: Uint8Array[],
): void {
  storage.ErasValidators.set(ctx.state, era, stashes);
  ctx.deposit(events.NewValidatorSet({ era, validators: stashes, sessionKeys: keys }));
  setAuthorities(ctx, keys);
}

/**
 * Ends era `era - 1` and starts era `era`: pays the ended era, puts queued
 * session keys in use, elects the new one, clears the disabled list (each disabled validator has now missed
 * an election) and prunes history older than `HISTORY_DEPTH` eras.
 */
export function startEra(ctx: DispatchContext, era: number): void {
  payEra(ctx, era - 1);
  storage.CurrentEra.set(ctx.state, era);
  storage.ErasStartSlot.set(ctx.state, era, currentSlot(ctx.state));
  rotateKeys(ctx.state, era);
  forgetOldOffences(ctx.state, era);
  electEra(ctx, era);
  storage.Disabled.clear(ctx.state);
  const old = era - HISTORY_DEPTH;
  if (old >= 0) {
    storage.ErasValidators.remove(ctx.state, old);
    storage.ErasRewardPoints.remove(ctx.state, old);
    storage.ErasServiceScores.clearPrefix(ctx.state, old);
    storage.ErasStartSlot.remove(ctx.state, old);
    storage.ErasStakers.clearPrefix(ctx.state, old);
    storage.ErasValidatorPrefs.clearPrefix(ctx.state, old);
  }
}

/**
 * Lets go of the offences reported `BondingDuration + 1` eras before `era`:
 * by now no proof of them is accepted (too old), so no record is needed to
 * refuse a second report.
 */
function forgetOldOffences(state: Overlay, era: number): void {
  const expired = era - storage.BondingDuration.get(state) - 1;
  if (expired < 0) return;
  for (const id of storage.OffencesReportedIn.get(state, expired)) {
    storage.Offences.remove(state, id);
  }
  storage.OffencesReportedIn.remove(state, expired);
}

/** The validators (stashes) elected for the current era. */
export function currentValidators(state: StateReader): Uint8Array[] {
  return storage.ErasValidators.get(state, storage.CurrentEra.get(state));
}

function hexKey(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
