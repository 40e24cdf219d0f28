import assert from "node:assert/strict";
import fc from "fast-check";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { assertLastEvent, assertNoop, dev, TestExt } from "../../runtime/testing/mod.ts";
import { freeBalance, reservedBalance } from "../balances/mod.ts";
import {
  getStream,
  STREAM_DEPOSIT_BASE,
  STREAM_DEPOSIT_PER_BYTE,
  streamDeposit,
  streamsOf,
  streamsStorage,
} from "./mod.ts";

const alice = dev.alice.publicKey;
const meta = new TextEncoder().encode('{"codec":"h264"}');

/** Free and reserved balance of `who`. */
function held(ext: TestExt, who: Uint8Array): { free: bigint; reserved: bigint } {
  return { free: freeBalance(ext.state, who), reserved: reservedBalance(ext.state, who) };
}

const update = (id: bigint, fields: Record<string, unknown> = {}) => ({
  id,
  title: undefined,
  pricePerSecond: undefined,
  meta: undefined,
  ...fields,
});

/** An account funded by Bob with exactly `amount`. */
function funded(ext: TestExt, uri: string, amount: bigint) {
  const who = keypairFromUri(uri);
  const r = ext.apply("Balances", "transferAllowDeath", {
    dest: { tag: "Id", value: who.publicKey },
    value: amount,
  }, dev.bob);
  assert.ok(r.ok, !r.ok ? r.error : "");
  return who;
}

Deno.test("the stream deposit is 1 STREAM plus 0.001 STREAM per byte of title and meta", () => {
  assert.equal(STREAM_DEPOSIT_BASE, 10n ** 12n);
  assert.equal(STREAM_DEPOSIT_PER_BYTE, 10n ** 9n);
  assert.equal(streamDeposit(1, 0), 1_001_000_000_000n);
  assert.equal(streamDeposit(128, 1024), 2_152_000_000_000n);
});

Deno.test("attack: a creator cannot register streams for free: createStream() reserves the deposit and its event says how much", () => {
  const ext = new TestExt();
  const before = held(ext, alice);
  const id = streamsStorage.NextStreamId.get(ext.state);
  const title = "Morning show";
  assert.ok(
    ext.apply("Streams", "createStream", { title, pricePerSecond: 10n, meta }, dev.alice).ok,
  );
  const deposit = streamDeposit(title.length, meta.length);
  assertLastEvent(ext, "Streams", "StreamCreated", { id, creator: alice, deposit });
  assert.deepEqual(held(ext, alice), {
    free: before.free - deposit,
    reserved: before.reserved + deposit,
  });
  assert.equal(getStream(ext.state, id)!.deposit, deposit);
});

Deno.test("attack: a creator who cannot afford the deposit cannot register a stream", () => {
  const ext = new TestExt();
  const args = { title: "Poor", pricePerSecond: 1n, meta: new Uint8Array() };
  const deposit = streamDeposit(4, 0);
  const poor = funded(ext, "//Poor", deposit - 1n);
  assertNoop(ext, "Streams", "createStream", args, poor, "Balances.InsufficientBalance");
  const exact = funded(ext, "//Exact", deposit);
  assert.ok(ext.apply("Streams", "createStream", args, exact).ok);
  assert.deepEqual(held(ext, exact.publicKey), { free: 0n, reserved: deposit });
});

Deno.test("updateStream(): a growing record reserves the difference, a shrinking one returns it", () => {
  const ext = new TestExt();
  const id = streamsStorage.NextStreamId.get(ext.state);
  assert.ok(
    ext.apply("Streams", "createStream", { title: "Short", pricePerSecond: 1n, meta }, dev.alice)
      .ok,
  );
  const small = streamDeposit(5, meta.length);
  const start = held(ext, alice);

  const bigMeta = new Uint8Array(1000);
  assert.ok(ext.apply("Streams", "updateStream", update(id, { meta: bigMeta }), dev.alice).ok);
  const big = streamDeposit(5, 1000);
  assertLastEvent(ext, "Streams", "StreamUpdated", { id, deposit: big });
  assert.deepEqual(held(ext, alice), {
    free: start.free - (big - small),
    reserved: start.reserved + (big - small),
  });
  assert.equal(getStream(ext.state, id)!.deposit, big);

  // Only the price changes: the deposit stays.
  assert.ok(ext.apply("Streams", "updateStream", update(id, { pricePerSecond: 2n }), dev.alice).ok);
  assert.equal(getStream(ext.state, id)!.deposit, big);

  assert.ok(
    ext.apply(
      "Streams",
      "updateStream",
      update(id, { title: "S", meta: new Uint8Array() }),
      dev.alice,
    )
      .ok,
  );
  const tiny = streamDeposit(1, 0);
  assertLastEvent(ext, "Streams", "StreamUpdated", { id, deposit: tiny });
  assert.deepEqual(held(ext, alice), {
    free: start.free + (small - tiny),
    reserved: start.reserved - (small - tiny),
  });
  assert.equal(getStream(ext.state, id)!.deposit, tiny);
});

