/**
 * Benchmarks of the streams pallet's calls, each in its worst case, on the
 * dev chain: a record as large as the bounds allow (its deposit reserved or
 * re-priced), a stream ended with as many carrying relays as it may have,
 * and a relay announcing a stream that has one carrier fewer than the cap
 * while itself carrying one stream fewer than its cap (both counts walked
 * to their bound).
 *
 * The removal helper (`removeEndedStream`) and `withdrawEverywhere` are no
 * calls of this pallet: they are measured inside the calls that run them,
 * `Access.removeStream` (64 ended relays) and `QosRewards.deregisterRelay`
 * (64 carried streams).
 *
 * @module
 */
import {
  account,
  defineBenchmarks,
  ensure,
  fund,
  hasEvent,
  ok,
} from "../../runtime/benchmarking/mod.ts";
import type { Keypair } from "../../runtime/crypto/mod.ts";
import type { TestExt } from "../../runtime/testing/mod.ts";
import {
  MAX_META_BYTES,
  MAX_OPEN_STREAMS_PER_CREATOR,
  MAX_RELAYS_PER_STREAM,
  MAX_STREAMS_PER_RELAY,
  MAX_TITLE_BYTES,
  streamsStorage as storage,
} from "./mod.ts";

/** One STREAM: 12 decimals. */
const STREAM = 10n ** 12n;

const creator = account("creator", 0);
const relay = account("relay", 0);

const title = { name: "titleBytes", min: 1, max: MAX_TITLE_BYTES };
const meta = { name: "metaBytes", min: 0, max: MAX_META_BYTES };

/**
 * A creator with enough for every deposit, who already holds one stream
 * fewer than the open-stream cap (so the cap's count is read and written,
 * never removed).
 */
function richCreator(ext: TestExt): void {
  fund(ext, creator.publicKey, 1_000_000n * STREAM);
  storage.OpenStreamCount.set(ext.state, creator.publicKey, MAX_OPEN_STREAMS_PER_CREATOR - 2);
}

/** Creates a stream of `creator` with a `titleBytes` title and `metaBytes` of meta; its id. */
function create(ext: TestExt, titleBytes = 1, metaBytes = 0): bigint {
  const id = storage.NextStreamId.get(ext.state);
  ok(
    ext.apply("Streams", "createStream", {
      title: "t".repeat(titleBytes),
      pricePerSecond: STREAM / 1000n,
      meta: new Uint8Array(metaBytes),
    }, creator),
    "Streams.createStream",
  );
  return id;
}

/** Creates a stream and takes it live; its id. */
function live(ext: TestExt): bigint {
  const id = create(ext);
  ok(ext.apply("Streams", "goLive", { id }, creator), "Streams.goLive");
  return id;
}

/** `who`, funded and registered as a relay (the QoS pallet's deposit reserved). */
function registered(ext: TestExt, who: Keypair): void {
  fund(ext, who.publicKey, 1_000n * STREAM);
  ok(
    ext.apply("QosRewards", "registerRelay", { endpoint: new Uint8Array(32) }, who),
    "QosRewards.registerRelay",
  );
}

/** `who` announces that it carries stream `id`. */
function announce(ext: TestExt, who: Keypair, id: bigint): void {
  ok(ext.apply("Streams", "announceRelay", { id }, who), "Streams.announceRelay");
}

/**
 * A live stream with `carriers` other relays, and `relay` registered and
 * carrying `carried` other live streams; the stream's id.
 */
function crowded(ext: TestExt, carriers: number, carried: number): bigint {
  richCreator(ext);
  const id = live(ext);
  for (let i = 0; i < carriers; i++) {
    const other = account("carrier", i);
    registered(ext, other);
    announce(ext, other, id);
  }
  registered(ext, relay);
  // A creator holds at most 100 open streams: the relay's others come from a second one.
  const second = account("creator", 1);
  fund(ext, second.publicKey, 1_000_000n * STREAM);
  for (let i = 0; i < carried; i++) {
    const other = storage.NextStreamId.get(ext.state);
    ok(
      ext.apply("Streams", "createStream", {
        title: "other",
        pricePerSecond: 0n,
        meta: new Uint8Array(),
      }, second),
      "Streams.createStream",
    );
    ok(ext.apply("Streams", "goLive", { id: other }, second), "Streams.goLive");
    announce(ext, relay, other);
  }
  return id;
}

