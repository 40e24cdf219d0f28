/**
 * Tests of the streams pallet on its mock runtime (`_mock.ts`: System,
 * Balances and Streams; relays registered by a stand-in for QoS rewards),
 * with typed calls, events and errors: `streams.calls.goLive({ id })`,
 * `streams.events.StreamLive({ id })`, `streams.errors.NotCreator`.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  assertEvent,
  assertLastEvent,
  assertNoop,
  dev,
  TestExt,
  type TestExternalities,
} from "../../runtime/testing/mod.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { encode, t } from "../../runtime/codec/types.ts";
import { IMMORTAL } from "../../runtime/extrinsic/era.ts";
import { signExtrinsic } from "../../runtime/extrinsic/extrinsic.ts";
import { TransactionValidityError } from "../../runtime/executive/validity.ts";
import type { ArgsValue } from "../../runtime/pallet/pallet.ts";
import { concatBytes } from "../../runtime/primitives/bytes.ts";
import { freeBalance } from "../balances/mod.ts";
import {
  getStream,
  isCarrying,
  isRelayPayee,
  liveStreams,
  MAX_OPEN_STREAMS_PER_CREATOR,
  MAX_RELAYS_PER_STREAM,
  MAX_STREAMS_PER_RELAY,
  MAX_TITLE_BYTES,
  relaysOf,
  streamDeposit,
  streams,
  streamsOf,
} from "./mod.ts";
import { deregisterRelay, newTestExt, registerRelay } from "./_mock.ts";

const { calls, events, errors, storage } = streams;
const meta = new TextEncoder().encode('{"codec":"h264"}');

function create(
  ext: TestExternalities,
  title = "Morning show",
  price = 10n,
  signer = dev.alice,
): bigint {
  const id = storage.NextStreamId.get(ext.state);
  const r = ext.apply(calls.createStream({ title, pricePerSecond: price, meta }), signer);
  assert.ok(r.ok, !r.ok ? r.error : "");
  return id;
}

function live(ext: TestExternalities, id: bigint, signer = dev.alice): void {
  const r = ext.apply(calls.goLive({ id }), signer);
  assert.ok(r.ok, !r.ok ? r.error : "");
}

/** `updateStream` of `id`, changing only `fields`. */
const update = (id: bigint, fields: Partial<ArgsValue<typeof calls.updateStream.args>> = {}) =>
  calls.updateStream({
    id,
    title: undefined,
    pricePerSecond: undefined,
    meta: undefined,
    ...fields,
  });

Deno.test("createStream() registers a stream with sequential ids", () => {
  const ext = newTestExt();
  assert.deepEqual(create(ext), 0n);
  assertLastEvent(
    ext,
    events.StreamCreated({
      id: 0n,
      creator: dev.alice.publicKey,
      pricePerSecond: 10n,
      deposit: streamDeposit("Morning show".length, meta.length),
    }),
  );
  assert.deepEqual(create(ext, "Second", 0n, dev.bob), 1n);
  const info = getStream(ext.state, 0n)!;
  assert.deepEqual(info.title, "Morning show");
  assert.deepEqual(info.meta, meta);
  assert.deepEqual(info.status, { tag: "Created" });
  assert.deepEqual(info.createdAt, ext.blockNumber);
  assert.deepEqual(streamsOf(ext.state, dev.alice.publicKey), [0n]);
  assert.deepEqual(streamsOf(ext.state, dev.bob.publicKey), [1n]);
});

Deno.test("createStream() checks title and meta bounds", () => {
  const ext = newTestExt();
  const args = { title: "ok", pricePerSecond: 1n, meta };
  assertNoop(ext, calls.createStream({ ...args, title: "" }), dev.alice, errors.EmptyTitle);
  // 43 three-byte characters are 129 bytes though only 43 UTF-16 units.
  // Past its bound a title cannot even be encoded (and never decodes: see below).
  assert.throws(
    () => ext.apply(calls.createStream({ ...args, title: "€".repeat(43) }), dev.alice),
    /129 bytes exceed 128/,
  );
  assert.ok(ext.apply(calls.createStream({ ...args, title: "a".repeat(128) }), dev.alice).ok);
  assert.throws(
    () => ext.apply(calls.createStream({ ...args, meta: new Uint8Array(1025) }), dev.alice),
    /1025 exceed 1024/,
  );
  assert.ok(ext.apply(calls.createStream({ ...args, meta: new Uint8Array(1024) }), dev.alice).ok);
  assertNoop(ext, calls.createStream(args), "root", "BadOrigin");
});

