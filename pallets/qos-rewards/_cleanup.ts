/**
 * Clearing what paid eras and closed channels leave behind, a bounded number
 * of entries per block: the counted receipts of paid eras, and the credits
 * (`CreditedSeconds`) of channels closed since. Their number grows with the
 * service reported and the channels opened (each paid for by its own
 * extrinsic), so the payout block only schedules the work, and every block
 * does at most {@link MAX_CLEANUP_PER_BLOCK} entries of it.
 *
 * @module
 */
import { decode } from "../../runtime/codec/types.ts";
import type { DispatchContext, Weight } from "../../runtime/pallet/pallet.ts";
import { getChannel } from "../access/mod.ts";
import { creditKeyType, storage } from "./_storage.ts";
import { WEIGHTS } from "./weights.ts";

/** The most stale entries one block deletes or looks at (`MaxCleanupPerBlock`). */
export const MAX_CLEANUP_PER_BLOCK = 512;

/** `CreditedSeconds` keys are Blake2_128Concat: 16 bytes of hash, then the key's SCALE. */
const CREDIT_HASH_BYTES = 16;

/**
 * Schedules the cleanup of paid era `era`: its counted receipts, and a sweep
 * of the credits for closed channels (unless one is still under way).
 */
export function scheduleCleanup(ctx: DispatchContext, era: number): void {
  const { state } = ctx;
  storage.StaleReceiptEras.set(state, [...storage.StaleReceiptEras.get(state), era]);
  if (!storage.CreditSweep.get(state)) storage.CreditSweep.set(state, { after: undefined });
}

/**
 * Does up to {@link MAX_CLEANUP_PER_BLOCK} entries of scheduled cleanup:
 * first the oldest paid era's counted receipts, then the credit sweep, which
 * drops the credits of channels that are gone. Returns its weight.
 */
export function cleanUp(ctx: DispatchContext): Weight {
  const { state } = ctx;
  let budget = MAX_CLEANUP_PER_BLOCK;
  const eras = storage.StaleReceiptEras.get(state);
  while (eras.length && budget > 0) {
    const stale = take(storage.CountedReceipts.entriesOf(state, eras[0]), budget);
    for (const [key] of stale) storage.CountedReceipts.remove(state, eras[0], key);
    budget -= stale.length;
    // Fewer than asked for: the era is clear. Otherwise the next block looks again.
    if (budget > 0) eras.shift();
  }
  if (eras.length) storage.StaleReceiptEras.set(state, eras);
  else storage.StaleReceiptEras.remove(state);

  const sweep = storage.CreditSweep.get(state);
  if (sweep && budget > 0) {
    const prefix = storage.CreditedSeconds.prefix;
    const after = sweep.after && storage.CreditedSeconds.keyOf(sweep.after);
    const seen = take(state.entries(prefix, after), budget).map(([raw]) =>
      decode(creditKeyType, raw.subarray(prefix.length + CREDIT_HASH_BYTES), "CreditedSeconds key")
    );
    // A closed channel's credit can bound nothing more.
    for (const key of seen) {
      if (!getChannel(state, key[0])) storage.CreditedSeconds.remove(state, key);
    }
    if (seen.length < budget) storage.CreditSweep.remove(state);
    else storage.CreditSweep.set(state, { after: seen[seen.length - 1] });
    budget -= seen.length;
  }
  const done = MAX_CLEANUP_PER_BLOCK - budget;
  return done ? WEIGHTS.cleanup(done) : 0;
}

/** The first `n` items of `items`. */
function take<T>(items: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  if (n <= 0) return out;
  for (const item of items) if (out.push(item) >= n) break;
  return out;
}
