/**
 * The era payout: the pot, topped up with the era's issuance, shared among
 * the era's relays by score.
 *
 * @module
 */
import { DispatchError, ModuleError } from "../../runtime/pallet/errors.ts";
import type { DispatchContext, Weight } from "../../runtime/pallet/pallet.ts";
import { existentialDeposit, freeBalance, mint, transfer } from "../balances/mod.ts";
import { scheduleCleanup } from "./_cleanup.ts";
import { events, storage } from "./_storage.ts";
import { MAX_RELAYS, POT_ACCOUNT } from "./relays.ts";
import { WEIGHTS } from "./weights.ts";

/**
 * Pays era `era`: mints `EraIssuance` into the pot, then gives each relay
 * `pot · score / totalScore` (rounded down) of the pot's free balance above
 * the existential deposit, in relay key order. Rounding dust, the shares of
 * relays that cannot receive them, and everything when nobody served stay in
 * the pot for the next era. Clears the era's service, and schedules the
 * clearing of its counted receipts and a sweep of the credited seconds of
 * channels closed since (`_cleanup.ts`: a bounded number per block).
 *
 * PERF: work grows with the era's relays: at most {@link MAX_RELAYS} (the
 * registry's cap, and `CounterForEraServices` against churn).
 */
export function payEra(ctx: DispatchContext, era: number): Weight {
  const { state } = ctx;
  const issuance = storage.EraIssuance.get(state);
  if (issuance > 0n) mint(ctx, POT_ACCOUNT, issuance);

  const services = [...storage.EraServices.entriesOf(state, era)];
  const totalScore = services.reduce((sum, [, s]) => sum + s.score, 0n);
  const free = freeBalance(state, POT_ACCOUNT);
  const ed = existentialDeposit(state);
  const pot = free > ed ? free - ed : 0n;

  let total = 0n;
  if (totalScore > 0n) {
    for (const [relay, service] of services) {
      const amount = pot * service.score / totalScore;
      if (amount === 0n) continue;
      try {
        // A relay whose account is gone cannot take less than the existential
        // deposit; its share stays in the pot rather than failing the block.
        state.transaction(() => transfer(ctx, POT_ACCOUNT, relay, amount, true));
      } catch (e) {
        if (e instanceof ModuleError || e instanceof DispatchError) continue;
        throw e;
      }
      total += amount;
      ctx.deposit(events.RelayRewarded({ relay, era, amount }));
    }
  }
  ctx.deposit(events.EraRewardsPaid({ era, total }));
  storage.EraServices.clearPrefix(state, era);
  storage.CounterForEraServices.set(state, 0);
  // Counted receipts and stale credits are many: cleared a bounded number per block.
  scheduleCleanup(ctx, era);
  // Weighed for the most payees an era may have, whatever this one had: the
  // block's worst case.
  return WEIGHTS.eraPayout(MAX_RELAYS);
}
