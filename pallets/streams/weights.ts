/**
 * Weights of the streams pallet's calls, in picoseconds of reference time.
 *
 * Scaled from the balances transfer (`stf.transfers` in `deno task bench`:
 * about 40 µs for two account reads and writes and an event): each call here
 * reads the stream record, writes one to three items and deposits an event.
 * `createStream` and `updateStream` also reserve or unreserve the deposit
 * (one account read and write, counted as 10 µs). `endStream` moves each
 * carrying relay from `StreamRelays` to `EndedRelays` and deletes its
 * `RelayStreams` entry, and `announceRelay` counts the carriers of the
 * stream and the streams of the relay, each bounded at 64
 * (`MAX_RELAYS_PER_STREAM`, `MAX_STREAMS_PER_RELAY`), so they are weighed for
 * the bound. `removeEndedStream` (the end of `Access.removeStream`) deletes
 * the record, an index entry and up to 64 `EndedRelays`, and unreserves.
 * The figures added for deposits and removal are by hand, on the scale of
 * the ones above, until the benchmark harness regenerates this file.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";

/** Per-call weights. */
export const WEIGHTS = {
  createStream: (titleBytes: number, metaBytes: number): Weight =>
    50_000_000 + (titleBytes + metaBytes) * 2_000,
  updateStream: (titleBytes: number, metaBytes: number): Weight =>
    40_000_000 + (titleBytes + metaBytes) * 2_000,
  goLive: 30_000_000 as Weight,
  /** Base cost plus moving up to 64 carriers to `EndedRelays` (three writes each). */
  endStream: (30_000_000 + 64 * 15_000_000) as Weight,
  /** Base cost plus counting up to 64 carriers and 64 carried streams. */
  announceRelay: (35_000_000 + 128 * 2_000_000) as Weight,
  withdrawRelay: 30_000_000 as Weight,
  /** Leaving the registry withdraws the relay from up to 64 streams (`withdrawEverywhere`). */
  withdrawEverywhere: (64 * 10_000_000) as Weight,
  /** Deleting a record, its index entry and up to 64 `EndedRelays`, and one unreserve. */
  removeEndedStream: (40_000_000 + 64 * 5_000_000) as Weight,
};
