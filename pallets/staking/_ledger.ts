/**
 * Ledgers: bonding, unbonding and withdrawing, and the balance lock that
 * keeps a stash's bonded funds in place.
 *
 * A ledger's `total` is exactly the amount of the stash's `staking ` lock:
 * every function that changes it goes through {@link writeLedger}. A bonded
 * stash holds one consumer reference, so it cannot be reaped while bonded.
 *
 * @module
 */
import { utf8 } from "../../runtime/primitives/bytes.ts";
import type { DispatchContext } from "../../runtime/pallet/pallet.ts";
import type { Overlay, StateReader } from "../../runtime/storage/overlay.ts";
import { existentialDeposit, freeBalance, setLock, slashFree } from "../balances/mod.ts";
import { decConsumers, incConsumers } from "../system/mod.ts";
import { removeKeys } from "./_session_keys.ts";
import {
  errors,
  type Ledger,
  MAX_NOMINATORS,
  MAX_UNLOCKING_CHUNKS,
  PERBILL,
  storage,
} from "./_storage.ts";

/** The balance lock id of bonded funds (8 bytes, as Substrate's `"staking "`). */
export const STAKING_LOCK_ID: Uint8Array = utf8("staking ");

/** The ledger of `stash`, or `NotStash`. */
export function ensureLedger(state: StateReader, stash: Uint8Array): Ledger {
  const ledger = storage.Ledger.get(state, stash);
  if (!ledger) throw errors.NotStash();
  return ledger;
}

/** Writes a ledger and sets the stash's lock to its total. */
export function writeLedger(ctx: DispatchContext, ledger: Ledger): void {
  storage.Ledger.set(ctx.state, ledger.stash, ledger);
  setLock(ctx, STAKING_LOCK_ID, ledger.stash, ledger.total);
}

/**
 * Bonds up to `value` of `stash`'s free balance (no more than it has) into a
 * new ledger. Fails with `AlreadyBonded`, or `InsufficientBond` below the
 * existential deposit; returns the amount bonded.
 */
export function bondNew(ctx: DispatchContext, stash: Uint8Array, value: bigint): bigint {
  if (storage.Ledger.contains(ctx.state, stash)) throw errors.AlreadyBonded();
  const free = freeBalance(ctx.state, stash);
  const amount = value < free ? value : free;
  if (amount < existentialDeposit(ctx.state) || amount === 0n) throw errors.InsufficientBond();
  incConsumers(ctx, stash);
  writeLedger(ctx, { stash, total: amount, active: amount, unlocking: [] });
  return amount;
}

/** Bonds up to `maxAdditional` more of the stash's free, not yet bonded, balance; returns it. */
export function bondExtra(ctx: DispatchContext, stash: Uint8Array, maxAdditional: bigint): bigint {
  const ledger = ensureLedger(ctx.state, stash);
  const free = freeBalance(ctx.state, stash);
  const available = free > ledger.total ? free - ledger.total : 0n;
  const extra = maxAdditional < available ? maxAdditional : available;
  ledger.total += extra;
  ledger.active += extra;
  writeLedger(ctx, ledger);
  return extra;
}

/** The least active bond `stash` must keep in its role (0 when it neither validates nor nominates). */
export function minActiveBond(state: StateReader, stash: Uint8Array): bigint {
  if (storage.Validators.contains(state, stash)) return storage.MinValidatorBond.get(state);
  if (storage.Nominators.contains(state, stash)) return storage.MinNominatorBond.get(state);
  return 0n;
}

/**
 * Moves up to `value` of the active bond into an unlocking chunk of the
 * current era. An active bond left below the existential deposit is
 * unbonded whole (it could never be staked); one left below the role's
 * minimum fails with `InsufficientBond` (chill first). Returns the amount.
 */
export function unbond(ctx: DispatchContext, stash: Uint8Array, value: bigint): bigint {
  const ledger = ensureLedger(ctx.state, stash);
  let amount = value < ledger.active ? value : ledger.active;
  if (ledger.active - amount < existentialDeposit(ctx.state)) amount = ledger.active;
  const active = ledger.active - amount;
  if (active < minActiveBond(ctx.state, stash)) throw errors.InsufficientBond();
  if (amount === 0n) return 0n;
  const era = storage.CurrentEra.get(ctx.state);
  const last = ledger.unlocking.at(-1);
  if (last && last.era === era) last.value += amount;
  else {
    if (ledger.unlocking.length >= MAX_UNLOCKING_CHUNKS) throw errors.NoMoreChunks();
    ledger.unlocking.push({ value: amount, era });
  }
  ledger.active = active;
  writeLedger(ctx, ledger);
  return amount;
}

