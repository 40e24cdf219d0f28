import assert from "node:assert/strict";
import {
  assertLastEvent,
  assertNoop,
  type Caller,
  dev,
  TestExt,
} from "../../runtime/testing/mod.ts";
import { freeBalance, reservedBalance } from "../balances/mod.ts";
import { streamDeposit } from "../streams/mod.ts";
import { account } from "../system/mod.ts";
import {
  accessConfig,
  accessStorage,
  ALLOW_LIST_DEPOSIT,
  channelOf,
  DEFAULT_CONFIG,
  getChannel,
} from "./mod.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { CONFIG, ok, open, setup, STREAM, TOKEN, voucher } from "./_fixture.ts";

const bob = dev.bob.publicKey;
const who = (k: { publicKey: Uint8Array }) => ({ tag: "Id", value: k.publicKey });

Deno.test("genesis stores the access parameters", () => {
  const ext = setup();
  assert.deepEqual(accessConfig(ext.state), { ...CONFIG, minDeposit: TOKEN });
  assert.deepEqual(accessConfig(new TestExt().state), DEFAULT_CONFIG);
});

Deno.test("genesis rejects shares above one whole and zero block times or deposits", () => {
  assert.throws(
    () => new TestExt({ access: { ...CONFIG, creatorSharePerbill: 900_000_000 } }),
    TypeError,
    "genesis.runtime.access.relaySharePerbill: creatorSharePerbill + relaySharePerbill must be at most 1000000000",
  );
  assert.throws(() => new TestExt({ access: { ...CONFIG, blockTimeMs: 0 } }), /blockTimeMs/);
  assert.throws(() => new TestExt({ access: { ...CONFIG, minDeposit: "0" } }), /minDeposit/);
  // Exactly one whole (nothing for the pot) is fine.
  new TestExt({ access: { ...CONFIG, creatorSharePerbill: 850_000_000 } });
});

Deno.test("openChannel() reserves the deposit and records the channel", () => {
  const ext = setup();
  const free = freeBalance(ext.state, bob);
  const consumers = account(ext.state, bob).consumers;
  const id = open(ext, 50n * TOKEN, ext.blockNumber + 20);
  assert.equal(id, 0n);
  assertLastEvent(ext, "Access", "ChannelOpened", {
    channel: 0n,
    viewer: bob,
    stream: STREAM,
    deposit: 50n * TOKEN,
    expiry: ext.blockNumber + 20,
  });
  assert.equal(freeBalance(ext.state, bob), free - 50n * TOKEN);
  assert.equal(reservedBalance(ext.state, bob), 50n * TOKEN);
  assert.equal(account(ext.state, bob).consumers, consumers + 1);
  assert.deepEqual(getChannel(ext.state, id), {
    viewer: bob,
    stream: STREAM,
    deposit: 50n * TOKEN,
    claimed: 0n,
    expiry: ext.blockNumber + 20,
  });
  assert.equal(channelOf(ext.state, bob, STREAM), id);
  assert.equal(open(ext, TOKEN, ext.blockNumber + 1, dev.dave), 1n);
});

Deno.test("openChannel() fails for bad streams, expiries, deposits and duplicates", () => {
  const ext = setup();
  const args = { stream: STREAM, deposit: 10n * TOKEN, expiry: ext.blockNumber + 10 };
  const call = (a: Record<string, unknown>, error: string, signer: Caller = dev.bob) =>
    assertNoop(ext, "Access", "openChannel", { ...args, ...a }, signer, error);
  call({ stream: 7n }, "Access.StreamNotFound");
  call({ expiry: ext.blockNumber }, "Access.ExpiryInPast");
  call({ deposit: TOKEN - 1n }, "Access.DepositTooLow");
  call({ deposit: 10n ** 9n * TOKEN }, "Balances.InsufficientBalance");
  call({}, "BadOrigin", "root");
  open(ext);
  call({}, "Access.ChannelExists");
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  call({}, "Access.StreamEnded", dev.dave);
});

