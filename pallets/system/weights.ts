/**
 * Weights of the system pallet's calls, in picoseconds of reference time.
 *
 * Measured by `deno task bench` (`stf.transfers` gives the per-extrinsic base
 * cost these are scaled from); a remark costs its base plus hashing per byte.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";

/** Per-call weights. */
export const WEIGHTS = {
  remark: (bytes: number): Weight => 2_000_000 + bytes * 1_000,
  remarkWithEvent: (bytes: number): Weight => 8_000_000 + bytes * 5_000,
  killStorage: (keys: number): Weight => 1_000_000 + keys * 10_000_000,
};
