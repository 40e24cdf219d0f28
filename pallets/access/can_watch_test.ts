import assert from "node:assert/strict";
import fc from "fast-check";
import { dev } from "../../runtime/testing/mod.ts";
import { canWatch, graceBlocks, splitClaim } from "./mod.ts";
import { CONFIG, ok, open, PRICE, setup, STREAM, TOKEN, voucher } from "./_fixture.ts";

const bob = dev.bob.publicKey;
/** Deposit that covers exactly the grace period at {@link PRICE}. */
const GRACE_COST = PRICE * BigInt(CONFIG.graceSeconds);

Deno.test("canWatch() is false for unknown and ended streams, even for the creator", () => {
  const ext = setup();
  assert.equal(canWatch(ext.state, bob, 42n), false);
  assert.equal(canWatch(ext.state, dev.alice.publicKey, STREAM), true);
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  assert.equal(canWatch(ext.state, dev.alice.publicKey, STREAM), false);
});

Deno.test("canWatch() lets anyone watch a free stream", () => {
  const ext = setup();
  assert.equal(canWatch(ext.state, bob, STREAM), false);
  ok(ext.apply("Streams", "updateStream", {
    id: STREAM,
    title: undefined,
    pricePerSecond: 0n,
    meta: undefined,
  }, dev.alice));
  assert.equal(canWatch(ext.state, bob, STREAM), true);
});

Deno.test("canWatch() lets allow-listed viewers watch until revoked", () => {
  const ext = setup();
  const args = { stream: STREAM, who: { tag: "Id", value: bob } };
  ok(ext.apply("Access", "grantAccess", args, dev.alice));
  assert.equal(canWatch(ext.state, bob, STREAM), true);
  ok(ext.apply("Access", "revokeAccess", args, dev.alice));
  assert.equal(canWatch(ext.state, bob, STREAM), false);
});

Deno.test("canWatch() needs a channel whose unclaimed deposit covers the grace period", () => {
  const ext = setup();
  const id = open(ext, TOKEN, ext.blockNumber + 100);
  assert.ok(GRACE_COST < TOKEN);
  assert.equal(canWatch(ext.state, bob, STREAM), true);
  ok(
    ext.apply(
      "Access",
      "claim",
      voucher(ext, id, TOKEN - GRACE_COST, { payee: dev.alice }),
      dev.alice,
    ),
  );
  assert.equal(canWatch(ext.state, bob, STREAM), true);
  ok(
    ext.apply(
      "Access",
      "claim",
      voucher(ext, id, TOKEN - GRACE_COST + 1n, { payee: dev.alice }),
      dev.alice,
    ),
  );
  assert.equal(canWatch(ext.state, bob, STREAM), false);
  ok(ext.apply("Access", "topUp", { channel: id, amount: TOKEN, newExpiry: undefined }, dev.bob));
  assert.equal(canWatch(ext.state, bob, STREAM), true);
  // Another viewer's channel does not help Dave.
  assert.equal(canWatch(ext.state, dev.dave.publicKey, STREAM), false);
});

Deno.test("canWatch() needs the channel to outlast the grace period", () => {
  const ext = setup();
  const grace = graceBlocks(ext.state);
  assert.equal(grace, 5); // 30 s of 6 s blocks
  open(ext, TOKEN, ext.blockNumber + grace + 1);
  assert.equal(canWatch(ext.state, bob, STREAM), true);
  ext.nextBlock();
  assert.equal(canWatch(ext.state, bob, STREAM), true);
  ext.nextBlock();
  assert.equal(canWatch(ext.state, bob, STREAM), false);
});

Deno.test("property: a split's parts add up to the amount, the creator's by at most 2 units of dust", () => {
  const perbill = fc.bigInt({ min: 0n, max: 1_000_000_000n });
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 1n << 100n }),
      perbill,
      perbill,
      (amount, a, b) => {
        const [creator, relay] = a + b > 1_000_000_000n ? [a, 1_000_000_000n - a] : [a, b];
        for (const withRelay of [true, false]) {
          const s = splitClaim(amount, creator, relay, withRelay);
          assert.equal(s.creator + s.relay + s.pot, amount);
          assert.ok(s.creator >= 0n && s.relay >= 0n && s.pot >= 0n);
          const exact = amount * (withRelay ? creator : creator + relay);
          assert.ok(s.creator * 1_000_000_000n >= exact);
          assert.ok(s.creator * 1_000_000_000n < exact + 2n * 1_000_000_000n);
        }
      },
    ),
  );
});
