import assert from "node:assert/strict";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import { itemPrefix } from "../../runtime/storage/items.ts";
import { assertEvent, assertLastEvent, assertNoop, dev } from "../../runtime/testing/mod.ts";
import { freeBalance, reservedBalance } from "../balances/mod.ts";
import { getStream, streamDeposit, streamsStorage } from "../streams/mod.ts";
import {
  accessStorage,
  ALLOW_LIST_DEPOSIT,
  getChannel,
  MAX_ALLOW_LIST,
  openChannels,
} from "./mod.ts";
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
const remove = { stream: STREAM };
const who = (account: Uint8Array) => ({ tag: "Id", value: account });

/** Free and reserved balance of `who`. */
function held(ext: ReturnType<typeof setup>, who: Uint8Array) {
  return { free: freeBalance(ext.state, who), reserved: reservedBalance(ext.state, who) };
}

/**
 * Every storage pair of the Streams and Access pallets but their id
 * counters: after a stream's removal, what its life left behind.
 */
function perStreamState(ext: ReturnType<typeof setup>): Map<string, string> {
  const pallets = ["Streams", "Access"].map((p) => toHexRaw(itemPrefix(p, "x").subarray(0, 16)));
  const counters = [
    itemPrefix("Streams", "NextStreamId"),
    itemPrefix("Access", "NextChannelId"),
  ].map(toHexRaw);
  const out = new Map<string, string>();
  for (const [k, v] of ext.snapshot()) {
    if (pallets.some((p) => k.startsWith(p)) && !counters.includes(k)) out.set(k, v);
  }
  return out;
}

Deno.test("attack: a live stream cannot be removed, nor one that was only created", () => {
  const ext = setup();
  assertNoop(ext, "Access", "removeStream", remove, dev.eve, "Access.StreamNotEnded");
  assertNoop(ext, "Access", "removeStream", remove, dev.alice, "Access.StreamNotEnded");
  ok(ext.apply("Streams", "createStream", {
    title: "Later",
    pricePerSecond: 1n,
    meta: new Uint8Array(),
  }, dev.alice));
  assertNoop(ext, "Access", "removeStream", { stream: 1n }, dev.eve, "Access.StreamNotEnded");
  assertNoop(ext, "Access", "removeStream", { stream: 7n }, dev.eve, "Access.StreamNotFound");
  assertNoop(ext, "Access", "removeStream", remove, "root", "BadOrigin");
});

Deno.test("attack: an ended stream with an open channel cannot be removed; the channel is still claimed and closed after the end", () => {
  const ext = setup();
  const id = open(ext, 10n * TOKEN);
  assert.equal(openChannels(ext.state, STREAM), 1);
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  assertNoop(ext, "Access", "removeStream", remove, dev.eve, "Access.ChannelsOpen");
  // The relay that served and the creator both still claim against the record.
  ok(ext.apply("Access", "claim", voucher(ext, id, 2n * TOKEN), dev.charlie));
  ok(ext.apply("Access", "claim", voucher(ext, id, TOKEN, { payee: dev.alice }), dev.alice));
  assertNoop(ext, "Access", "removeStream", remove, dev.eve, "Access.ChannelsOpen");
  ext.nextBlock(CONFIG.settleWindow + 1);
  ok(ext.apply("Access", "close", { channel: id }, dev.bob));
  assertLastEvent(ext, "Access", "ChannelClosed", { channel: id, refunded: 7n * TOKEN });
  assert.equal(openChannels(ext.state, STREAM), 0);
  ok(ext.apply("Access", "removeStream", remove, dev.eve));
});

Deno.test("attack: a viewer cannot keep an ended stream's record alive with a far expiry: its claims end SettleWindow after the end, then anyone closes it for the viewer", () => {
  const ext = setup();
  const id = open(ext, 10n * TOKEN, ext.blockNumber + 1_000_000);
  // Before the end, only the viewer closes its channel.
  assertNoop(ext, "Access", "close", { channel: id }, dev.eve, "Access.NotViewer");
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  ext.nextBlock(CONFIG.settleWindow);
  // The last block of the window: still claimable, not yet closable.
  ok(ext.apply("Access", "claim", voucher(ext, id, TOKEN), dev.charlie));
  assertNoop(ext, "Access", "close", { channel: id }, dev.eve, "Access.ChannelNotExpired");
  ext.nextBlock();
  assertNoop(
    ext,
    "Access",
    "claim",
    voucher(ext, id, 2n * TOKEN),
    dev.charlie,
    "Access.ChannelExpired",
  );
  const viewerBefore = held(ext, bob);
  ok(ext.apply("Access", "close", { channel: id }, dev.eve));
  assertLastEvent(ext, "Access", "ChannelClosed", { channel: id, refunded: 9n * TOKEN });
  assert.deepEqual(held(ext, bob), {
    free: viewerBefore.free + 9n * TOKEN,
    reserved: viewerBefore.reserved - 9n * TOKEN,
  });
  assert.equal(getChannel(ext.state, id), undefined);
  ok(ext.apply("Access", "removeStream", remove, dev.eve));
});

