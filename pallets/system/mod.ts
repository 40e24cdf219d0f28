/**
 * # System
 *
 * The bookkeeping every other pallet stands on: accounts (nonce, reference
 * counts, balance data), the current block's number, parent hash, digest and
 * events, and the hashes of recent blocks (which mortal transactions are
 * signed against).
 *
 * Storage is laid out as Substrate's `frame_system`, so `System.Account`
 * holds `AccountInfo { nonce, consumers, providers, sufficients, data }` with
 * the balances pallet's `AccountData` inside.
 *
 * An account exists while something provides for it (`providers > 0`, e.g. a
 * balance above the existential deposit); it is removed, nonce and all, when
 * the last provider goes and nothing consumes it (`consumers == 0`, e.g. no
 * staking bond).
 *
 * A block's digest is `System.Digest`: the pre-runtime items the block
 * starts with (the slot), then every log a pallet deposits through
 * {@link depositLog} (an authority set change), as Substrate's
 * `frame_system::deposit_log`. The header carries exactly that digest, and
 * its seal after it.
 *
 * @module
 */
import { encode, readCompact, Reader, t, type ValueOf } from "../../runtime/codec/types.ts";
import { type DigestItem, digestItemType, type Header } from "../../runtime/block/header.ts";
import type { SystemApi } from "../../runtime/executive/apis.ts";
import { dispatchErrorType, dispatchInfoType, invalid } from "../../runtime/executive/validity.ts";
import { defineErrors, DispatchError } from "../../runtime/pallet/errors.ts";
import { defineEvents } from "../../runtime/pallet/events.ts";
import { ensureRoot, ensureSigned } from "../../runtime/pallet/origin.ts";
import {
  call,
  constant,
  definePallet,
  type DispatchContext,
  genesisConfig,
} from "../../runtime/pallet/pallet.ts";
import { declareStorage, map, value } from "../../runtime/storage/items.ts";
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import type { Overlay, StateReader } from "../../runtime/storage/overlay.ts";
import { WEIGHTS } from "./weights.ts";

/** Blocks whose hashes are kept (Substrate's `BlockHashCount`). */
export const BLOCK_HASH_COUNT = 2400;

/** The balance data kept in each account (`pallet_balances::AccountData`). */
export const accountDataType = t.struct("AccountData", {
  free: t.balance,
  reserved: t.balance,
  frozen: t.balance,
  flags: t.u128,
});

/** `AccountInfo`: nonce, reference counts and balance data. */
export const accountInfoType = t.struct("AccountInfo", {
  nonce: t.u32,
  consumers: t.u32,
  providers: t.u32,
  sufficients: t.u32,
  data: accountDataType,
});

/** An account's record. */
export type AccountInfo = ValueOf<typeof accountInfoType>;

/** The balance part of an account's record. */
export type AccountData = ValueOf<typeof accountDataType>;

/**
 * FRAME's `LastRuntimeUpgradeInfo`: the spec version (compact) and spec name
 * of the runtime that last upgraded the chain.
 */
export const lastRuntimeUpgradeInfoType = t.struct("LastRuntimeUpgradeInfo", {
  specVersion: t.compactU32,
  specName: t.str,
});

/** The record of an account that does not exist. */
export function emptyAccount(): AccountInfo {
  return {
    nonce: 0,
    consumers: 0,
    providers: 0,
    sufficients: 0,
    data: { free: 0n, reserved: 0n, frozen: 0n, flags: 0n },
  };
}

const storage = declareStorage("System", {
  Account: map({
    hasher: "Blake2_128Concat",
    key: t.accountId,
    value: accountInfoType,
    docs: "The full account information for a particular account ID.",
  }),
  Number: value({
    type: t.blockNumber,
    default: 0,
    docs: "The current block number being processed.",
  }),
  ParentHash: value({ type: t.hash, docs: "Hash of the previous block." }),
  BlockHash: map({
    hasher: "Twox64Concat",
    key: t.blockNumber,
    value: t.hash,
    docs: "Hashes of the last `BLOCK_HASH_COUNT` blocks, by number; genesis is kept forever.",
  }),
  Digest: value({
    type: t.vec(digestItemType),
    docs: "Digest of the current block (without seal), also part of the block header.",
  }),
  Events: value({
    type: t.bytes,
    docs: "Events of the current block, a SCALE `Vec<EventRecord>` appended to in place.",
  }),
  EventCount: value({
    type: t.u32,
    default: 0,
    docs: "The number of events in `Events`, set when the block is finalized.",
  }),
  LastRuntimeUpgrade: value({
    type: lastRuntimeUpgradeInfoType,
    docs: "Stores the `spec_version` and `spec_name` of when the last runtime upgrade happened.",
  }),
});

