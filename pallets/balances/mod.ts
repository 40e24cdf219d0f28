/**
 * # Balances
 *
 * Free and reserved balances, the existential deposit, transfers, and the
 * reserve, lock and slash operations other pallets build on. Total issuance
 * is kept exactly: every mint and burn goes through it.
 *
 * An account below the existential deposit (free + reserved) is reaped: its
 * dust is burned and its record removed. `transferKeepAlive` refuses to reap
 * the sender; `transferAllowDeath` allows it unless something (a staking
 * bond) still consumes the account. Balance data lives in `System.Account`,
 * as in Substrate.
 *
 * @module
 */
import { t, type ValueOf } from "../../runtime/codec/types.ts";
import { checkedAdd, defineErrors, DispatchError } from "../../runtime/pallet/errors.ts";
import { defineEvents } from "../../runtime/pallet/events.ts";
import { ensureRoot, ensureSigned } from "../../runtime/pallet/origin.ts";
import {
  call,
  definePallet,
  type DispatchContext,
  genesisConfig,
  genesisConstant,
} from "../../runtime/pallet/pallet.ts";
import { declareStorage, map, value } from "../../runtime/storage/items.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { account, type AccountInfo, setAccount } from "../system/mod.ts";
import { WEIGHTS } from "./weights.ts";

/** Substrate's `MultiAddress`; only `Id` can be looked up here. */
export const multiAddressType = t.enum("MultiAddress", {
  Id: t.accountId,
  Index: t.compactU32,
  Raw: t.bytes,
  Address32: t.fixedBytes(32),
  Address20: t.fixedBytes(20),
});

/** A `MultiAddress` value. */
export type MultiAddress = ValueOf<typeof multiAddressType>;

/** The account a `MultiAddress` names; `CannotLookup` for anything but `Id`. */
export function lookup(address: MultiAddress): Uint8Array {
  if (address.tag !== "Id") throw new DispatchError("CannotLookup");
  return address.value;
}

const lockType = t.struct("BalanceLock", { id: t.fixedBytes(8), amount: t.balance });

const storage = declareStorage("Balances", {
  TotalIssuance: value({
    type: t.balance,
    default: 0n,
    docs: "The total units issued in the system.",
  }),
  ExistentialDeposit: value({
    type: t.balance,
    default: 1n,
    docs: "The minimum balance an account must keep to exist (from the chain spec).",
  }),
  Locks: map({
    hasher: "Blake2_128Concat",
    key: t.accountId,
    value: t.vec(lockType),
    default: [],
    docs: "Locks on an account's free balance; the largest is its `frozen` amount.",
  }),
});

const events = defineEvents("Balances", {
  Endowed: {
    fields: { account: t.accountId, freeBalance: t.balance },
    docs: "An account was created with some free balance.",
  },
  DustLost: {
    fields: { account: t.accountId, amount: t.balance },
    docs:
      "An account was removed whose balance was below the existential deposit; the dust was burned.",
  },
  Transfer: {
    fields: { from: t.accountId, to: t.accountId, amount: t.balance },
    docs: "Transfer succeeded.",
  },
  BalanceSet: { fields: { who: t.accountId, free: t.balance }, docs: "A balance was set by root." },
  Reserved: {
    fields: { who: t.accountId, amount: t.balance },
    docs: "Some balance was reserved (moved from free to reserved).",
  },
  Unreserved: {
    fields: { who: t.accountId, amount: t.balance },
    docs: "Some balance was unreserved (moved from reserved to free).",
  },
  ReserveRepatriated: {
    fields: { from: t.accountId, to: t.accountId, amount: t.balance },
    docs: "Some reserved balance was moved to another account's free balance.",
  },
  Deposit: {
    fields: { who: t.accountId, amount: t.balance },
    docs: "Some amount was deposited (minted).",
  },
  Withdraw: {
    fields: { who: t.accountId, amount: t.balance },
    docs: "Some amount was withdrawn (burned).",
  },
  Slashed: {
    fields: { who: t.accountId, amount: t.balance },
    docs: "Some amount was removed by a slash.",
  },
});

