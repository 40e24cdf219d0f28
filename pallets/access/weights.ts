/**
 * Weights of the access pallet's calls, in picoseconds of reference time.
 *
 * Scaled from the balances transfer (`stf.transfers` in `deno task bench`:
 * about 40 µs for two account reads and writes and an event). `claim` adds an
 * ed25519 verification (about 50 µs natively) and up to three reserve
 * repatriations; the others reserve or unreserve once.
 *
 * `removeStream` is weighed for its bound: reading and deleting
 * `MAX_ALLOW_LIST` (1000) allow-list entries, then the streams pallet's
 * `removeEndedStream` (up to 64 `EndedRelays`), plus two unreserves. Until
 * the benchmark harness regenerates this file, the per-entry figure is a
 * by-hand measurement: on the in-memory test state (`TestExt`), removing a
 * stream with 1000 entries took 9 to 12 ms against 0.1 ms with none, on the
 * shared development machine (2 cores, under load), about 10 µs an entry; it
 * is declared at twice that, 20 µs, for the trie's work the test state does
 * not do. The per-stream counters (`OpenChannels`, `AllowListCount`) add a
 * read and a write, counted as 5 µs, to `openChannel`, `close`,
 * `grantAccess` and `revokeAccess`; `close` also reads the stream (5 µs).
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";
import { WEIGHTS as STREAMS_WEIGHTS } from "../streams/weights.ts";
import { MAX_ALLOW_LIST } from "./_declarations.ts";

/** Per-call weights. */
export const WEIGHTS = {
  openChannel: 55_000_000 as Weight,
  claim: 180_000_000 as Weight,
  topUp: 45_000_000 as Weight,
  close: 55_000_000 as Weight,
  grantAccess: 25_000_000 as Weight,
  revokeAccess: 25_000_000 as Weight,
  /** Base cost, up to 1000 allow-list entries, an unreserve, and the stream record's removal. */
  removeStream: (40_000_000 + MAX_ALLOW_LIST * 20_000_000 +
    STREAMS_WEIGHTS.removeEndedStream) as Weight,
};