const events = defineEvents("System", {
  ExtrinsicSuccess: {
    fields: { dispatchInfo: dispatchInfoType },
    docs: "An extrinsic completed successfully.",
  },
  ExtrinsicFailed: {
    fields: { dispatchError: dispatchErrorType, dispatchInfo: dispatchInfoType },
    docs: "An extrinsic failed; its fee was paid and its changes were rolled back.",
  },
  CodeUpdated: {
    fields: {},
    docs: "`:code` was updated: this block is the first of a new runtime, whose storage " +
      "migrations ran at its start.",
  },
  NewAccount: { fields: { account: t.accountId }, docs: "A new account was created." },
  KilledAccount: { fields: { account: t.accountId }, docs: "An account was reaped." },
  Remarked: { fields: { sender: t.accountId, hash: t.hash }, docs: "On-chain remark happened." },
});

const errors = defineErrors("System", {
  InvalidSpecName:
    "The name of specification does not match between the current runtime and the new runtime.",
  SpecVersionNeedsToIncrease: "The specification version is not allowed to decrease.",
  FailedToExtractRuntimeVersion: "Failed to extract the runtime version from the new runtime.",
  NonDefaultComposite: "Suicide called when the account has non-default composite data.",
  NonZeroRefCount: "There is a non-zero reference count preventing the account from being purged.",
  CallFiltered: "The origin filter prevent the call to be dispatched.",
});

/** Reads an account's record (empty when it does not exist). */
export function account(state: StateReader, who: Uint8Array): AccountInfo {
  return storage.Account.get(state, who) ?? emptyAccount();
}

/**
 * Writes an account's record, creating or killing the account as its
 * providers say: a record with no providers and no sufficients is deleted.
 */
export function setAccount(ctx: DispatchContext, who: Uint8Array, info: AccountInfo): void {
  const existed = storage.Account.contains(ctx.state, who);
  const alive = info.providers > 0 || info.sufficients > 0;
  if (alive) {
    storage.Account.set(ctx.state, who, info);
    if (!existed) ctx.deposit(events.NewAccount({ account: who }));
  } else if (existed) {
    if (info.consumers > 0) throw new DispatchError("ConsumerRemaining");
    storage.Account.remove(ctx.state, who);
    ctx.deposit(events.KilledAccount({ account: who }));
  }
}

/** Adds a consumer reference (a bond, a lock) that keeps the account from being reaped. */
export function incConsumers(ctx: DispatchContext, who: Uint8Array): void {
  const info = account(ctx.state, who);
  if (info.providers === 0) throw new DispatchError("NoProviders");
  info.consumers += 1;
  storage.Account.set(ctx.state, who, info);
}

/** Removes a consumer reference. */
export function decConsumers(ctx: DispatchContext, who: Uint8Array): void {
  const info = storage.Account.get(ctx.state, who);
  if (!info || info.consumers === 0) return;
  info.consumers -= 1;
  storage.Account.set(ctx.state, who, info);
}

/**
 * Appends `item` to the current block's digest (Substrate's
 * `frame_system::deposit_log`). The block's header carries it, and an
 * imported block whose header does not is refused: a log is a signal the
 * node acts on (an authority set change), so it must be the runtime's.
 */
export function depositLog(ctx: DispatchContext, item: DigestItem): void {
  // Appended in place, as events are: the digest is not decoded per log.
  storage.Digest.appendItem(ctx.state, encode(digestItemType, item));
}