const errors = defineErrors("Balances", {
  VestingBalance: "Vesting balance too high to send value.",
  LiquidityRestrictions:
    "Account liquidity restrictions prevent withdrawal (the balance is locked).",
  InsufficientBalance: "Balance too low to send value.",
  ExistentialDeposit: "Value too low to create account due to existential deposit.",
  Expendability: "Transfer/payment would kill the account.",
  ExistingVestingSchedule: "A vesting schedule already exists for this account.",
  DeadAccount: "Beneficiary account must pre-exist.",
  TooManyReserves: "Number of named reserves exceed `MaxReserves`.",
  TooManyHolds: "Number of holds exceed `MaxHolds`.",
  TooManyFreezes: "Number of freezes exceed `MaxFreezes`.",
  IssuanceDeactivated: "The issuance cannot be modified since it is already deactivated.",
  DeltaZero: "The delta cannot be zero.",
});

/** The existential deposit. */
export function existentialDeposit(state: StateReader): bigint {
  return storage.ExistentialDeposit.get(state);
}

/** The free balance of `who`. */
export function freeBalance(state: StateReader, who: Uint8Array): bigint {
  return account(state, who).data.free;
}

/** The reserved balance of `who`. */
export function reservedBalance(state: StateReader, who: Uint8Array): bigint {
  return account(state, who).data.reserved;
}

/** Total issuance. */
export function totalIssuance(state: StateReader): bigint {
  return storage.TotalIssuance.get(state);
}

/**
 * Writes an account's balance data, creating the account when it reaches the
 * existential deposit and reaping it (burning the dust) when it falls below.
 */
function writeAccount(ctx: DispatchContext, who: Uint8Array, info: AccountInfo): void {
  const ed = existentialDeposit(ctx.state);
  const total = info.data.free + info.data.reserved;
  const existed = info.providers > 0;
  if (total >= ed || (existed && info.consumers > 0 && total > 0n)) {
    if (!existed) {
      info.providers = 1;
      setAccount(ctx, who, info);
      ctx.deposit(events.Endowed({ account: who, freeBalance: info.data.free }));
    } else setAccount(ctx, who, info);
    return;
  }
  if (info.consumers > 0) throw errors.Expendability();
  if (total > 0n) {
    burnIssuance(ctx, total);
    ctx.deposit(events.DustLost({ account: who, amount: total }));
  }
  info.data = { free: 0n, reserved: 0n, frozen: 0n, flags: info.data.flags };
  info.providers = 0;
  setAccount(ctx, who, info);
}

function burnIssuance(ctx: DispatchContext, amount: bigint): void {
  storage.TotalIssuance.mutate(ctx.state, (v) => v - amount);
}

/**
 * Moves `amount` of free balance from `from` to `to`.
 *
 * @param keepAlive refuse to reap the sender
 */
export function transfer(
  ctx: DispatchContext,
  from: Uint8Array,
  to: Uint8Array,
  amount: bigint,
  keepAlive: boolean,
): void {
  // As Substrate's `Currency::transfer`: nothing moves, so nothing is checked or reported.
  if (amount === 0n || equal(from, to)) return;
  const sender = account(ctx.state, from);
  if (sender.data.free < amount) throw errors.InsufficientBalance();
  const newFree = sender.data.free - amount;
  if (newFree < sender.data.frozen) throw errors.LiquidityRestrictions();
  const ed = existentialDeposit(ctx.state);
  if (keepAlive && newFree + sender.data.reserved < ed) throw errors.Expendability();
  const receiver = account(ctx.state, to);
  const received = checkedAdd(receiver.data.free, amount);
  if (receiver.providers === 0 && received + receiver.data.reserved < ed) {
    throw errors.ExistentialDeposit();
  }
  sender.data.free = newFree;
  writeAccount(ctx, from, sender);
  receiver.data.free = received;
  writeAccount(ctx, to, receiver);
  ctx.deposit(events.Transfer({ from, to, amount }));
}

/** Mints `amount` into `who`'s free balance (rewards); below the existential deposit for a new account it mints nothing and returns 0. */
export function mint(ctx: DispatchContext, who: Uint8Array, amount: bigint): bigint {
  if (amount === 0n) return 0n;
  const info = account(ctx.state, who);
  if (info.providers === 0 && amount + info.data.free < existentialDeposit(ctx.state)) return 0n;
  info.data.free = checkedAdd(info.data.free, amount);
  storage.TotalIssuance.set(ctx.state, checkedAdd(totalIssuance(ctx.state), amount));
  writeAccount(ctx, who, info);
  ctx.deposit(events.Deposit({ who, amount }));
  return amount;
}

/**
 * Takes `amount` from `who`'s free balance and burns it.
 *
 * @param keepAlive refuse to reap the account
 */