Deno.test("topUp() adds to the deposit and extends the expiry", () => {
  const ext = setup();
  const id = open(ext, 10n * TOKEN, ext.blockNumber + 10);
  ok(
    ext.apply(
      "Access",
      "topUp",
      { channel: id, amount: 5n * TOKEN, newExpiry: undefined },
      dev.bob,
    ),
  );
  assertLastEvent(ext, "Access", "ChannelToppedUp", {
    channel: id,
    deposit: 15n * TOKEN,
    expiry: ext.blockNumber + 10,
  });
  assert.equal(reservedBalance(ext.state, bob), 15n * TOKEN);
  const later = ext.blockNumber + 50;
  ok(ext.apply("Access", "topUp", { channel: id, amount: 0n, newExpiry: later }, dev.bob));
  assertLastEvent(ext, "Access", "ChannelToppedUp", { deposit: 15n * TOKEN, expiry: later });
  assert.equal(getChannel(ext.state, id)!.expiry, later);
});

Deno.test("topUp() fails for others, unknown channels, earlier expiries and ended streams", () => {
  const ext = setup();
  const id = open(ext, 10n * TOKEN, ext.blockNumber + 2);
  const args = { channel: id, amount: TOKEN, newExpiry: undefined };
  assertNoop(ext, "Access", "topUp", args, dev.dave, "Access.NotViewer");
  assertNoop(ext, "Access", "topUp", { ...args, channel: 9n }, dev.bob, "Access.ChannelNotFound");
  assertNoop(
    ext,
    "Access",
    "topUp",
    { ...args, newExpiry: ext.blockNumber + 2 },
    dev.bob,
    "Access.ExpiryNotExtended",
  );
  assertNoop(
    ext,
    "Access",
    "topUp",
    { ...args, amount: 10n ** 9n * TOKEN },
    dev.bob,
    "Balances.InsufficientBalance",
  );
  ext.nextBlock(5);
  assertNoop(
    ext,
    "Access",
    "topUp",
    { ...args, newExpiry: ext.blockNumber },
    dev.bob,
    "Access.ExpiryInPast",
  );
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  assertNoop(ext, "Access", "topUp", args, dev.bob, "Access.StreamEnded");
});

Deno.test("close() refunds the unclaimed remainder after the settle window", () => {
  const ext = setup();
  const before = freeBalance(ext.state, bob);
  const consumers = account(ext.state, bob).consumers;
  const id = open(ext, 10n * TOKEN, ext.blockNumber + 2);
  ok(ext.apply("Access", "claim", voucher(ext, id, 3n * TOKEN, { payee: dev.alice }), dev.alice));
  assertNoop(ext, "Access", "close", { channel: id }, dev.bob, "Access.ChannelNotExpired");
  ext.nextBlock(2 + CONFIG.settleWindow);
  assertNoop(ext, "Access", "close", { channel: id }, dev.bob, "Access.ChannelNotExpired");
  ext.nextBlock();
  assertNoop(ext, "Access", "close", { channel: id }, dev.dave, "Access.NotViewer");
  assertNoop(ext, "Access", "close", { channel: 4n }, dev.bob, "Access.ChannelNotFound");
  ok(ext.apply("Access", "close", { channel: id }, dev.bob));
  assertLastEvent(ext, "Access", "ChannelClosed", { channel: id, refunded: 7n * TOKEN });
  assert.equal(freeBalance(ext.state, bob), before - 3n * TOKEN);
  assert.equal(reservedBalance(ext.state, bob), 0n);
  assert.equal(account(ext.state, bob).consumers, consumers);
  assert.equal(getChannel(ext.state, id), undefined);
  assert.equal(channelOf(ext.state, bob, STREAM), undefined);
  // The viewer may open a new channel to the same stream.
  open(ext);
});

Deno.test("close() of a fully claimed channel refunds nothing", () => {
  const ext = setup();
  const id = open(ext, 2n * TOKEN, ext.blockNumber + 1);
  ok(ext.apply("Access", "claim", voucher(ext, id, 2n * TOKEN, { payee: dev.alice }), dev.alice));
  ext.nextBlock(2 + CONFIG.settleWindow);
  ok(ext.apply("Access", "close", { channel: id }, dev.bob));
  assertLastEvent(ext, "Access", "ChannelClosed", { channel: id, refunded: 0n });
});