/** The system pallet's part of the executive. */
export const systemApi: SystemApi = {
  initialize(state: Overlay, header: Omit<Header, "stateRoot" | "extrinsicsRoot">): void {
    storage.Number.set(state, header.number);
    storage.ParentHash.set(state, header.parentHash);
    storage.Digest.set(state, header.digest);
    if (header.number > 0) storage.BlockHash.set(state, header.number - 1, header.parentHash);
    storage.Events.remove(state);
    storage.EventCount.remove(state);
  },
  finalize(state: Overlay): void {
    // PERF: counted once here rather than rewritten on every deposit.
    const events = state.get(storage.Events.key);
    storage.EventCount.set(
      state,
      events ? Number(readCompact(new Reader(events), 0xffffffffn)) : 0,
    );
    const number = storage.Number.get(state);
    const old = number - 1 - BLOCK_HASH_COUNT;
    if (old > 0) storage.BlockHash.remove(state, old);
  },
  digest: (state) => storage.Digest.get(state) ?? [],
  blockNumber: (state) => storage.Number.get(state),
  blockHash: (state, n) => storage.BlockHash.get(state, n),
  accountNonce: (state, who) => storage.Account.get(state, who)?.nonce ?? 0,
  incrementNonce(state: Overlay, who: Uint8Array): void {
    const info = storage.Account.get(state, who);
    // Substrate's CheckNonce: an account nothing provides for has not paid
    // for the record its nonce would create (a free call or zero fees would
    // otherwise leave one behind for every fresh key).
    if (!info || (info.providers === 0 && info.sufficients === 0)) {
      throw invalid("Payment", "the sender's account does not exist");
    }
    info.nonce += 1;
    storage.Account.set(state, who, info);
  },
  events: (state) => state.get(storage.Events.key),
  depositEventRecord(state: Overlay, record: Uint8Array): void {
    storage.Events.appendItem(state, record);
  },
  extrinsicSuccess: (ctx, dispatchInfo) => ctx.deposit(events.ExtrinsicSuccess({ dispatchInfo })),
  extrinsicFailed: (ctx, dispatchError, dispatchInfo) =>
    ctx.deposit(events.ExtrinsicFailed({ dispatchError, dispatchInfo })),
  lastRuntimeUpgrade: (state) => storage.LastRuntimeUpgrade.get(state),
  setLastRuntimeUpgrade: (state, info) => storage.LastRuntimeUpgrade.set(state, info),
  codeUpdated: (ctx) => ctx.deposit(events.CodeUpdated({})),
};

/** The system pallet. */
export const system = definePallet({
  name: "System",
  docs: "Accounts, block bookkeeping and events.",
  storage,
  events,
  errors,
  constants: {
    BlockHashCount: constant(t.u32, BLOCK_HASH_COUNT, "Number of recent block hashes kept."),
  },
  calls: {
    remark: call({
      index: 0,
      args: { remark: t.bytes },
      weight: (args) => WEIGHTS.remark(args.remark.length),
      docs: "Make some on-chain remark.",
      dispatch: (_ctx, origin) => void ensureSigned(origin),
    }),
    remarkWithEvent: call({
      index: 7,
      args: { remark: t.bytes },
      weight: (args) => WEIGHTS.remarkWithEvent(args.remark.length),
      docs: "Make some on-chain remark and emit an event with its hash.",
      dispatch(ctx, origin, args) {
        const sender = ensureSigned(origin);
        ctx.deposit(events.Remarked({ sender, hash: blake2_256(args.remark) }));
      },
    }),
    killStorage: call({
      index: 5,
      args: { keys: t.vec(t.bytes) },
      weight: (args) => WEIGHTS.killStorage(args.keys.length),
      class: "operational",
      docs: "Kill some items from storage (root only).",
      dispatch(ctx, origin, args) {
        ensureRoot(origin);
        for (const key of args.keys) ctx.state.delete(key);
      },
    }),
  },
  genesis: genesisConfig({
    type: t.struct("SystemGenesis", {}),
    default: {},
    build(ctx) {
      storage.BlockHash.set(ctx.state, 0, new Uint8Array(32).fill(69));
      storage.ParentHash.set(ctx.state, new Uint8Array(32).fill(69));
    },
  }),
});

export { errors as systemErrors, events as systemEvents, storage as systemStorage };