export function withdraw(
  ctx: DispatchContext,
  who: Uint8Array,
  amount: bigint,
  keepAlive: boolean,
): void {
  const info = account(ctx.state, who);
  if (info.data.free < amount) throw errors.InsufficientBalance();
  const newFree = info.data.free - amount;
  if (newFree < info.data.frozen) throw errors.LiquidityRestrictions();
  if (keepAlive && newFree + info.data.reserved < existentialDeposit(ctx.state)) {
    throw errors.Expendability();
  }
  info.data.free = newFree;
  burnIssuance(ctx, amount);
  writeAccount(ctx, who, info);
  ctx.deposit(events.Withdraw({ who, amount }));
}

/** Moves `amount` from free to reserved; the free part left must cover locks. */
export function reserve(ctx: DispatchContext, who: Uint8Array, amount: bigint): void {
  const info = account(ctx.state, who);
  if (info.data.free < amount) throw errors.InsufficientBalance();
  if (info.data.free - amount < info.data.frozen) throw errors.LiquidityRestrictions();
  info.data.free -= amount;
  info.data.reserved += amount;
  writeAccount(ctx, who, info);
  ctx.deposit(events.Reserved({ who, amount }));
}

/** Moves up to `amount` from reserved back to free; returns what was moved. */
export function unreserve(ctx: DispatchContext, who: Uint8Array, amount: bigint): bigint {
  const info = account(ctx.state, who);
  const moved = amount < info.data.reserved ? amount : info.data.reserved;
  if (moved === 0n) return 0n;
  info.data.reserved -= moved;
  info.data.free += moved;
  writeAccount(ctx, who, info);
  ctx.deposit(events.Unreserved({ who, amount: moved }));
  return moved;
}

/** Burns up to `amount` of `who`'s reserved balance; returns what was slashed. */
export function slashReserved(ctx: DispatchContext, who: Uint8Array, amount: bigint): bigint {
  return slash(ctx, who, amount, "reserved");
}

/** Burns up to `amount` of `who`'s free balance, locks notwithstanding; returns what was slashed. */
export function slashFree(ctx: DispatchContext, who: Uint8Array, amount: bigint): bigint {
  return slash(ctx, who, amount, "free");
}

function slash(
  ctx: DispatchContext,
  who: Uint8Array,
  amount: bigint,
  part: "free" | "reserved",
): bigint {
  const info = account(ctx.state, who);
  const slashed = amount < info.data[part] ? amount : info.data[part];
  if (slashed === 0n) return 0n;
  info.data[part] -= slashed;
  burnIssuance(ctx, slashed);
  writeAccount(ctx, who, info);
  ctx.deposit(events.Slashed({ who, amount: slashed }));
  return slashed;
}

/**
 * Moves up to `amount` of `from`'s reserved balance to `to`'s free balance;
 * returns what was moved. `to` must end above the existential deposit.
 */
export function repatriateReserved(
  ctx: DispatchContext,
  from: Uint8Array,
  to: Uint8Array,
  amount: bigint,
): bigint {
  const source = account(ctx.state, from);
  const moved = amount < source.data.reserved ? amount : source.data.reserved;
  if (moved === 0n) return 0n;
  if (equal(from, to)) return unreserve(ctx, from, moved);
  const dest = account(ctx.state, to);
  if (dest.providers === 0 && dest.data.free + moved < existentialDeposit(ctx.state)) {
    throw errors.ExistentialDeposit();
  }
  source.data.reserved -= moved;
  writeAccount(ctx, from, source);
  dest.data.free = checkedAdd(dest.data.free, moved);
  writeAccount(ctx, to, dest);
  ctx.deposit(events.ReserveRepatriated({ from, to, amount: moved }));
  return moved;
}

