/**
 * The access pallet's storage migrations, one per storage version.
 *
 * ## v1: `LaneCount` (spec 104)
 *
 * A channel pays each payee on its own lane (`Lanes`), and `close` deletes
 * every lane. Up to spec 103 nothing counted them: `close` was weighed for
 * 65 lanes (the creator's and 64 carrying relays'), yet relays come and go
 * while a channel lasts, and each one that claims adds a lane, so a
 * channel could hold more lanes than its `close` paid for. From v1 the
 * pallet counts each channel's lanes (`LaneCount`) and `claim` refuses a
 * new payee past `MaxLanes` (65). This migration counts the lanes of every
 * open channel; a channel that already had more keeps its count (its new
 * payees are refused, its `close` clears them all once).
 *
 * @module
 */
import { decode, encode, t } from "../../runtime/codec/types.ts";
import { type Migration, migration } from "../../runtime/pallet/migration.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { channelIdType, storage } from "./_declarations.ts";
import { WEIGHTS } from "./weights.ts";

/**
 * The lanes of every open channel, counted in one pass over `Lanes` (not
 * read from `LaneCount`). PERF: one pass, not one per channel: each read
 * of a prefix walks the block's pending writes, which the migration grows.
 */
function laneCounts(state: StateReader): Map<bigint, number> {
  const counts = new Map<bigint, number>();
  for (const [id] of storage.Channels.entries(state)) counts.set(id, 0);
  // A `Lanes` key: its prefix, then twox64(channel) ++ channel (u64), then the payee.
  const at = storage.Lanes.prefix.length + 8;
  for (const [key] of state.entries(storage.Lanes.prefix)) {
    const id = decode(channelIdType, key.subarray(at, at + 8), "Lanes key");
    const n = counts.get(id);
    if (n !== undefined) counts.set(id, n + 1);
  }
  return counts;
}

/** The lanes of `counts` in all. */
function total(counts: Map<bigint, number>): number {
  let sum = 0;
  for (const n of counts.values()) sum += n;
  return sum;
}

/** What `preUpgrade` hands `postUpgrade`: the open channels and their lanes, in all. */
const censusType = t.struct("LaneCensus", { channels: t.u32, lanes: t.u32 });

/** v0 → v1: counts each open channel's lanes into `LaneCount`. */
export const v1LaneCount: Migration = migration({
  from: 0,
  docs: "v1: `LaneCount` counts each open channel's lanes, so that `claim` can bound them.",
  migrate(ctx) {
    const counts = laneCounts(ctx.state);
    for (const [id, n] of counts) if (n > 0) storage.LaneCount.set(ctx.state, id, n);
    return WEIGHTS.migrateV1LaneCount(counts.size, total(counts));
  },
  preUpgrade(state) {
    const stray = [...storage.LaneCount.entries(state)].length;
    if (stray) throw new Error(`${stray} channels have a LaneCount before v1`);
    const counts = laneCounts(state);
    return encode(censusType, { channels: counts.size, lanes: total(counts) });
  },
  postUpgrade(state, pre) {
    const before = decode(censusType, pre, "lane census");
    const counts = laneCounts(state);
    const after = { channels: counts.size, lanes: total(counts) };
    if (after.channels !== before.channels || after.lanes !== before.lanes) {
      throw new Error(
        `the migration changed channels or lanes: ${JSON.stringify(before)} became ` +
          JSON.stringify(after),
      );
    }
    for (const [id, n] of counts) {
      const counted = storage.LaneCount.get(state, id);
      if (counted !== n) throw new Error(`LaneCount of channel ${id} is ${counted}, not ${n}`);
    }
    for (const [id] of storage.LaneCount.entries(state)) {
      if (!counts.has(id)) throw new Error(`LaneCount of channel ${id}, which is not open`);
    }
  },
});

/** The pallet's migrations, oldest first. */
export const MIGRATIONS: Migration[] = [v1LaneCount];
