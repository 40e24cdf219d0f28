/**
 * Weights of the access pallet's calls, in picoseconds of reference time.
 *
 * Scaled from the balances transfer (`stf.transfers` in `deno task bench`:
 * about 40 µs for two account reads and writes and an event). `claim` adds an
 * ed25519 verification (about 50 µs natively) and up to three reserve
 * repatriations; the others reserve or unreserve once.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";

/** Per-call weights. */
export const WEIGHTS = {
  openChannel: 50_000_000 as Weight,
  claim: 180_000_000 as Weight,
  topUp: 45_000_000 as Weight,
  close: 45_000_000 as Weight,
  grantAccess: 20_000_000 as Weight,
  revokeAccess: 20_000_000 as Weight,
};
