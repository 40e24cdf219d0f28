/**
 * # Authorship (slot-based, Aura-style)
 *
 * Who authored this block. Time is cut into slots of `slotDuration`
 * milliseconds; a block carries its slot in a `PreRuntime("aura", slot as
 * u64 LE)` digest, and the author is the authority at `slot % authorities`.
 * Slots must strictly increase from block to block, and the timestamp
 * inherent must fall in the block's slot (`now / slotDuration == slot`).
 *
 * The authority set (session keys, the ed25519 keys nodes sign blocks and
 * votes with) is set at genesis and then by staking at each era boundary.
 * The node reads it through {@link authorities}. A block without a slot
 * digest (tests, tools) has no author; its fees go to the reward pot.
 *
 * A change of set after genesis is also signalled in the header, as
 * Substrate's GRANDPA signals it: the block that installs the set carries a
 * `Consensus("FRNK", ScheduledChange { next_authorities, delay: 0 })` log
 * (each key of weight 1), so that a node or light client that follows
 * headers and justifications learns of it without reading state. Delay 0
 * means the change is enacted when this very block is finalized: the old set
 * finalizes this block, and the new set (`SetId` one higher) votes on its
 * descendants. Aura reads the parent's state, so the new set authors from
 * the next block on.
 *
 * @module
 */
import { preRuntime } from "../../runtime/block/header.ts";
import { Reader, t } from "../../runtime/codec/types.ts";
import { scheduledChangeLog } from "../../runtime/consensus/grandpa.ts";
import { defineErrors } from "../../runtime/pallet/errors.ts";
import { defineEvents } from "../../runtime/pallet/events.ts";
import { definePallet, type DispatchContext, genesisConfig } from "../../runtime/pallet/pallet.ts";
import { declareStorage, value } from "../../runtime/storage/items.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { depositLog, systemStorage } from "../system/mod.ts";
import { WEIGHTS } from "./weights.ts";

/** The consensus engine id of slot digests and seals. */
export const AURA_ENGINE = "aura";

const storage = declareStorage("Authorship", {
  Authorities: value({
    type: t.vec(t.accountId),
    default: [],
    docs: "The session keys that author blocks, in slot order.",
  }),
  CurrentSlot: value({ type: t.u64, default: 0n, docs: "The slot of the current block." }),
  Author: value({
    type: t.accountId,
    docs: "The session key that authored the current block; cleared when the block ends.",
  }),
  SlotDuration: value({ type: t.u64, default: 6000n, docs: "Milliseconds per slot (chain spec)." }),
  SetId: value({
    type: t.u64,
    default: 0n,
    docs:
      "How many times the authority set has changed: finality votes name the set they are cast in.",
  }),
});

const events = defineEvents("Authorship", {
  AuthoritiesChanged: {
    fields: { authorities: t.vec(t.accountId) },
    docs: "A new authority set takes over from the next block.",
  },
});

const errors = defineErrors("Authorship", {
  SlotNotIncreasing: "The block's slot is not after its parent's.",
  NoAuthorities: "There is no authority to author the slot.",
  TimestampOutsideSlot: "The timestamp inherent does not fall in the block's slot.",
});

/** The authority set (session keys). */
export function authorities(state: StateReader): Uint8Array[] {
  return storage.Authorities.get(state);
}

/** Milliseconds per slot. */
export function slotDuration(state: StateReader): bigint {
  return storage.SlotDuration.get(state);
}

/** The slot of the current block (0 on a chain whose blocks carry none). */
export function currentSlot(state: StateReader): bigint {
  return storage.CurrentSlot.get(state);
}

/** The session key that authored the current block, if it carries a slot. */
export function blockAuthor(state: StateReader): Uint8Array | undefined {
  return storage.Author.get(state);
}

/** The id of the authority set: finality votes are cast in a set. */
export function authoritySetId(state: StateReader): bigint {
  return storage.SetId.get(state);
}

/**
 * Installs a new authority set (staking calls this at era boundaries) and,
 * after genesis, signals it in the block's header with a FRNK
 * `ScheduledChange` of delay 0 (see the module docs).
 */
export function setAuthorities(ctx: DispatchContext, keys: Uint8Array[]): void {
  storage.Authorities.set(ctx.state, keys);
  storage.SetId.set(ctx.state, storage.SetId.get(ctx.state) + 1n);
  ctx.deposit(events.AuthoritiesChanged({ authorities: keys }));
  // The genesis set is where finality starts, not a change: block 0's header
  // has no digest to carry one, and a log left in genesis state would only
  // change its root.
  if (systemStorage.Number.get(ctx.state) > 0) depositLog(ctx, scheduledChangeLog(keys, 0));
}

/** The slot a digest carries, if any. */
export function slotOf(digest: Parameters<typeof preRuntime>[0]): bigint | undefined {
  const data = preRuntime(digest, AURA_ENGINE);
  if (!data) return undefined;
  return new Reader(data).u64();
}

/** Checks that the timestamp inherent's `now` falls in this block's slot. */
export function onTimestampSet(ctx: DispatchContext, now: bigint): void {
  if (!storage.Author.exists(ctx.state)) return;
  if (now / slotDuration(ctx.state) !== storage.CurrentSlot.get(ctx.state)) {
    throw errors.TimestampOutsideSlot();
  }
}

/** The authorship pallet. */
export const authorship = definePallet({
  name: "Authorship",
  docs: "Slot-based authorship: the block's slot and author, and the authority set.",
  storage,
  events,
  errors,
  hooks: {
    onInitialize(ctx) {
      const slot = slotOf(systemStorage.Digest.get(ctx.state) ?? []);
      if (slot === undefined) return 0;
      if (slot <= storage.CurrentSlot.get(ctx.state)) throw errors.SlotNotIncreasing();
      const keys = authorities(ctx.state);
      if (!keys.length) throw errors.NoAuthorities();
      storage.CurrentSlot.set(ctx.state, slot);
      storage.Author.set(ctx.state, keys[Number(slot % BigInt(keys.length))]);
      return WEIGHTS.onInitialize;
    },
    onFinalize(ctx) {
      storage.Author.remove(ctx.state);
    },
  },
  genesis: genesisConfig({
    type: t.struct("AuthorshipGenesis", { authorities: t.vec(t.accountId), slotDurationMs: t.u64 }),
    default: { authorities: [], slotDurationMs: 6000n },
    build(ctx, config) {
      if (config.slotDurationMs === 0n) {
        throw new TypeError("genesis.runtime.authorship.slotDurationMs: must be at least 1");
      }
      storage.SlotDuration.set(ctx.state, config.slotDurationMs);
      storage.Authorities.set(ctx.state, config.authorities);
    },
  }),
});

export { errors as authorshipErrors, events as authorshipEvents, storage as authorshipStorage };