Deno.test("attack: updateStream() that the creator cannot afford fails and changes nothing", () => {
  const ext = new TestExt();
  const deposit = streamDeposit(4, 0);
  const poor = funded(ext, "//Poor", deposit + STREAM_DEPOSIT_PER_BYTE * 10n);
  const id = streamsStorage.NextStreamId.get(ext.state);
  const args = { title: "Poor", pricePerSecond: 1n, meta: new Uint8Array() };
  assert.ok(ext.apply("Streams", "createStream", args, poor).ok);
  // Ten more bytes are paid for; eleven are not.
  assertNoop(
    ext,
    "Streams",
    "updateStream",
    update(id, { meta: new Uint8Array(11), pricePerSecond: 5n }),
    poor,
    "Balances.InsufficientBalance",
  );
  assert.ok(
    ext.apply("Streams", "updateStream", update(id, { meta: new Uint8Array(10) }), poor).ok,
  );
  assert.deepEqual(held(ext, poor.publicKey), {
    free: 0n,
    reserved: deposit + STREAM_DEPOSIT_PER_BYTE * 10n,
  });
});

Deno.test("endStream() keeps the deposit reserved and records the end", () => {
  const ext = new TestExt();
  const id = streamsStorage.NextStreamId.get(ext.state);
  assert.ok(
    ext.apply("Streams", "createStream", { title: "T", pricePerSecond: 1n, meta }, dev.alice).ok,
  );
  const reserved = reservedBalance(ext.state, alice);
  ext.nextBlock(3);
  assert.ok(ext.apply("Streams", "endStream", { id }, dev.alice).ok);
  assert.equal(reservedBalance(ext.state, alice), reserved);
  assert.equal(getStream(ext.state, id)!.endedAt, ext.blockNumber);
});

Deno.test("property: a creator's reserve is exactly the deposits of its streams, whatever is created, updated, ended and removed", () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant("create" as const),
      who: fc.integer({ min: 0, max: 1 }),
      title: fc.integer({ min: 1, max: 128 }),
      meta: fc.integer({ min: 0, max: 1024 }),
    }),
    fc.record({
      kind: fc.constant("update" as const),
      id: fc.integer({ min: 0, max: 5 }),
      title: fc.option(fc.integer({ min: 1, max: 128 }), { nil: undefined }),
      meta: fc.option(fc.integer({ min: 0, max: 1024 }), { nil: undefined }),
    }),
    fc.record({ kind: fc.constant("end" as const), id: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ kind: fc.constant("remove" as const), id: fc.integer({ min: 0, max: 5 }) }),
  );
  const creators = [dev.alice, dev.bob];
  fc.assert(
    fc.property(fc.array(op, { maxLength: 24 }), (ops) => {
      const ext = new TestExt();
      const base = creators.map((c) => reservedBalance(ext.state, c.publicKey));
      for (const o of ops) {
        if (o.kind === "create") {
          ext.apply("Streams", "createStream", {
            title: "t".repeat(o.title),
            pricePerSecond: 1n,
            meta: new Uint8Array(o.meta),
          }, creators[o.who]);
          continue;
        }
        const id = BigInt(o.id);
        const info = getStream(ext.state, id);
        const signer = creators.find((c) =>
          info && c.publicKey.every((b, i) => b === info.creator[i])
        ) ??
          dev.alice;
        if (o.kind === "update") {
          ext.apply(
            "Streams",
            "updateStream",
            update(id, {
              title: o.title === undefined ? undefined : "u".repeat(o.title),
              meta: o.meta === undefined ? undefined : new Uint8Array(o.meta),
            }),
            signer,
          );
        } else if (o.kind === "end") {
          ext.apply("Streams", "endStream", { id }, signer);
        } else {
          ext.apply("Access", "removeStream", { stream: id }, dev.eve);
        }
      }
      for (const [i, c] of creators.entries()) {
        let deposits = 0n;
        for (const id of streamsOf(ext.state, c.publicKey)) {
          const info = getStream(ext.state, id)!;
          const size = new TextEncoder().encode(info.title).length + info.meta.length;
          assert.equal(info.deposit, streamDeposit(size, 0), `stream ${id}`);
          deposits += info.deposit;
        }
        assert.equal(reservedBalance(ext.state, c.publicKey), base[i] + deposits, `creator ${i}`);
      }
    }),
    { numRuns: 30 },
  );
});
