/**
 * Weights of the sudo pallet's own work, in picoseconds of reference time;
 * a call that carries a call adds that call's declared weight.
 *
 * These are estimates scaled from the balances transfer
 * (`pallets/balances/weights.ts`) by the storage reads, writes and events
 * each call makes, as the template's are; replace them with measurements
 * when the pallet has a benchmark.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";

/** Per-call weights. */
export const WEIGHTS = {
  /** Read the key, open and close a storage transaction, one event. */
  sudo: 10_000_000 as Weight,
  /** Read the key, write it, one event. */
  setKey: 12_000_000 as Weight,
  /** Read the key, open and close a storage transaction, one event. */
  sudoAs: 10_000_000 as Weight,
  /** Read the key, remove it, one event. */
  removeKey: 10_000_000 as Weight,
};
