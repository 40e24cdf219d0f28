import assert from "node:assert/strict";
import fc from "fast-check";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import {
  assertLastEvent,
  assertNoop,
  type Caller,
  dev,
  type TestExt,
} from "../../runtime/testing/mod.ts";
import { freeBalance, reservedBalance } from "../balances/mod.ts";
import { POT_ACCOUNT } from "../qos-rewards/relays.ts";
import { account } from "../system/mod.ts";
import { accessStorage, getChannel, MAX_LANES_PER_CHANNEL, splitClaim } from "./mod.ts";
import {
  CONFIG,
  ok,
  open,
  registerRelay,
  setup,
  STREAM,
  TOKEN,
  total,
  voucher,
} from "./_fixture.ts";

const alice = dev.alice.publicKey;
const bob = dev.bob.publicKey;
const charlie = dev.charlie.publicKey;

function balancesOf(ext: TestExt) {
  return {
    alice: freeBalance(ext.state, alice),
    charlie: freeBalance(ext.state, charlie),
    pot: freeBalance(ext.state, POT_ACCOUNT),
    bob: total(ext, bob),
  };
}

/** `claim(args)` by `caller` fails with `error` and changes nothing. */
function refusedClaim(
  ext: TestExt,
  args: Record<string, unknown>,
  caller: Caller,
  error: string,
): void {
  assertNoop(ext, "Access", "claim", args, caller, error);
}

Deno.test("claim() by a carrying relay pays the increase: 80% creator, 15% relay, 5% pot", () => {
  const ext = setup();
  const id = open(ext);
  const before = balancesOf(ext);
  ok(ext.apply("Access", "claim", voucher(ext, id, 10n * TOKEN), dev.charlie));
  assertLastEvent(ext, "Access", "Claimed", {
    channel: id,
    amount: 10n * TOKEN,
    creator: alice,
    creatorAmount: 8n * TOKEN,
    relay: charlie,
    relayAmount: 15n * TOKEN / 10n,
    potAmount: TOKEN / 2n,
  });
  const after = balancesOf(ext);
  assert.equal(after.alice - before.alice, 8n * TOKEN);
  assert.equal(after.charlie - before.charlie, 15n * TOKEN / 10n);
  assert.equal(after.pot - before.pot, TOKEN / 2n);
  assert.equal(before.bob - after.bob, 10n * TOKEN);
  assert.equal(reservedBalance(ext.state, bob), 90n * TOKEN);
  assert.equal(getChannel(ext.state, id)!.claimed, 10n * TOKEN);
});

Deno.test("claim() by the creator gives the relay share to the creator", () => {
  const ext = setup();
  const id = open(ext);
  const before = balancesOf(ext);
  ok(ext.apply("Access", "claim", voucher(ext, id, 10n * TOKEN, { payee: dev.alice }), dev.alice));
  assertLastEvent(ext, "Access", "Claimed", {
    amount: 10n * TOKEN,
    creatorAmount: 95n * TOKEN / 10n,
    relay: undefined,
    relayAmount: 0n,
    potAmount: TOKEN / 2n,
  });
  const after = balancesOf(ext);
  assert.equal(after.alice - before.alice, 95n * TOKEN / 10n);
  assert.equal(after.charlie, before.charlie);
});

Deno.test("claim() with increasing vouchers pays exactly each increase", () => {
  const ext = setup();
  const id = open(ext);
  const start = balancesOf(ext);
  let paid = 0n;
  for (const cumulative of [1n * TOKEN, 4n * TOKEN, 4n * TOKEN + 7n, 30n * TOKEN]) {
    const before = balancesOf(ext);
    ok(ext.apply("Access", "claim", voucher(ext, id, cumulative), dev.charlie));
    const delta = cumulative - paid;
    const split = splitClaim(delta, 800_000_000n, 150_000_000n, true);
    assertLastEvent(ext, "Access", "Claimed", {
      amount: delta,
      creatorAmount: split.creator,
      relayAmount: split.relay,
      potAmount: split.pot,
    });
    const after = balancesOf(ext);
    assert.equal(after.alice - before.alice, split.creator);
    assert.equal(after.charlie - before.charlie, split.relay);
    assert.equal(after.pot - before.pot, split.pot);
    paid = cumulative;
  }
  assert.equal(start.bob - balancesOf(ext).bob, 30n * TOKEN);
});

