/**
 * Weights of the timestamp pallet's calls, in picoseconds of reference time.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";

/** Per-call weights: `set` reads and writes two values. */
export const WEIGHTS = { set: 10_000_000 as Weight };