Deno.test("removeStream() after the last channel closed frees the record, the allow list and every deposit, exactly", () => {
  const ext = setup();
  // Stream 1, created in this test, so that Alice's balance before it is known.
  const stream = streamsStorage.NextStreamId.get(ext.state);
  const aliceBefore = held(ext, alice);
  const bobBefore = total(ext, bob);
  const before = perStreamState(ext);
  const title = "Removable";
  ok(ext.apply("Streams", "createStream", {
    title,
    pricePerSecond: TOKEN / 1000n,
    meta: new Uint8Array(100),
  }, dev.alice));
  ok(ext.apply("Streams", "goLive", { id: stream }, dev.alice));
  ok(ext.apply("Streams", "announceRelay", { id: stream }, dev.charlie));
  const viewers = [dev.dave, dev.eve, dev.ferdie].map((k) => k.publicKey);
  for (const v of viewers) {
    ok(ext.apply("Access", "grantAccess", { stream, who: who(v) }, dev.alice));
  }
  const deposits = streamDeposit(title.length, 100) + 3n * ALLOW_LIST_DEPOSIT;
  assert.deepEqual(held(ext, alice), {
    free: aliceBefore.free - deposits,
    reserved: aliceBefore.reserved + deposits,
  });
  const channel = accessStorage.NextChannelId.get(ext.state);
  ok(ext.apply("Access", "openChannel", {
    stream,
    deposit: 5n * TOKEN,
    expiry: ext.blockNumber + 5,
  }, dev.bob));
  ok(ext.apply("Streams", "endStream", { id: stream }, dev.alice));
  ext.nextBlock(5 + CONFIG.settleWindow + 1);
  ok(ext.apply("Access", "close", { channel }, dev.bob));

  ok(ext.apply("Access", "removeStream", { stream }, dev.eve));
  assertEvent(ext, "Access", "AllowListCleared", {
    stream,
    entries: 3,
    refunded: 3n * ALLOW_LIST_DEPOSIT,
  });
  assertLastEvent(ext, "Streams", "StreamRemoved", {
    id: stream,
    creator: alice,
    deposit: streamDeposit(title.length, 100),
  });
  assert.deepEqual(held(ext, alice), aliceBefore);
  assert.equal(total(ext, bob), bobBefore);
  assert.equal(getStream(ext.state, stream), undefined);
  // Nothing of the stream is left in either pallet: not its record, index
  // entry, carriers, allow list, counters or channel.
  assert.deepEqual(perStreamState(ext), before);
  assert.deepEqual(held(ext, charlie).reserved, 0n);
});

Deno.test("attack: nobody can remove a stream twice", () => {
  const ext = setup();
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  ok(ext.apply("Access", "removeStream", remove, dev.bob));
  assertNoop(ext, "Access", "removeStream", remove, dev.bob, "Access.StreamNotFound");
  assertNoop(ext, "Access", "removeStream", remove, dev.alice, "Access.StreamNotFound");
});

Deno.test("the relay that carried the stream claims after the end until the stream is removed", () => {
  const ext = setup();
  const id = open(ext, 10n * TOKEN, ext.blockNumber + 3);
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  ok(ext.apply("Access", "claim", voucher(ext, id, TOKEN), dev.charlie));
  ext.nextBlock(3 + CONFIG.settleWindow + 1);
  ok(ext.apply("Access", "close", { channel: id }, dev.bob));
  ok(ext.apply("Access", "removeStream", remove, dev.eve));
  assertNoop(
    ext,
    "Access",
    "claim",
    voucher(ext, id, 2n * TOKEN),
    dev.charlie,
    "Access.ChannelNotFound",
  );
  assert.equal(streamsStorage.EndedRelays.contains(ext.state, STREAM, charlie), false);
});

Deno.test("attack: a stream's allow list holds at most 1000 entries, so removing it stays within its weight", () => {
  const ext = setup();
  const account = (i: number) => {
    const bytes = new Uint8Array(32);
    new DataView(bytes.buffer).setUint32(0, i + 1);
    return bytes;
  };
  const reserved = reservedBalance(ext.state, alice);
  for (let i = 0; i < MAX_ALLOW_LIST; i++) {
    ok(ext.apply("Access", "grantAccess", { stream: STREAM, who: who(account(i)) }, dev.alice));
  }
  const full = { stream: STREAM, who: who(account(MAX_ALLOW_LIST)) };
  assertNoop(ext, "Access", "grantAccess", full, dev.alice, "Access.AllowListFull");
  // A revoked entry makes room again.
  ok(ext.apply("Access", "revokeAccess", { stream: STREAM, who: who(account(0)) }, dev.alice));
  ok(ext.apply("Access", "grantAccess", full, dev.alice));
  ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice));
  ok(ext.apply("Access", "removeStream", remove, dev.eve));
  assertEvent(ext, "Access", "AllowListCleared", { stream: STREAM, entries: MAX_ALLOW_LIST });
  const streamDepositOf0 = streamDeposit("Live".length, 0);
  assert.equal(reservedBalance(ext.state, alice), reserved - streamDepositOf0);
  assert.equal(accessStorage.AllowListCount.get(ext.state, STREAM), 0);
});

Deno.test("OpenChannels counts the open channels of each stream through open and close", () => {
  const ext = setup();
  registerRelay(ext, dev.eve.publicKey);
  const a = open(ext, TOKEN, ext.blockNumber + 2, dev.bob);
  const b = open(ext, TOKEN, ext.blockNumber + 2, dev.dave);
  assert.equal(openChannels(ext.state, STREAM), 2);
  ext.nextBlock(2 + CONFIG.settleWindow + 1);
  ok(ext.apply("Access", "close", { channel: a }, dev.bob));
  assert.equal(openChannels(ext.state, STREAM), 1);
  ok(ext.apply("Access", "close", { channel: b }, dev.dave));
  assert.equal(openChannels(ext.state, STREAM), 0);
  assert.equal(accessStorage.OpenChannels.contains(ext.state, STREAM), false);
});
