/**
 * Weights of the template pallet's calls, in picoseconds of reference time.
 *
 * A weight is what a call may cost a block author: the block refuses calls
 * beyond its budget and the fee grows with it. These figures are estimates
 * scaled from the balances transfer (`pallets/balances/weights.ts`, measured
 * by `deno task bench`) by the storage reads and writes each call makes;
 * give your own pallet a benchmark and replace estimates with measurements.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";

/** Per-call weights. */
export const WEIGHTS = {
  /** One write, one event. */
  doSomething: 10_000_000 as Weight,
  /** One read, one write. */
  causeError: 12_000_000 as Weight,
  /** One read, one write, one event. */
  claim: 15_000_000 as Weight,
  /** The `onFinalize` hook: one read, and one write when the block touched the pallet. */
  onFinalize: 5_000_000 as Weight,
};