Deno.test("attack: an allow list is state the creator pays for: each entry reserves a deposit, back on revoke, also after the end", () => {
  const ext = setup();
  const reserved = () => reservedBalance(ext.state, dev.alice.publicKey);
  const before = reserved();
  for (const viewer of [dev.dave, dev.eve]) {
    ok(ext.apply("Access", "grantAccess", { stream: STREAM, who: who(viewer) }, dev.alice));
  }
  assert.equal(reserved(), before + 2n * ALLOW_LIST_DEPOSIT);
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  // The entries outlive the stream, and their deposits with them, until the creator revokes.
  ok(ext.apply("Access", "revokeAccess", { stream: STREAM, who: who(dev.dave) }, dev.alice));
  ok(ext.apply("Access", "revokeAccess", { stream: STREAM, who: who(dev.eve) }, dev.alice));
  assert.equal(reserved(), before);
  assert.deepEqual([...accessStorage.AllowList.entriesOf(ext.state, STREAM)], []);
});

Deno.test("grantAccess() fails without the deposit, and grants nothing", () => {
  const ext = setup();
  const poor = keypairFromUri("//Poor");
  ok(ext.apply("Balances", "transferAllowDeath", {
    dest: { tag: "Id", value: poor.publicKey },
    // Enough for the stream's deposit (a 4-byte title), half an entry's after it.
    value: streamDeposit(4, 0) + ALLOW_LIST_DEPOSIT / 2n,
  }, dev.bob));
  ok(ext.apply("Streams", "createStream", {
    title: "Poor",
    pricePerSecond: 1n,
    meta: new Uint8Array(),
  }, poor));
  const stream = 1n;
  const args = { stream, who: who(dev.dave) };
  const result = ext.apply("Access", "grantAccess", args, poor);
  assert.equal(result.ok, false);
  assert.equal(accessStorage.AllowList.contains(ext.state, stream, dev.dave.publicKey), false);
});

Deno.test("grantAccess() and revokeAccess() keep the allow list (creator only)", () => {
  const ext = setup();
  const args = { stream: STREAM, who: who(dev.dave) };
  ok(ext.apply("Access", "grantAccess", args, dev.alice));
  assertLastEvent(ext, "Access", "AccessGranted", { stream: STREAM, who: dev.dave.publicKey });
  assert.ok(accessStorage.AllowList.contains(ext.state, STREAM, dev.dave.publicKey));
  assertNoop(ext, "Access", "grantAccess", args, dev.alice, "Access.AlreadyGranted");
  assertNoop(ext, "Access", "grantAccess", args, dev.bob, "Access.NotCreator");
  assertNoop(ext, "Access", "revokeAccess", args, dev.bob, "Access.NotCreator");
  assertNoop(
    ext,
    "Access",
    "grantAccess",
    { ...args, stream: 3n },
    dev.alice,
    "Access.StreamNotFound",
  );
  assertNoop(
    ext,
    "Access",
    "revokeAccess",
    { ...args, stream: 3n },
    dev.alice,
    "Access.StreamNotFound",
  );
  assertNoop(
    ext,
    "Access",
    "grantAccess",
    { ...args, who: { tag: "Index", value: 1 } },
    dev.alice,
    "CannotLookup",
  );
  ok(ext.apply("Access", "revokeAccess", args, dev.alice));
  assertLastEvent(ext, "Access", "AccessRevoked", { stream: STREAM, who: dev.dave.publicKey });
  assert.ok(!accessStorage.AllowList.contains(ext.state, STREAM, dev.dave.publicKey));
  assertNoop(ext, "Access", "revokeAccess", args, dev.alice, "Access.NotGranted");
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  assertNoop(ext, "Access", "grantAccess", args, dev.alice, "Access.StreamEnded");
});
