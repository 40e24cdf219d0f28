/**
 * Weights of the streams pallet's calls, in picoseconds of reference time.
 *
 * Scaled from the balances transfer (`stf.transfers` in `deno task bench`:
 * about 40 µs for two account reads and writes and an event): each call here
 * reads the stream record, writes one to three items and deposits an event.
 * `endStream` also deletes one key per carrying relay, bounded by the relays
 * registered, so it is weighed for a generous number of them.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";

/** Per-call weights. */
export const WEIGHTS = {
  createStream: (titleBytes: number, metaBytes: number): Weight =>
    40_000_000 + (titleBytes + metaBytes) * 2_000,
  updateStream: (titleBytes: number, metaBytes: number): Weight =>
    30_000_000 + (titleBytes + metaBytes) * 2_000,
  goLive: 30_000_000 as Weight,
  /** Base cost plus the deletion of up to 64 `StreamRelays` entries. */
  endStream: (30_000_000 + 64 * 5_000_000) as Weight,
  announceRelay: 30_000_000 as Weight,
  withdrawRelay: 25_000_000 as Weight,
};
