/**
 * Paying a claim out of a viewer's reserve.
 *
 * @module
 */
import type { DispatchContext } from "../../runtime/pallet/pallet.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { existentialDeposit, repatriateReserved } from "../balances/mod.ts";
import { account } from "../system/mod.ts";
import { errors, storage } from "./_declarations.ts";
import { type Split, splitClaim } from "./_split.ts";

/** Whether paying `amount` to `who` would not fail for the existential deposit. */
function canReceive(state: StateReader, who: Uint8Array, amount: bigint): boolean {
  const info = account(state, who);
  return info.providers > 0 || info.data.free + amount >= existentialDeposit(state);
}

/**
 * Splits a claimed increase as `claim` pays it: by the perbill shares, with a
 * part the relay or pot cannot receive (it would create an account below the
 * existential deposit) given to the creator.
 */
export function claimSplit(
  state: StateReader,
  amount: bigint,
  relay: Uint8Array | undefined,
  pot: Uint8Array,
): Split {
  const split = splitClaim(
    amount,
    BigInt(storage.CreatorSharePerbill.get(state)),
    BigInt(storage.RelaySharePerbill.get(state)),
    relay !== undefined,
  );
  if (relay && split.relay > 0n && !canReceive(state, relay, split.relay)) {
    split.creator += split.relay;
    split.relay = 0n;
  }
  if (split.pot > 0n && !canReceive(state, pot, split.pot)) {
    split.creator += split.pot;
    split.pot = 0n;
  }
  return split;
}

/** Moves exactly `amount` of `from`'s reserve to `to`'s free balance, or fails with `ReserveShortfall`. */
export function payOut(
  ctx: DispatchContext,
  from: Uint8Array,
  to: Uint8Array,
  amount: bigint,
): void {
  if (amount === 0n) return;
  if (repatriateReserved(ctx, from, to, amount) !== amount) throw errors.ReserveShortfall();
}
