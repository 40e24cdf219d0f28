/**
 * # Sudo
 *
 * One account, the sudo key, may dispatch any call of the runtime with the
 * root origin: the way to reach root-only calls (`Balances.forceTransfer`,
 * `Balances.forceSetBalance`, `System.killStorage`) on a development or
 * test chain. Laid out as Substrate's `pallet-sudo`: the same
 * storage, call indices, events and error.
 *
 * ## Overview
 *
 * - {@link sudo.calls.sudo} dispatches a call as root. Its weight is the
 *   call's own plus a small constant.
 * - {@link sudo.calls.sudoUncheckedWeight} does the same with a weight the
 *   key states (for a call whose declared weight is wrong).
 * - {@link sudo.calls.sudoAs} dispatches a call as a signed account of the
 *   key's choosing.
 * - {@link sudo.calls.setKey} hands the power to another account;
 *   {@link sudo.calls.removeKey} gives it up for good: without a key nobody
 *   can reach the root origin again.
 *
 * ## Rules
 *
 * - The key is set at genesis (`genesis.runtime.sudo.key`): //Alice on the
 *   `dev` and `local` chains, and no key on any chain spec that does not
 *   name one, where every call of this pallet fails with `RequireSudo`, so
 *   no root origin exists there.
 * - Only the key (or the root origin itself) may call this pallet; anyone
 *   else gets `RequireSudo` and pays the fee.
 * - The inner call's failure does not fail the sudo call: the inner call's
 *   writes are rolled back, the outcome is reported in `Sudid` /
 *   `SudoAsDone` (`Ok`, or `Err` with the dispatch error), and the
 *   extrinsic succeeds and pays its fee, as in Substrate.
 * - Calls nest at most `MAX_CALL_DEPTH` (64) deep (`runtime/codec/call.ts`):
 *   a deeper `sudo(sudo(…))` does not decode, so it is never included.
 *
 * Unlike Substrate, the key pays the fee of a successful sudo call (this
 * runtime charges fees before dispatch and refunds nothing after), and the
 * sudo calls are of the normal dispatch class whatever the inner call's.
 *
 * @module
 */
import { t, type ValueOf } from "../../runtime/codec/types.ts";
import { dispatchErrorType, toDispatchError } from "../../runtime/executive/validity.ts";
import { defineErrors } from "../../runtime/pallet/errors.ts";
import { defineEvents } from "../../runtime/pallet/events.ts";
import { ensureSigned, type Origin, origins } from "../../runtime/pallet/origin.ts";
import {
  call,
  definePallet,
  type DispatchContext,
  genesisConfig,
} from "../../runtime/pallet/pallet.ts";
import { type CallRef, RuntimeCalls } from "../../runtime/pallet/runtime_calls.ts";
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import { declareStorage, value } from "../../runtime/storage/items.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { lookup, multiAddressType } from "../balances/mod.ts";
import { WEIGHTS } from "./weights.ts";

const storage = declareStorage("Sudo", {
  Key: value({
    type: t.accountId,
    docs: "The `AccountId` of the sudo key; absent when there is none (no root origin then).",
  }),
});

/** `Result<(), DispatchError>`: how an inner call went. */
export const dispatchResultType = t.enum("Result", { Ok: null, Err: dispatchErrorType });

/** How an inner call went. */
export type DispatchResult = ValueOf<typeof dispatchResultType>;

const events = defineEvents("Sudo", {
  Sudid: {
    fields: { sudoResult: dispatchResultType },
    docs: "A sudo call just took place; `sudoResult` is the inner call's outcome.",
  },
  KeyChanged: {
    fields: { old: t.option(t.accountId), new: t.accountId },
    docs: "The sudo key has been changed from `old` (if there was one) to `new`.",
  },
  KeyRemoved: {
    fields: {},
    docs: "The sudo key has been removed: no root origin can be reached any more.",
  },
  SudoAsDone: {
    fields: { sudoResult: dispatchResultType },
    docs: "A call was dispatched as another account; `sudoResult` is its outcome.",
  },
});

const errors = defineErrors("Sudo", {
  RequireSudo: "Sender must be the sudo account.",
});

/** `Weight { refTime, proofSize }`, as Substrate's `sudo_unchecked_weight` takes it. */
const weightArgType = t.struct("Weight", { refTime: t.compactU64, proofSize: t.compactU64 });

