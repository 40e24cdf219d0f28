/**
 * Weights of the staking pallet's calls and hooks, in picoseconds of
 * reference time.
 *
 * Scaled from the balances transfer (`stf.transfers`: two account reads and
 * writes and an event, 40 µs) by the storage items each call touches; to be
 * replaced by `deno task bench` figures once a staking benchmark exists.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";
import { MAX_EXPOSURE_PAGE_SIZE } from "./_storage.ts";

/** The block hook's look at the payout cursor's validator (owed share, overview, claims). */
const PAYOUT_STEP: Weight = 30_000_000;

/** One page of a payout: its validator's reward and `nominators` rewards. */
function payoutPage(nominators: number): Weight {
  return 60_000_000 + nominators * 30_000_000;
}

/** Per-call weights. */
export const WEIGHTS = {
  bond: 50_000_000 as Weight,
  bondExtra: 45_000_000 as Weight,
  unbond: 45_000_000 as Weight,
  withdrawUnbonded: 55_000_000 as Weight,
  validate: 30_000_000 as Weight,
  /** Each target is looked up and checked against `Validators`. */
  nominate: (targets: number): Weight => 30_000_000 + targets * 5_000_000,
  chill: 25_000_000 as Weight,
  setKeys: 30_000_000 as Weight,
  /** Two or four ed25519 verifications (block proofs may try each validator's key) and a slash. */
  reportEquivocation: 250_000_000 as Weight,
  /** Crediting the block author's points. */
  onInitializeBlock: 5_000_000 as Weight,
  /**
   * An era boundary: payout and election. Per validator as before; per
   * nominator measured (2026-12-07, this repository's 2-core machine, 500 to
   * 4,000 nominators of one or two targets): 39 µs plus 10.3 µs per target
   * (a share of the election and a reward), weighed at 16 targets, the most
   * a nomination names: 204 µs.
   */
  onInitializeEra: (validators: number, nominators: number): Weight =>
    50_000_000 + validators * 20_000_000 + nominators * 204_000_000,
  payoutStep: PAYOUT_STEP,
  payoutPage,
  /** `payoutStakers`: the checks, and a full page of `MAX_EXPOSURE_PAGE_SIZE` nominators. */
  payoutStakers: PAYOUT_STEP + payoutPage(MAX_EXPOSURE_PAGE_SIZE),
};