Deno.test("claim() gives the rounding dust to the creator", () => {
  const ext = setup();
  const id = open(ext);
  ok(ext.apply("Access", "claim", voucher(ext, id, 7n), dev.charlie));
  // 15% of 7 is 1.05 and 5% is 0.35: the relay gets 1, the pot 0, the creator the other 6.
  assertLastEvent(ext, "Access", "Claimed", {
    amount: 7n,
    creatorAmount: 6n,
    relayAmount: 1n,
    potAmount: 0n,
  });
});

Deno.test("attack: the creator cannot claim the voucher the viewer signed for the relay that served", () => {
  const ext = setup();
  const id = open(ext);
  const forRelay = voucher(ext, id, 5n * TOKEN);
  refusedClaim(ext, forRelay, dev.alice, "Access.BadVoucherSignature");
  ok(ext.apply("Access", "claim", forRelay, dev.charlie));
  assertLastEvent(ext, "Access", "Claimed", {
    relay: charlie,
    relayAmount: 5n * TOKEN * 15n / 100n,
  });
});

Deno.test("lanes: each payee claims its own cumulative vouchers, all of them within the deposit", () => {
  const ext = setup();
  const id = open(ext, 10n * TOKEN);
  ok(ext.apply("Access", "claim", voucher(ext, id, 6n * TOKEN), dev.charlie));
  // The creator's own lane starts at 0: its voucher of 3 pays 3.
  ok(ext.apply("Access", "claim", voucher(ext, id, 3n * TOKEN, { payee: dev.alice }), dev.alice));
  assertLastEvent(ext, "Access", "Claimed", { amount: 3n * TOKEN });
  assert.equal(getChannel(ext.state, id)!.claimed, 9n * TOKEN);
  // 6 + 3 claimed: the relay's lane may grow by 1 more, not by 2.
  const over = voucher(ext, id, 8n * TOKEN);
  refusedClaim(ext, over, dev.charlie, "Access.ExceedsDeposit");
  ok(ext.apply("Access", "claim", voucher(ext, id, 7n * TOKEN), dev.charlie));
});

Deno.test("attack: a relay that deregistered (deposit back) can no longer claim", () => {
  const ext = setup();
  const id = open(ext);
  ok(ext.apply("QosRewards", "deregisterRelay", {}, dev.charlie));
  refusedClaim(ext, voucher(ext, id, TOKEN), dev.charlie, "Access.NotPayee");
});

Deno.test("claim() of a replayed voucher pays nothing and fails", () => {
  const ext = setup();
  const id = open(ext);
  const v = voucher(ext, id, 5n * TOKEN);
  ok(ext.apply("Access", "claim", v, dev.charlie));
  refusedClaim(ext, v, dev.charlie, "Access.VoucherNotNewer");
  refusedClaim(ext, voucher(ext, id, 4n * TOKEN), dev.charlie, "Access.VoucherNotNewer");
});

Deno.test("claim() rejects vouchers for another chain, another channel or by another key", () => {
  const ext = setup();
  const id = open(ext);
  const other = open(ext, 100n * TOKEN, ext.blockNumber + 100, dev.dave);
  const amount = 5n * TOKEN;
  const bad = "Access.BadVoucherSignature";
  const otherChain = new Uint8Array(32).fill(1);
  refusedClaim(ext, voucher(ext, id, amount, { genesisHash: otherChain }), dev.charlie, bad);
  // Bob's voucher for his own channel does not pay out of Dave's.
  refusedClaim(ext, { ...voucher(ext, id, amount), channel: other }, dev.charlie, bad);
  refusedClaim(ext, voucher(ext, id, amount, { signedChannel: other }), dev.charlie, bad);
  refusedClaim(ext, voucher(ext, id, amount, { signer: dev.alice }), dev.charlie, bad);
  refusedClaim(
    ext,
    { ...voucher(ext, id, amount), cumulativeAmount: amount + 1n },
    dev.charlie,
    bad,
  );
});