/**
 * Releases every chunk unbonded at least `BondingDuration` eras ago. A stash
 * left with nothing bonded is removed altogether (ledger, lock, consumer
 * reference, intentions and session keys). Fails with `NoUnlockChunk` when
 * no chunk is ready; returns the amount released.
 */
export function withdrawUnbonded(ctx: DispatchContext, stash: Uint8Array): bigint {
  const ledger = ensureLedger(ctx.state, stash);
  const era = storage.CurrentEra.get(ctx.state);
  const duration = storage.BondingDuration.get(ctx.state);
  const ready = ledger.unlocking.filter((c) => era >= c.era + duration);
  if (ready.length === 0) throw errors.NoUnlockChunk();
  const amount = ready.reduce((sum, c) => sum + c.value, 0n);
  ledger.unlocking = ledger.unlocking.filter((c) => era < c.era + duration);
  ledger.total -= amount;
  if (ledger.total === 0n) killStash(ctx, stash);
  else writeLedger(ctx, ledger);
  return amount;
}

/**
 * Records `stash`'s nomination of `targets`, replacing its own earlier one.
 *
 * @throws `TooManyNominators` for a new nominator past `MAX_NOMINATORS`
 */
export function setNominations(state: Overlay, stash: Uint8Array, targets: Uint8Array[]): void {
  if (!storage.Nominators.contains(state, stash)) {
    const count = storage.CounterForNominators.get(state);
    if (count >= MAX_NOMINATORS) throw errors.TooManyNominators();
    storage.CounterForNominators.set(state, count + 1);
  }
  storage.Nominators.set(state, stash, targets);
}

/** Withdraws `stash`'s nomination, if it has one. */
export function removeNominations(state: Overlay, stash: Uint8Array): void {
  if (!storage.Nominators.contains(state, stash)) return;
  storage.Nominators.remove(state, stash);
  storage.CounterForNominators.set(state, storage.CounterForNominators.get(state) - 1);
}

/** Removes everything staking holds of `stash`, and its lock and consumer reference. */
export function killStash(ctx: DispatchContext, stash: Uint8Array): void {
  storage.Ledger.remove(ctx.state, stash);
  storage.Validators.remove(ctx.state, stash);
  removeNominations(ctx.state, stash);
  removeKeys(ctx.state, stash);
  setLock(ctx, STAKING_LOCK_ID, stash, 0n);
  decConsumers(ctx, stash);
}

/**
 * Slashes `perbill` parts per billion of everything `stash` has at stake
 * when the offence is reported: its active bond and each unlocking chunk
 * not yet free to withdraw, each part losing the same share (as
 * Substrate's pro-rata slash), so that chilling and unbonding before the
 * report saves nothing. A chunk free to withdraw left the stake before
 * the offence could be reported and is spared. The ledger (and so the
 * lock) shrinks, then the amount is burned from the free balance it was
 * locking. Returns the amount slashed.
 */
export function slash(ctx: DispatchContext, stash: Uint8Array, perbill: bigint): bigint {
  const ledger = storage.Ledger.get(ctx.state, stash);
  if (!ledger) return 0n;
  const era = storage.CurrentEra.get(ctx.state);
  const duration = storage.BondingDuration.get(ctx.state);
  const share = (value: bigint) => value * perbill / PERBILL;
  let amount = share(ledger.active);
  ledger.active -= amount;
  for (const chunk of ledger.unlocking) {
    if (era >= chunk.era + duration) continue;
    const taken = share(chunk.value);
    chunk.value -= taken;
    amount += taken;
  }
  if (amount === 0n) return 0n;
  ledger.unlocking = ledger.unlocking.filter((c) => c.value > 0n);
  ledger.total -= amount;
  if (ledger.total === 0n) killStash(ctx, stash);
  else writeLedger(ctx, ledger);
  return slashFree(ctx, stash, amount);
}