Deno.test("createStream() allows 100 open streams per creator; ended ones do not count", () => {
  const ext = newTestExt();
  for (let i = 0; i < MAX_OPEN_STREAMS_PER_CREATOR; i++) create(ext, `s${i}`);
  assertNoop(
    ext,
    calls.createStream({ title: "one more", pricePerSecond: 1n, meta }),
    dev.alice,
    errors.TooManyStreams,
  );
  assert.ok(ext.apply(calls.endStream({ id: 0n }), dev.alice).ok);
  assert.deepEqual(create(ext, "one more"), 100n);
  assert.deepEqual(streamsOf(ext.state, dev.alice.publicKey).length, 101);
});

Deno.test("updateStream() changes only the given fields", () => {
  const ext = newTestExt();
  const id = create(ext);
  assert.ok(ext.apply(update(id, { pricePerSecond: 25n }), dev.alice).ok);
  const deposit = streamDeposit("Morning show".length, meta.length);
  assertLastEvent(ext, events.StreamUpdated({ id, deposit }));
  let info = getStream(ext.state, id)!;
  assert.deepEqual([info.title, info.pricePerSecond, info.meta], ["Morning show", 25n, meta]);
  const newMeta = new Uint8Array([1, 2]);
  assert.ok(ext.apply(update(id, { title: "Evening", meta: newMeta }), dev.alice).ok);
  info = getStream(ext.state, id)!;
  assert.deepEqual([info.title, info.pricePerSecond, info.meta], ["Evening", 25n, newMeta]);
});

Deno.test("updateStream() fails for others, unknown, ended streams and bad fields", () => {
  const ext = newTestExt();
  const id = create(ext);
  assertNoop(ext, update(id), dev.bob, errors.NotCreator);
  assertNoop(ext, update(9n), dev.alice, errors.StreamNotFound);
  assertNoop(ext, update(id, { title: "" }), dev.alice, errors.EmptyTitle);
  assert.throws(
    () => ext.apply(update(id, { title: "x".repeat(129) }), dev.alice),
    /129 bytes exceed 128/,
  );
  assert.throws(
    () => ext.apply(update(id, { meta: new Uint8Array(1025) }), dev.alice),
    /1025 exceed 1024/,
  );
  assert.ok(ext.apply(calls.endStream({ id }), dev.alice).ok);
  assertNoop(ext, update(id), dev.alice, errors.StreamEnded);
});

Deno.test("goLive() lists the stream as live", () => {
  const ext = newTestExt();
  const id = create(ext);
  create(ext, "other");
  ext.nextBlock();
  live(ext, id);
  assertLastEvent(ext, events.StreamLive({ id }));
  assert.deepEqual(getStream(ext.state, id)!.status, { tag: "Live" });
  const listed = liveStreams(ext.state);
  assert.deepEqual(listed.map((s) => [s.id, s.startedAt]), [[id, ext.blockNumber]]);
  assert.deepEqual(listed[0].info.title, "Morning show");
});

Deno.test("goLive() fails when live, ended, unknown or not the creator's", () => {
  const ext = newTestExt();
  const id = create(ext);
  assertNoop(ext, calls.goLive({ id }), dev.bob, errors.NotCreator);
  assertNoop(ext, calls.goLive({ id: 5n }), dev.alice, errors.StreamNotFound);
  live(ext, id);
  assertNoop(ext, calls.goLive({ id }), dev.alice, errors.AlreadyLive);
  assert.ok(ext.apply(calls.endStream({ id }), dev.alice).ok);
  assertNoop(ext, calls.goLive({ id }), dev.alice, errors.StreamEnded);
});