Deno.test("claim() fails for unknown channels, strangers, amounts above the deposit and late claims", () => {
  const ext = setup();
  const id = open(ext, 10n * TOKEN, ext.blockNumber + 3);
  const v = voucher(ext, id, TOKEN, { payee: dev.alice });
  refusedClaim(ext, { ...v, channel: 5n }, dev.alice, "Access.ChannelNotFound");
  refusedClaim(ext, v, dev.dave, "Access.NotPayee");
  // A registered relay that does not carry the stream is no payee either.
  registerRelay(ext, dev.eve.publicKey);
  refusedClaim(ext, v, dev.eve, "Access.NotPayee");
  refusedClaim(ext, v, "root", "BadOrigin");
  const over = voucher(ext, id, 10n * TOKEN + 1n, { payee: dev.alice });
  refusedClaim(ext, over, dev.alice, "Access.ExceedsDeposit");
  // Past expiry but inside the settle window a payee may still claim.
  ext.nextBlock(3 + CONFIG.settleWindow);
  ok(ext.apply("Access", "claim", v, dev.alice));
  ext.nextBlock();
  const late = voucher(ext, id, 2n * TOKEN, { payee: dev.alice });
  refusedClaim(ext, late, dev.alice, "Access.ChannelExpired");
});

Deno.test("attack: ending the stream does not take the serving relay's pay: the relay that carried it claims after the end, as does the creator", () => {
  const ext = setup();
  const id = open(ext);
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  ok(ext.apply("Access", "claim", voucher(ext, id, TOKEN), dev.charlie));
  assertLastEvent(ext, "Access", "Claimed", { channel: id, relay: charlie });
  ok(ext.apply("Access", "claim", voucher(ext, id, TOKEN, { payee: dev.alice }), dev.alice));
  // A relay that did not carry the stream when it ended is no payee.
  registerRelay(ext, dev.eve.publicKey);
  refusedClaim(ext, voucher(ext, id, TOKEN, { payee: dev.eve }), dev.eve, "Access.NotPayee");
});

Deno.test("attack: a relay that carried an ended stream and then deregistered (deposit back) can no longer claim", () => {
  const ext = setup();
  const id = open(ext);
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  ok(ext.apply("QosRewards", "deregisterRelay", {}, dev.charlie));
  refusedClaim(ext, voucher(ext, id, TOKEN), dev.charlie, "Access.NotPayee");
  // Registered again, its deposit is at stake again: it may claim what it served.
  registerRelay(ext, charlie);
  ok(ext.apply("Access", "claim", voucher(ext, id, TOKEN), dev.charlie));
  assertLastEvent(ext, "Access", "Claimed", { channel: id, relay: charlie });
});

Deno.test("claim() can take a viewer's whole balance: the channel kept the account alive until then", () => {
  const ext = setup();
  const viewer = keypairFromUri("//Viewer");
  ok(ext.apply("Balances", "transferAllowDeath", {
    dest: { tag: "Id", value: viewer.publicKey },
    value: 2n * TOKEN,
  }, dev.bob));
  const id = open(ext, 2n * TOKEN, ext.blockNumber + 10, viewer);
  assert.equal(freeBalance(ext.state, viewer.publicKey), 0n);
  assert.equal(account(ext.state, viewer.publicKey).consumers, 1);
  // Below the existential deposit (10^9) but still reserved for the channel: not reaped.
  ok(
    ext.apply(
      "Access",
      "claim",
      voucher(ext, id, 2n * TOKEN - 10n, { signer: viewer, payee: dev.alice }),
      dev.alice,
    ),
  );
  assert.equal(reservedBalance(ext.state, viewer.publicKey), 10n);
  ok(
    ext.apply(
      "Access",
      "claim",
      voucher(ext, id, 2n * TOKEN, { signer: viewer, payee: dev.alice }),
      dev.alice,
    ),
  );
  assert.equal(account(ext.state, viewer.publicKey).providers, 0);
  ext.nextBlock(11 + CONFIG.settleWindow);
  ok(ext.apply("Access", "close", { channel: id }, viewer));
});

Deno.test("claim() gives the pot's share to the creator when the pot cannot exist yet", () => {
  const ext = setup({
    balances: {
      existentialDeposit: (TOKEN / 1000n).toString(),
      balances: [
        ...[alice, bob, charlie].map((a) => [toHex(a), (1000n * TOKEN).toString()]),
        // Alice's stash bonds at genesis.
        [toHex(dev.aliceStash.publicKey), (1_000_000n * TOKEN).toString()],
      ],
    },
  });
  const id = open(ext);
  ok(ext.apply("Access", "claim", voucher(ext, id, 1_000_000n), dev.charlie));
  assertLastEvent(ext, "Access", "Claimed", {
    creatorAmount: 850_000n,
    relayAmount: 150_000n,
    potAmount: 0n,
  });
  ok(ext.apply("Access", "claim", voucher(ext, id, 1_000_000n + 20n * TOKEN), dev.charlie));
  assertLastEvent(ext, "Access", "Claimed", { potAmount: TOKEN });
  assert.equal(freeBalance(ext.state, POT_ACCOUNT), TOKEN);
});

