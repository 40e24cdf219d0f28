/**
 * Weights of the balances pallet's calls, in picoseconds of reference time.
 *
 * From `deno task bench` (`stf.transfers`): a transfer's dispatch, two
 * account reads and writes and an event, without the signature check and fee
 * that every extrinsic pays for separately.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";

/** Per-call weights. */
export const WEIGHTS = {
  transferAllowDeath: 40_000_000 as Weight,
  transferKeepAlive: 40_000_000 as Weight,
  forceSetBalance: 20_000_000 as Weight,
};