Deno.test("endStream() leaves the live directory and clears carrying relays, which stay payees", () => {
  const ext = newTestExt();
  const id = create(ext);
  live(ext, id);
  registerRelay(ext, dev.charlie.publicKey);
  registerRelay(ext, dev.dave.publicKey);
  assert.ok(ext.apply(calls.announceRelay({ id }), dev.charlie).ok);
  assert.ok(ext.apply(calls.announceRelay({ id }), dev.dave).ok);
  assert.deepEqual(relaysOf(ext.state, id).length, 2);
  assert.ok(ext.apply(calls.endStream({ id }), dev.alice).ok);
  assertLastEvent(ext, events.StreamEnded({ id }));
  assert.deepEqual(getStream(ext.state, id)!.status, { tag: "Ended" });
  assert.deepEqual(liveStreams(ext.state), []);
  assert.deepEqual(relaysOf(ext.state, id), []);
  assert.deepEqual([...storage.RelayStreams.entriesOf(ext.state, dev.charlie.publicKey)], []);
  assert.deepEqual(storage.OpenStreamCount.get(ext.state, dev.alice.publicKey), 0);
  // They carry nothing now, but stay payees of the service they gave.
  assert.ok(isRelayPayee(ext.state, id, dev.charlie.publicKey));
  assert.ok(isRelayPayee(ext.state, id, dev.dave.publicKey));
  assert.ok(!isRelayPayee(ext.state, id, dev.eve.publicKey));
  deregisterRelay(ext, dev.dave.publicKey);
  assert.ok(!isRelayPayee(ext.state, id, dev.dave.publicKey));
});

Deno.test("attack: a stream takes at most 64 carrying relays, so ending it stays within its weight", () => {
  const ext = newTestExt();
  const id = create(ext);
  live(ext, id);
  const relays = Array.from(
    { length: MAX_RELAYS_PER_STREAM + 1 },
    (_, i) => keypairFromUri(`//Relay${i}`),
  );
  for (const relay of relays) registerRelay(ext, relay.publicKey);
  for (const relay of relays.slice(0, -1)) {
    assert.ok(ext.apply(calls.announceRelay({ id }), relay).ok);
  }
  assertNoop(ext, calls.announceRelay({ id }), relays.at(-1)!, errors.TooManyRelays);
});

Deno.test("a relay carries at most 64 streams", () => {
  const ext = newTestExt();
  registerRelay(ext, dev.charlie.publicKey);
  const creators = [dev.alice, dev.bob];
  const ids = Array.from({ length: MAX_STREAMS_PER_RELAY + 1 }, (_, i) => {
    const id = create(ext, `Show ${i}`, 10n, creators[i % 2]);
    live(ext, id, creators[i % 2]);
    return id;
  });
  for (const id of ids.slice(0, -1)) {
    assert.ok(ext.apply(calls.announceRelay({ id }), dev.charlie).ok);
  }
  assertNoop(ext, calls.announceRelay({ id: ids.at(-1)! }), dev.charlie, errors.RelayAtCapacity);
  // Withdrawing one makes room.
  assert.ok(ext.apply(calls.withdrawRelay({ id: ids[0] }), dev.charlie).ok);
  assert.ok(ext.apply(calls.announceRelay({ id: ids.at(-1)! }), dev.charlie).ok);
});

Deno.test("endStream() ends a stream that never went live", () => {
  const ext = newTestExt();
  const id = create(ext);
  assert.ok(ext.apply(calls.endStream({ id }), dev.alice).ok);
  assertEvent(ext, events.StreamEnded({ id }));
});

Deno.test("endStream() fails when ended, unknown or not the creator's", () => {
  const ext = newTestExt();
  const id = create(ext);
  assertNoop(ext, calls.endStream({ id }), dev.bob, errors.NotCreator);
  assertNoop(ext, calls.endStream({ id: 3n }), dev.alice, errors.StreamNotFound);
  assert.ok(ext.apply(calls.endStream({ id }), dev.alice).ok);
  assertNoop(ext, calls.endStream({ id }), dev.alice, errors.StreamEnded);
});

Deno.test("announceRelay() records a registered relay on a live stream", () => {
  const ext = newTestExt();
  const id = create(ext);
  live(ext, id);
  registerRelay(ext, dev.charlie.publicKey);
  assert.ok(ext.apply(calls.announceRelay({ id }), dev.charlie).ok);
  assertLastEvent(ext, events.RelayAnnounced({ id, relay: dev.charlie.publicKey }));
  assert.ok(isCarrying(ext.state, id, dev.charlie.publicKey));
  assert.deepEqual(relaysOf(ext.state, id), [{
    relay: dev.charlie.publicKey,
    since: ext.blockNumber,
  }]);
});

