/**
 * # Template
 *
 * The pallet to copy when you write your own: small, complete, and commented
 * where it teaches something. Read it top to bottom next to
 * [`README.md`](./README.md), which walks through authoring a pallet.
 *
 * ## Overview
 *
 * - {@link template.calls.doSomething} stores a number and says who stored it.
 * - {@link template.calls.causeError} increments that number, and shows how a
 *   call fails: with one of the pallet's own errors, which leaves the state
 *   exactly as it was.
 * - {@link template.calls.claim} lets the first account to claim a number own
 *   it: a map from numbers to accounts.
 * - An `onFinalize` hook remembers the last block in which any of this
 *   changed.
 *
 * Everything a pallet says about itself (storage, calls, events, errors,
 * genesis config) is declared once below; the runtime derives dispatch,
 * metadata, the JSON forms the CLI and RPC accept, and genesis from it.
 *
 * ## The rules every pallet follows
 *
 * - The code is a pure function of the state and the call: no `Deno.*`, no
 *   clock, no randomness, no I/O, no floating point (amounts are `bigint`).
 * - A call either succeeds or throws; a throw rolls back everything it wrote
 *   (each dispatch runs in a storage transaction), so check first, write last
 *   only for clarity, never for correctness.
 * - Call indices are stable: never renumber or reuse one, clients encode them.
 *
 * @module
 */
import { t } from "../../runtime/codec/types.ts";
import { defineErrors } from "../../runtime/pallet/errors.ts";
import { defineEvents } from "../../runtime/pallet/events.ts";
import { ensureSigned } from "../../runtime/pallet/origin.ts";
import {
  call,
  definePallet,
  type DispatchContext,
  genesisConfig,
} from "../../runtime/pallet/pallet.ts";
import { declareStorage, map, value } from "../../runtime/storage/items.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { WEIGHTS } from "./weights.ts";

// Storage keys are derived from the pallet name and the item name, so renaming
// either moves the data: treat both as part of the chain's format.
const storage = declareStorage("Template", {
  // No `default`: reads give `undefined` until something is stored (Substrate's
  // `OptionQuery`). With a default it would read as that value (`ValueQuery`).
  Something: value({
    type: t.u32,
    docs: "A number anyone can set with `doSomething`; absent until then.",
  }),
  // Blake2_128Concat because callers choose the key: a hasher they cannot
  // steer keeps them from unbalancing the state trie. It is also "concat", so
  // the key can be read back when iterating.
  Owners: map({
    hasher: "Blake2_128Concat",
    key: t.u32,
    value: t.accountId,
    docs: "Who claimed each number, first come first served.",
  }),
  LastTouched: value({
    type: t.blockNumber,
    docs: "The last block in which a call of this pallet changed its storage.",
  }),
  // Lives only inside a block: set by calls, taken by `onFinalize`, so it is
  // never in the state between blocks.
  TouchedThisBlock: value({
    type: t.bool,
    docs: "Whether a call changed this pallet's storage in the current block (cleared at its end).",
  }),
});

// Events are how the outside world (wallets, the web app, indexers) learns
// what happened; their fields are part of the chain's format too.
const events = defineEvents("Template", {
  SomethingStored: {
    fields: { something: t.u32, who: t.accountId },
    docs: "A number was stored by an account.",
  },
  Claimed: {
    fields: { value: t.u32, who: t.accountId },
    docs: "A number was claimed by an account.",
  },
});

// Errors are indexed in declaration order; append new ones at the end.
const errors = defineErrors("Template", {
  NoneValue: "There is no value stored yet.",
  StorageOverflow: "Incrementing the value would overflow a u32.",
  AlreadyClaimed: "The number is already claimed.",
});

const U32_MAX = 0xffff_ffff;

/**
 * The stored number, if any: the helper other pallets call instead of
 * reading `Template.Something` themselves, so the storage layout stays this
 * pallet's business.
 */
export function something(state: StateReader): number | undefined {
  return storage.Something.get(state);
}

/** Who owns `value`, if anyone claimed it. */
export function ownerOf(state: StateReader, value: number): Uint8Array | undefined {
  return storage.Owners.get(state, value);
}

function touch(ctx: DispatchContext): void {
  storage.TouchedThisBlock.set(ctx.state, true);
}

/**
 * The template pallet. Tests and node code reach its parts through it, typed:
 * `template.calls.claim({ value })` builds a call, `template.events.Claimed`
 * and `template.errors.AlreadyClaimed` are what it emits and throws, and
 * `template.storage.Owners` its storage.
 */
export const template = definePallet({
  name: "Template",
  docs: "A minimal example pallet: a stored number, claims, events, errors and a hook.",
  storage,
  events,
  errors,
  calls: {
    doSomething: call({
      index: 0,
      args: { something: t.u32 },
      weight: WEIGHTS.doSomething,
      docs: "Store a number; emits `SomethingStored`.",
      dispatch(ctx, origin, { something }) {
        // Who is calling: a signed account, or `BadOrigin` for anything else.
        const who = ensureSigned(origin);
        storage.Something.set(ctx.state, something);
        touch(ctx);
        ctx.deposit(events.SomethingStored({ something, who }));
      },
    }),
    causeError: call({
      index: 1,
      args: {},
      weight: WEIGHTS.causeError,
      docs: "Increment the stored number; fails with `NoneValue` or `StorageOverflow`.",
      dispatch(ctx, origin) {
        ensureSigned(origin);
        const current = storage.Something.get(ctx.state);
        // Throwing a pallet error fails the call; the caller sees
        // "Template.NoneValue" and its docs.
        if (current === undefined) throw errors.NoneValue();
        if (current === U32_MAX) throw errors.StorageOverflow();
        storage.Something.set(ctx.state, current + 1);
        touch(ctx);
      },
    }),
    claim: call({
      index: 2,
      args: { value: t.u32 },
      weight: WEIGHTS.claim,
      docs: "Claim a number; the first account to claim it owns it.",
      dispatch(ctx, origin, { value }) {
        const who = ensureSigned(origin);
        if (storage.Owners.contains(ctx.state, value)) throw errors.AlreadyClaimed();
        storage.Owners.set(ctx.state, value, who);
        touch(ctx);
        ctx.deposit(events.Claimed({ value, who }));
      },
    }),
  },
  hooks: {
    // `onInitialize` runs before a block's extrinsics and returns the weight
    // it used; `onFinalize` runs after them. Keep hooks cheap: every block
    // pays for them whether or not anyone uses the pallet.
    onFinalize(ctx, blockNumber) {
      if (!storage.TouchedThisBlock.get(ctx.state)) return;
      storage.TouchedThisBlock.remove(ctx.state);
      storage.LastTouched.set(ctx.state, blockNumber);
    },
  },
  // The chain spec's `genesis.runtime.template` section, parsed against
  // `type` before `build` runs: an unknown or missing field is an error that
  // names it (a missing option is None). Reject bad values in `build` with a
  // `TypeError("genesis.runtime.template.<field>: ...")`.
  genesis: genesisConfig({
    type: t.struct("TemplateGenesis", { something: t.option(t.u32) }),
    default: { something: undefined },
    build(ctx, config) {
      if (config.something !== undefined) storage.Something.set(ctx.state, config.something);
    },
  }),
});
