/**
 * Weights of the authorship pallet's hooks, in picoseconds of reference time.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";

/** Per-hook weights. */
export const WEIGHTS = {
  /** The `onInitialize` hook in a block with a slot. */
  onInitialize: 5_000_000 as Weight,
};