/** Sets (or with 0, removes) the lock `id` on `who`'s free balance. */
export function setLock(
  ctx: DispatchContext,
  id: Uint8Array,
  who: Uint8Array,
  amount: bigint,
): void {
  const locks = storage.Locks.get(ctx.state, who).filter((l) => !equal(l.id, id));
  if (amount > 0n) locks.push({ id, amount });
  if (locks.length) storage.Locks.set(ctx.state, who, locks);
  else storage.Locks.remove(ctx.state, who);
  const info = account(ctx.state, who);
  info.data.frozen = locks.reduce((max, l) => (l.amount > max ? l.amount : max), 0n);
  if (info.providers > 0) setAccount(ctx, who, info);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const dest = multiAddressType;

/** The balances pallet. */
export const balances = definePallet({
  name: "Balances",
  docs: "Free and reserved balances, the existential deposit, transfers and total issuance.",
  storage,
  events,
  errors,
  constants: {
    existentialDeposit: genesisConstant(
      t.balance,
      existentialDeposit,
      "The minimum amount required to keep an account open (the chain spec's).",
    ),
  },
  calls: {
    transferAllowDeath: call({
      index: 0,
      args: { dest, value: t.compactBalance },
      weight: WEIGHTS.transferAllowDeath,
      docs: "Transfer some liquid free balance to another account; the sender may be reaped.",
      dispatch: (ctx, origin, args) =>
        transfer(ctx, ensureSigned(origin), lookup(args.dest), args.value, false),
    }),
    forceTransfer: call({
      index: 2,
      args: { source: dest, dest, value: t.compactBalance },
      weight: WEIGHTS.transferAllowDeath,
      docs: "Exactly as `transferAllowDeath`, but from any account (root only).",
      dispatch(ctx, origin, args) {
        ensureRoot(origin);
        transfer(ctx, lookup(args.source), lookup(args.dest), args.value, false);
      },
    }),
    transferKeepAlive: call({
      index: 3,
      args: { dest, value: t.compactBalance },
      weight: WEIGHTS.transferKeepAlive,
      docs: "Same as `transferAllowDeath`, but refuses to reap the sender.",
      dispatch: (ctx, origin, args) =>
        transfer(ctx, ensureSigned(origin), lookup(args.dest), args.value, true),
    }),
    transferAll: call({
      index: 4,
      args: { dest, keepAlive: t.bool },
      weight: WEIGHTS.transferAllowDeath,
      docs:
        "Transfer the whole transferable balance (free minus locks; the existential deposit kept if `keepAlive`).",
      dispatch(ctx, origin, args) {
        const from = ensureSigned(origin);
        const { data } = account(ctx.state, from);
        let amount = data.free - data.frozen;
        if (args.keepAlive) {
          const keep = existentialDeposit(ctx.state) - data.reserved;
          if (keep > data.frozen) amount = data.free - keep;
        }
        if (amount > 0n) transfer(ctx, from, lookup(args.dest), amount, args.keepAlive);
      },
    }),
    forceUnreserve: call({
      index: 5,
      args: { who: dest, amount: t.balance },
      weight: WEIGHTS.forceSetBalance,
      docs: "Unreserve some balance from a user by force (root only).",
      dispatch(ctx, origin, args) {
        ensureRoot(origin);
        unreserve(ctx, lookup(args.who), args.amount);
      },
    }),
    forceSetBalance: call({
      index: 8,
      args: { who: dest, newFree: t.compactBalance },
      weight: WEIGHTS.forceSetBalance,
      docs: "Set the free balance of an account, minting or burning the difference (root only).",
      dispatch(ctx, origin, args) {
        ensureRoot(origin);
        const who = lookup(args.who);
        const info = account(ctx.state, who);
        const ed = existentialDeposit(ctx.state);
        const newFree = args.newFree < ed && info.data.reserved === 0n ? 0n : args.newFree;
        // Checked: a balance near `u128::MAX` must fail as `Arithmetic`, not break encoding.
        const issuance = checkedAdd(totalIssuance(ctx.state) - info.data.free, newFree);
        storage.TotalIssuance.set(ctx.state, issuance);
        info.data.free = newFree;
        writeAccount(ctx, who, info);
        ctx.deposit(events.BalanceSet({ who, free: newFree }));
      },
    }),
  },
  genesis: genesisConfig({
    type: t.struct("BalancesGenesis", {
      balances: t.vec(t.tuple(t.accountId, t.balance)),
      existentialDeposit: t.balance,
    }),
    default: { balances: [], existentialDeposit: 1n },
    build(ctx, config) {
      if (config.existentialDeposit === 0n) {
        throw new TypeError("genesis.runtime.balances.existentialDeposit: must be at least 1");
      }
      storage.ExistentialDeposit.set(ctx.state, config.existentialDeposit);
      const seen = new Set<string>();
      config.balances.forEach(([who, amount], i) => {
        const key = who.join(",");
        if (seen.has(key)) {
          throw new TypeError(`genesis.runtime.balances.balances[${i}]: duplicate account`);
        }
        seen.add(key);
        if (amount < config.existentialDeposit) {
          throw new TypeError(
            `genesis.runtime.balances.balances[${i}][1]: below the existential deposit`,
          );
        }
        mint(ctx, who, amount);
      });
    },
  }),
});

export { errors as balancesErrors, events as balancesEvents, storage as balancesStorage };