Deno.test("property: claims never pay more than the deposit, nor a lane's increase twice, nor to another payee", () => {
  const step = fc.record({
    amount: fc.bigInt({ min: 0n, max: 120n * TOKEN }),
    payee: fc.constantFrom("creator", "relay", "stranger"),
    forge: fc.constantFrom("none", "none", "none", "key", "chain", "channel", "payee"),
  });
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
      const ext = setup();
      const deposit = 100n * TOKEN;
      const id = open(ext, deposit);
      const start = balancesOf(ext);
      let paid = 0n;
      const lanes = new Map<string, bigint>();
      for (const s of steps) {
        const signer = s.payee === "creator"
          ? dev.alice
          : s.payee === "relay"
          ? dev.charlie
          : dev.ferdie;
        const options = s.forge === "key"
          ? { signer: dev.eve, payee: signer }
          : s.forge === "chain"
          ? { genesisHash: new Uint8Array(32), payee: signer }
          : s.forge === "channel"
          ? { signedChannel: id + 1n, payee: signer }
          : s.forge === "payee"
          ? { payee: signer === dev.alice ? dev.charlie : dev.alice }
          : { payee: signer };
        const lane = lanes.get(s.payee) ?? 0n;
        const r = ext.apply("Access", "claim", voucher(ext, id, s.amount, options), signer);
        if (r.ok) {
          const event = ext.events().filter((e) => e.name === "Claimed").at(-1)!;
          paid += event.data.amount as bigint;
          assert.equal(event.data.amount, s.amount - lane);
          assert.ok(s.amount > lane && s.forge === "none" && s.payee !== "stranger");
          lanes.set(s.payee, s.amount);
        }
      }
      const end = balancesOf(ext);
      assert.equal(paid, [...lanes.values()].reduce((a, b) => a + b, 0n));
      assert.ok(paid <= deposit);
      assert.equal(getChannel(ext.state, id)!.claimed, paid);
      assert.equal(start.bob - end.bob, paid);
      assert.equal(
        end.alice - start.alice + end.charlie - start.charlie + end.pot - start.pot,
        paid,
      );
    }),
    { numRuns: 15 },
  );
});

/**
 * Relays that come and go while `channel` lasts, each carrying the stream
 * for one claim of 1 STREAM: relay `//Churn{i}` for i in `from` until `to`.
 */
function churn(ext: TestExt, channel: bigint, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const relay = keypairFromUri(`//Churn${i}`);
    registerRelay(ext, relay.publicKey);
    ok(ext.apply("Streams", "announceRelay", { id: STREAM }, relay));
    ok(ext.apply("Access", "claim", voucher(ext, channel, TOKEN, { payee: relay }), relay));
    ok(ext.apply("Streams", "withdrawRelay", { id: STREAM }, relay));
  }
}

Deno.test("relays churning through one channel cannot give it more lanes than close is weighed for", () => {
  const ext = setup();
  const id = open(ext, 100n * TOKEN);
  ok(ext.apply("Access", "claim", voucher(ext, id, TOKEN), dev.charlie));
  ok(ext.apply("Access", "claim", voucher(ext, id, TOKEN, { payee: dev.alice }), dev.alice));
  churn(ext, id, 0, MAX_LANES_PER_CHANNEL - 2);
  assert.equal(accessStorage.LaneCount.get(ext.state, id), MAX_LANES_PER_CHANNEL);
  // The 66th payee carries the stream and holds a good voucher, and is refused.
  const late = keypairFromUri("//Churn65");
  registerRelay(ext, late.publicKey);
  ok(ext.apply("Streams", "announceRelay", { id: STREAM }, late));
  refusedClaim(ext, voucher(ext, id, TOKEN, { payee: late }), late, "Access.TooManyLanes");
  // Payees that have a lane still claim on it.
  ok(ext.apply("Access", "claim", voucher(ext, id, 2n * TOKEN), dev.charlie));
  assert.equal(accessStorage.LaneCount.get(ext.state, id), MAX_LANES_PER_CHANNEL);
  ext.nextBlock(CONFIG.settleWindow + 102);
  ok(ext.apply("Access", "close", { channel: id }, dev.bob));
  assert.equal(accessStorage.LaneCount.get(ext.state, id), 0);
  assert.equal([...accessStorage.LaneCount.entries(ext.state)].length, 0, "the count goes too");
});
