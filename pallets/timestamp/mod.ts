/**
 * # Timestamp
 *
 * The only way time enters the runtime: the block author puts a `set(now)`
 * inherent first in every block. It must come exactly once per block and be
 * at least `minimumPeriod` after the parent's; the node checks it against
 * its clock (with a drift bound) when it imports a block.
 *
 * @module
 */
import { t } from "../../runtime/codec/types.ts";
import { defineErrors } from "../../runtime/pallet/errors.ts";
import { ensureNone } from "../../runtime/pallet/origin.ts";
import { call, definePallet, genesisConfig } from "../../runtime/pallet/pallet.ts";
import { declareStorage, value } from "../../runtime/storage/items.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { onTimestampSet } from "../authorship/mod.ts";
import { WEIGHTS } from "./weights.ts";

const storage = declareStorage("Timestamp", {
  Now: value({
    type: t.u64,
    default: 0n,
    docs: "The current time, in milliseconds since the Unix epoch.",
  }),
  DidUpdate: value({ type: t.bool, default: false, docs: "Whether `Now` was set in this block." }),
  MinimumPeriod: value({
    type: t.u64,
    default: 3000n,
    docs:
      "The least time between two blocks, in milliseconds (chain spec; half the slot duration).",
  }),
});

const errors = defineErrors("Timestamp", {
  AlreadySet: "Timestamp must be updated only once in the block.",
  TooEarly: "Timestamp must increment by at least `MinimumPeriod` between sequential blocks.",
  NotSet: "Timestamp must be updated once in the block.",
});

/** The time of the current block, in milliseconds. */
export function now(state: StateReader): bigint {
  return storage.Now.get(state);
}

/** The timestamp pallet. */
export const timestamp = definePallet({
  name: "Timestamp",
  docs: "The time inherent.",
  storage,
  errors,
  calls: {
    set: call({
      index: 0,
      args: { now: t.compactU64 },
      weight: WEIGHTS.set,
      class: "mandatory",
      // Pays like any call (as Substrate's): the inherent never pays, being
      // unsigned, and a signed `set` (which can only fail) must not be free.
      docs: "Set the current time (an inherent: unsigned, by the block author, once per block).",
      dispatch(ctx, origin, args) {
        ensureNone(origin);
        if (storage.DidUpdate.get(ctx.state)) throw errors.AlreadySet();
        const previous = storage.Now.get(ctx.state);
        if (previous !== 0n && args.now < previous + storage.MinimumPeriod.get(ctx.state)) {
          throw errors.TooEarly();
        }
        storage.Now.set(ctx.state, args.now);
        storage.DidUpdate.set(ctx.state, true);
        onTimestampSet(ctx, args.now);
      },
    }),
  },
  inherent: { calls: ["set"] },
  hooks: {
    onFinalize(ctx) {
      if (!storage.DidUpdate.get(ctx.state)) throw errors.NotSet();
      storage.DidUpdate.remove(ctx.state);
    },
  },
  genesis: genesisConfig({
    type: t.struct("TimestampGenesis", { minimumPeriodMs: t.u64 }),
    default: { minimumPeriodMs: 3000n },
    build(ctx, config) {
      storage.MinimumPeriod.set(ctx.state, config.minimumPeriodMs);
    },
  }),
});

export { errors as timestampErrors, storage as timestampStorage };
