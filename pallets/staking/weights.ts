/**
 * Weights of the staking pallet's calls and hooks, in picoseconds of
 * reference time.
 *
 * The calls are scaled from the balances transfer (`stf.transfers`: two
 * account reads and writes and an event, 40 µs) by the storage items each
 * touches. The era hook and the payout pages are measured by
 * `bench/stf_payout.ts` (`deno run -A bench/stf_payout.ts`), whole blocks
 * (hooks, events, state root) less an empty block, the slowest of three
 * rounds. Measured 2026-12-07 on this repository's 2-core machine while
 * other test suites ran on it (load 3.7–4.5), so the figures err high:
 *
 * | what                                       | before paging    | paged            |
 * | ------------------------------------------ | ---------------- | ---------------- |
 * | era block, 16 validators, 250 nominators   | 828 µs/nominator | 117 µs/nominator |
 * | era block, 16 validators, 1,000 nominators | 972.7 ms         | 165.9 ms         |
 * | a page of 512 nominators                   | —                | 32.9 ms          |
 * | a page of none (the validator alone)       | —                | 0.32 ms          |
 *
 * (every nominator naming all 16 validators; before paging, the era block
 * also minted every reward: 16 per nominator.) A page's slope is 63.6 µs a
 * nominator (one run under a heavier load gave 200 µs; the hook alone,
 * without the state root, 20–28 µs).
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";
import { MAX_EXPOSURE_PAGE_SIZE } from "./_storage.ts";

/** The block hook's look at the payout cursor's validator (owed share, overview, claims). */
const PAYOUT_STEP: Weight = 50_000_000;

/**
 * One page of a payout: its claim, its event and the validator's reward
 * (measured 0.32 ms with the step), and `nominators` rewards (65 µs each).
 * A full page of 512: 33.6 ms.
 */
function payoutPage(nominators: number): Weight {
  return 300_000_000 + nominators * 65_000_000;
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
  setValidatorCount: 10_000_000 as Weight,
  /** Two or four ed25519 verifications (block proofs may try each validator's key) and a slash. */
  reportEquivocation: 250_000_000 as Weight,
  /** Crediting the block author's points. */
  onInitializeBlock: 5_000_000 as Weight,
  /**
   * An era boundary: the election, and the ended era's payout decided (a
   * share per validator; nothing minted, see `payoutPage`). Per nominator
   * weighed at 16 targets, the most a nomination names: measured 117 to
   * 166 µs (above), weighed 170 µs. Before paging it also minted every
   * reward and was weighed at 204 µs a nominator (measured then at 500 to
   * 4,000 nominators of one or two targets; the table's 828–973 µs at 16).
   */
  onInitializeEra: (validators: number, nominators: number): Weight =>
    50_000_000 + validators * 20_000_000 + nominators * 170_000_000,
  payoutStep: PAYOUT_STEP,
  payoutPage,
  /** `payoutStakers`: the checks, and a full page of `MAX_EXPOSURE_PAGE_SIZE` nominators. */
  payoutStakers: PAYOUT_STEP + payoutPage(MAX_EXPOSURE_PAGE_SIZE),
};
