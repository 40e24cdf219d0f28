/**
 * Weights of the QoS-rewards pallet's calls and hooks, in picoseconds of
 * reference time.
 *
 * Estimates, not yet measured by `deno task bench`: scaled from the balances
 * transfer by the storage each call touches. A report's cost is dominated by
 * its receipts: each is an ed25519 verification (budgeted at 50 µs), an
 * access check and a counted-receipt read and write. The era payout costs a
 * transfer per relay that served.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";

/** Per-call weights. */
export const WEIGHTS = {
  registerRelay: 30_000_000 as Weight,
  /** Unreserving, plus withdrawing from up to 64 streams (`MAX_STREAMS_PER_RELAY`). */
  deregisterRelay: (30_000_000 + 64 * 10_000_000) as Weight,
  updateEndpoint: (bytes: number): Weight => 15_000_000 + bytes * 1_000,
  submitReport: (receipts: number): Weight => 40_000_000 + receipts * 80_000_000,
  /** `onInitialize` in a block that does not end an era: two reads. */
  idleBlock: 2_000_000 as Weight,
  /** `onInitialize` at an era boundary: a mint, then a transfer per rewarded relay. */
  eraPayout: (relays: number): Weight => 60_000_000 + relays * 50_000_000,
};
