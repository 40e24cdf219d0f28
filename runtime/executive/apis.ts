/**
 * What the executive needs from the system and transaction-payment pallets.
 *
 * The framework cannot import pallets, so the composition in `runtime/mod.ts`
 * hands these in; `pallets/system` and `pallets/transaction-payment`
 * implement them.
 *
 * @module
 */
import type { DigestItem, Header } from "../block/header.ts";
import type { DispatchClass, DispatchContext, Weight } from "../pallet/pallet.ts";
import type { Overlay, StateReader } from "../storage/overlay.ts";
import type { DispatchErrorValue, DispatchInfoValue } from "./validity.ts";

/**
 * The runtime that last upgraded a chain (FRAME's `LastRuntimeUpgradeInfo`,
 * kept in `System.LastRuntimeUpgrade`).
 */
export interface LastRuntimeUpgradeInfo {
  specVersion: number;
  specName: string;
}

/** Block bookkeeping, accounts' nonces, events, and the last runtime upgrade. */
export interface SystemApi {
  /** Starts a block: number, parent hash, digest; clears the last block's events. */
  initialize(state: Overlay, header: Omit<Header, "stateRoot" | "extrinsicsRoot">): void;
  /** Ends a block (prunes old block hashes). */
  finalize(state: Overlay): void;
  /** The current block's digest: the items it started with, then the logs pallets deposited. */
  digest(state: StateReader): DigestItem[];
  /** The number of the block being built or last built. */
  blockNumber(state: StateReader): number;
  /** The hash of block `n`, while it is recent enough to be kept. */
  blockHash(state: StateReader, n: number): Uint8Array | undefined;
  accountNonce(state: StateReader, who: Uint8Array): number;
  incrementNonce(state: Overlay, who: Uint8Array): void;
  /** The encoded `System.Events` of the current block. */
  events(state: StateReader): Uint8Array | undefined;
  /** Appends an encoded `EventRecord`. */
  depositEventRecord(state: Overlay, record: Uint8Array): void;
  extrinsicSuccess(ctx: DispatchContext, info: DispatchInfoValue): void;
  extrinsicFailed(ctx: DispatchContext, error: DispatchErrorValue, info: DispatchInfoValue): void;
  /** The runtime that last upgraded the chain (genesis records the first); none on an older chain. */
  lastRuntimeUpgrade(state: StateReader): LastRuntimeUpgradeInfo | undefined;
  /** Records the runtime that upgrades the chain now (or builds its genesis). */
  setLastRuntimeUpgrade(state: Overlay, info: LastRuntimeUpgradeInfo): void;
  /** Deposits `System.CodeUpdated`: this block is the first of a new runtime. */
  codeUpdated(ctx: DispatchContext): void;
}

/** Fees: how much, taking them, and paying them out. */
export interface PaymentApi {
  /** The fee (tip included) for an extrinsic of `length` bytes and `weight`. */
  computeFee(
    state: StateReader,
    length: number,
    weight: Weight,
    cls: DispatchClass,
    tip: bigint,
  ): bigint;
  /** Takes `fee` from `who`'s free balance, keeping the account alive; throws if it cannot. */
  withdrawFee(ctx: DispatchContext, who: Uint8Array, fee: bigint): void;
  /** Pays a withdrawn fee out (block author and reward pot) and records it. */
  settleFee(ctx: DispatchContext, who: Uint8Array, fee: bigint, tip: bigint): void;
}