/** The calls of the runtime this pallet is composed into; the runtime binds them. */
const calls = new RuntimeCalls();

/** The sudo key, if there is one. */
export function sudoKey(state: StateReader): Uint8Array | undefined {
  return storage.Key.get(state);
}

/** Passes the sudo key's signed origin and the root origin; anyone else is `RequireSudo`. */
function ensureSudo(state: StateReader, origin: Origin): void {
  if (origin.kind === "root") return;
  const who = ensureSigned(origin);
  const key = storage.Key.get(state);
  if (key === undefined || !equalBytes(key, who)) throw errors.RequireSudo();
}

/** Dispatches `inner` as `origin` in its own transaction: its failure is a result, not a throw. */
function dispatchAs(ctx: DispatchContext, origin: Origin, inner: CallRef): DispatchResult {
  try {
    ctx.state.transaction(() => calls.dispatch(ctx, origin, inner));
    return { tag: "Ok" };
  } catch (e) {
    return { tag: "Err", value: toDispatchError(e, (name) => calls.palletIndex(name)) };
  }
}

/** The sudo pallet. */
export const sudo = definePallet({
  name: "Sudo",
  docs: "One key may dispatch any call as root (dev and local chains only).",
  storage,
  events,
  errors,
  runtimeCalls: calls,
  calls: {
    sudo: call({
      index: 0,
      args: { call: calls.type },
      weight: ({ call }) => WEIGHTS.sudo + calls.weight(call),
      docs: "Dispatch a call with the root origin (sudo key only); emits `Sudid`.",
      dispatch(ctx, origin, { call }) {
        ensureSudo(ctx.state, origin);
        ctx.deposit(events.Sudid({ sudoResult: dispatchAs(ctx, origins.root, call) }));
      },
    }),
    sudoUncheckedWeight: call({
      index: 1,
      args: { call: calls.type, weight: weightArgType },
      // The key states the weight: it answers for a block it overfills.
      weight: ({ weight }) => Number(weight.refTime),
      docs: "Dispatch a call with the root origin and the weight given (sudo key only).",
      dispatch(ctx, origin, { call }) {
        ensureSudo(ctx.state, origin);
        ctx.deposit(events.Sudid({ sudoResult: dispatchAs(ctx, origins.root, call) }));
      },
    }),
    setKey: call({
      index: 2,
      args: { new: multiAddressType },
      weight: WEIGHTS.setKey,
      docs: "Make `new` the sudo key (sudo key only); emits `KeyChanged`.",
      dispatch(ctx, origin, args) {
        ensureSudo(ctx.state, origin);
        const next = lookup(args.new);
        ctx.deposit(events.KeyChanged({ old: storage.Key.get(ctx.state), new: next }));
        storage.Key.set(ctx.state, next);
      },
    }),
    sudoAs: call({
      index: 3,
      args: { who: multiAddressType, call: calls.type },
      weight: ({ call }) => WEIGHTS.sudoAs + calls.weight(call),
      docs: "Dispatch a call as the signed account `who` (sudo key only); emits `SudoAsDone`.",
      dispatch(ctx, origin, args) {
        ensureSudo(ctx.state, origin);
        const who = lookup(args.who);
        ctx.deposit(
          events.SudoAsDone({ sudoResult: dispatchAs(ctx, origins.signed(who), args.call) }),
        );
      },
    }),
    removeKey: call({
      index: 4,
      args: {},
      weight: WEIGHTS.removeKey,
      docs: "Remove the sudo key for good (sudo key only); emits `KeyRemoved`.",
      dispatch(ctx, origin) {
        ensureSudo(ctx.state, origin);
        ctx.deposit(events.KeyRemoved({}));
        storage.Key.remove(ctx.state);
      },
    }),
  },
  // `genesis.runtime.sudo`: `{ "key": "<SS58>" }`, or no key (`null`, or
  // the section left out) for a chain with no root origin.
  genesis: genesisConfig({
    type: t.struct("SudoGenesis", { key: t.option(t.accountId) }),
    default: { key: undefined },
    build(ctx, config) {
      if (config.key !== undefined) storage.Key.set(ctx.state, config.key);
    },
  }),
});

export { errors as sudoErrors, events as sudoEvents, storage as sudoStorage };