/** The streams pallet's benchmarks. */
export const benchmarks = defineBenchmarks({
  pallet: "Streams",
  benchmarks: {
    createStream: {
      docs: "Checks the sizes, reserves the deposit (1 STREAM + 0.001 per byte), writes the " +
        "record, the creator's index entry and open count.",
      components: [title, meta],
      params: ["titleBytes", "metaBytes"],
      setup(ext, c) {
        richCreator(ext);
        return {
          call: "createStream",
          origin: creator.publicKey,
          args: {
            title: "t".repeat(c.titleBytes),
            pricePerSecond: STREAM / 1000n,
            meta: new Uint8Array(c.metaBytes),
          },
        };
      },
      verify: (ext) => ensure(hasEvent(ext, "Streams", "StreamCreated"), "no stream created"),
    },
    updateStream: {
      docs: "Checks the new sizes, re-prices the deposit (reserving or returning the " +
        "difference) and rewrites the record; a title of 0 bytes is one left as it was.",
      components: [{ ...title, min: 0 }, meta],
      params: ["titleBytes", "metaBytes"],
      setup(ext, c) {
        richCreator(ext);
        // One byte of meta: every measured size re-prices the deposit (up, or down at 0).
        const id = create(ext, 1, 1);
        return {
          call: "updateStream",
          origin: creator.publicKey,
          args: {
            id,
            title: c.titleBytes ? "u".repeat(c.titleBytes) : undefined,
            pricePerSecond: STREAM / 100n,
            meta: new Uint8Array(c.metaBytes).fill(1),
          },
        };
      },
      verify: (ext) => ensure(hasEvent(ext, "Streams", "StreamUpdated"), "not updated"),
    },
    goLive: {
      docs: "Reads and rewrites the record, lists it in `LiveStreams`.",
      setup(ext) {
        richCreator(ext);
        const id = create(ext, MAX_TITLE_BYTES, MAX_META_BYTES);
        return { call: "goLive", origin: creator.publicKey, args: { id } };
      },
      verify: (ext) => ensure(hasEvent(ext, "Streams", "StreamLive"), "not live"),
    },
    endStream: {
      docs: `Moves up to ${MAX_RELAYS_PER_STREAM} carrying relays (\`MAX_RELAYS_PER_STREAM\`) ` +
        "to `EndedRelays`, deleting their `RelayStreams` entries, and rewrites the record.",
      components: [{ name: "relays", min: 0, max: MAX_RELAYS_PER_STREAM }],
      setup(ext, c) {
        richCreator(ext);
        const id = live(ext);
        for (let i = 0; i < c.relays; i++) {
          const other = account("carrier", i);
          registered(ext, other);
          announce(ext, other, id);
        }
        return { call: "endStream", origin: creator.publicKey, args: { id } };
      },
      verify(ext, c) {
        ensure(hasEvent(ext, "Streams", "StreamEnded"), "not ended");
        const ended = [...storage.EndedRelays.entriesOf(ext.state, 0n)].length;
        ensure(ended === c.relays, `${ended} of ${c.relays} relays kept as payees`);
      },
    },
    announceRelay: {
      docs: `Counts the stream's carriers and the relay's streams up to their caps ` +
        `(${MAX_RELAYS_PER_STREAM} and ${MAX_STREAMS_PER_RELAY}), then two writes.`,
      components: [
        { name: "carriers", min: 0, max: MAX_RELAYS_PER_STREAM - 1 },
        { name: "carried", min: 0, max: MAX_STREAMS_PER_RELAY - 1 },
      ],
      setup(ext, c) {
        const id = crowded(ext, c.carriers, c.carried);
        return { call: "announceRelay", origin: relay.publicKey, args: { id } };
      },
      verify: (ext) => ensure(hasEvent(ext, "Streams", "RelayAnnounced"), "not announced"),
    },
    withdrawRelay: {
      docs: "Two deletions and an event (on a stream and a relay at their caps).",
      setup(ext) {
        const id = crowded(ext, MAX_RELAYS_PER_STREAM - 1, MAX_STREAMS_PER_RELAY - 1);
        announce(ext, relay, id);
        return { call: "withdrawRelay", origin: relay.publicKey, args: { id } };
      },
      verify: (ext) => ensure(hasEvent(ext, "Streams", "RelayWithdrawn"), "not withdrawn"),
    },
  },
});