Deno.test("announceRelay() fails for non-relays, unknown, not live, ended or repeated", () => {
  const ext = newTestExt();
  const id = create(ext);
  registerRelay(ext, dev.charlie.publicKey);
  assertNoop(ext, calls.announceRelay({ id }), dev.dave, errors.NotRelay);
  assertNoop(ext, calls.announceRelay({ id: 4n }), dev.charlie, errors.StreamNotFound);
  assertNoop(ext, calls.announceRelay({ id }), dev.charlie, errors.NotLive);
  live(ext, id);
  assert.ok(ext.apply(calls.announceRelay({ id }), dev.charlie).ok);
  assertNoop(ext, calls.announceRelay({ id }), dev.charlie, errors.AlreadyCarrying);
  assert.ok(ext.apply(calls.endStream({ id }), dev.alice).ok);
  assertNoop(ext, calls.announceRelay({ id }), dev.charlie, errors.StreamEnded);
});

Deno.test("withdrawRelay() stops carrying; only a carrying relay may", () => {
  const ext = newTestExt();
  const id = create(ext);
  live(ext, id);
  registerRelay(ext, dev.charlie.publicKey);
  assertNoop(ext, calls.withdrawRelay({ id }), dev.charlie, errors.NotCarrying);
  assertNoop(ext, calls.withdrawRelay({ id: 8n }), dev.charlie, errors.StreamNotFound);
  assert.ok(ext.apply(calls.announceRelay({ id }), dev.charlie).ok);
  assert.ok(ext.apply(calls.withdrawRelay({ id }), dev.charlie).ok);
  assertLastEvent(ext, events.RelayWithdrawn({ id, relay: dev.charlie.publicKey }));
  assert.ok(!isCarrying(ext.state, id, dev.charlie.publicKey));
});

Deno.test("property: the live directory is exactly the streams whose status is Live", () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant("create" as const), who: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ kind: fc.constant("live" as const), id: fc.integer({ min: 0, max: 6 }) }),
    fc.record({ kind: fc.constant("end" as const), id: fc.integer({ min: 0, max: 6 }) }),
  );
  const creators = [dev.alice, dev.bob, dev.charlie];
  fc.assert(
    fc.property(fc.array(op, { maxLength: 20 }), (ops) => {
      const ext = newTestExt();
      for (const o of ops) {
        if (o.kind === "create") {
          ext.apply(calls.createStream({ title: "t", pricePerSecond: 1n, meta }), creators[o.who]);
        } else {
          const info = getStream(ext.state, BigInt(o.id));
          const signer = info
            ? creators.find((c) => c.publicKey.every((b, i) => b === info.creator[i]))!
            : dev.alice;
          const call = o.kind === "live" ? calls.goLive : calls.endStream;
          ext.apply(call({ id: BigInt(o.id) }), signer);
        }
      }
      const next = storage.NextStreamId.get(ext.state);
      const expected: bigint[] = [];
      for (let id = 0n; id < next; id++) {
        if (getStream(ext.state, id)!.status.tag === "Live") expected.push(id);
      }
      assert.deepEqual(liveStreams(ext.state).map((s) => s.id), expected);
      for (const [i, c] of creators.entries()) {
        const open = streamsOf(ext.state, c.publicKey)
          .filter((id) => getStream(ext.state, id)!.status.tag !== "Ended").length;
        assert.deepEqual(storage.OpenStreamCount.get(ext.state, c.publicKey), open, `creator ${i}`);
      }
    }),
    { numRuns: 20 },
  );
});

// On THE runtime, whose fees are real: the mock's cost nothing.
Deno.test("attack: a signed createStream carrying a 129-byte title is refused at decoding, before any fee", () => {
  const ext = new TestExt();
  const { runtime } = ext;
  // Encoded by hand with the unbounded types, as an attacker's client would.
  const call = concatBytes(
    new Uint8Array([runtime.palletIndex("Streams"), calls.createStream.index]),
    encode(t.str, "x".repeat(MAX_TITLE_BYTES + 1)),
    encode(t.compactBalance, 1n),
    encode(t.bytes, new Uint8Array()),
  );
  const tx = signExtrinsic(call, dev.alice, { era: IMMORTAL, nonce: 0, tip: 0n }, {
    specVersion: runtime.version.specVersion,
    transactionVersion: runtime.version.transactionVersion,
    genesisHash: ext.genesisHash,
    eraBlockHash: ext.genesisHash,
  });
  const before = freeBalance(ext.state, dev.alice.publicKey);
  assert.throws(
    () => ext.applyExtrinsic(tx),
    (e) => e instanceof TransactionValidityError && /exceeds 128/.test(e.message),
  );
  assert.equal(freeBalance(ext.state, dev.alice.publicKey), before);
});
