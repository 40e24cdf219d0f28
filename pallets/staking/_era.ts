/**
 * Eras: reward points, ending an era (its payout decided, see `_payout.ts`),
 * and electing the next one.
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
import { clearExposures, copyExposure, setExposure } from "./_exposure.ts";
import { decideEraPayout } from "./_payout.ts";
import { rotateKeys } from "./_session_keys.ts";
import { events, HISTORY_DEPTH, storage, type ValidatorPrefs } from "./_storage.ts";

const U32_MAX = 0xffff_ffff;
const U64_MAX = (1n << 64n) - 1n;

/**
 * Adds `points` to `stash`'s reward points of the current era, saturating
 * at `u32::MAX`. A stash that is not an elected validator of the era earns
 * nothing: there is no exposure to pay its points out to.
 */
export function addRewardPoints(ctx: DispatchContext, stash: Uint8Array, points: number): void {
  const era = storage.CurrentEra.get(ctx.state);
  if (points <= 0 || !storage.ErasStakersOverview.contains(ctx.state, era, stash)) return;
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
 * when the era ends, as a bounded share of them (see `_payout.ts`).
 */
export function addServiceScore(ctx: DispatchContext, stash: Uint8Array, score: bigint): void {
  const era = storage.CurrentEra.get(ctx.state);
  if (score <= 0n || !storage.ErasStakersOverview.contains(ctx.state, era, stash)) return;
  const had = storage.ErasServiceScores.get(ctx.state, era, stash) ?? 0n;
  const sum = had + score;
  storage.ErasServiceScores.set(ctx.state, era, stash, sum < U64_MAX ? sum : U64_MAX);
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
    setExposure(state, era, c.stash, { total: c.total, own: c.own, others: c.others });
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
    const prefs = storage.ErasValidatorPrefs.get(ctx.state, era - 1, stash);
    copyExposure(ctx.state, era - 1, era, stash);
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
 * Ends era `era - 1` and starts era `era`: decides the ended era's payout
 * (paid page by page in the blocks that follow), puts queued session keys
 * in use, elects the new one, clears the disabled list (each disabled
 * validator has now missed an election) and prunes history older than
 * `HISTORY_DEPTH` eras, unpaid rewards included.
 */
export function startEra(ctx: DispatchContext, era: number): void {
  decideEraPayout(ctx, era - 1);
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
    clearExposures(ctx.state, old);
    storage.ErasValidatorPrefs.clearPrefix(ctx.state, old);
    storage.ErasValidatorReward.remove(ctx.state, old);
    storage.ErasRewardOwed.clearPrefix(ctx.state, old);
    storage.ClaimedRewards.clearPrefix(ctx.state, old);
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
