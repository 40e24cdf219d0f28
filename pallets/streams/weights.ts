/**
 * Weights of the streams pallet's calls, in picoseconds of reference time.
 *
 * Scaled from the balances transfer (`stf.transfers` in `deno task bench`:
 * about 40 µs for two account reads and writes and an event): each call here
 * reads the stream record, writes one to three items and deposits an event.
 * `endStream` also deletes two keys per carrying relay, and `announceRelay`
 * counts the carriers of the stream and the streams of the relay, each
 * bounded at 64 (`MAX_RELAYS_PER_STREAM`, `MAX_STREAMS_PER_RELAY`), so they
 * are weighed for the bound.
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
  /** Base cost plus the deletion of up to 64 `StreamRelays` and `RelayStreams` entries. */
  endStream: (30_000_000 + 64 * 10_000_000) as Weight,
  /** Base cost plus counting up to 64 carriers and 64 carried streams. */
  announceRelay: (35_000_000 + 128 * 2_000_000) as Weight,
  withdrawRelay: 30_000_000 as Weight,
  /** Leaving the registry withdraws the relay from up to 64 streams (`withdrawEverywhere`). */
  withdrawEverywhere: (64 * 10_000_000) as Weight,
};
