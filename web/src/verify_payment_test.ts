import assert from "node:assert/strict";
import { accessStorage } from "../../pallets/access/storage.ts";
import { streamInfoType, streamsStorage } from "../../pallets/streams/mod.ts";
import { encode } from "../../runtime/codec/types.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import { differenceOf, figuresIn, type PaymentFigures } from "./verify_payment.ts";

const viewer = new Uint8Array(32).fill(2);
const amount = (planck: bigint) => `${planck} planck`;
const proven: PaymentFigures = {
  price: 10n,
  channelId: 4n,
  channel: { viewer, stream: 7n, deposit: 1000n, claimed: 30n, expiry: 500 },
};

Deno.test("figuresIn() reads the price, the viewer's channel id and its record from the pallets' keys", () => {
  const stored = new Map<string, Uint8Array>([
    [
      toHexRaw(streamsStorage.Streams.keyOf(7n)),
      encode(streamInfoType, {
        creator: new Uint8Array(32),
        title: "Camera",
        pricePerSecond: 10n,
        meta: new Uint8Array(),
        status: { tag: "Live" },
        createdAt: 3,
        deposit: 0n,
        endedAt: undefined,
      }),
    ],
    [
      toHexRaw(accessStorage.ChannelsByViewer.keyOf(viewer, 7n)),
      encode(accessStorage.ChannelsByViewer.valueType, 4n),
    ],
    [
      toHexRaw(accessStorage.Channels.keyOf(4n)),
      encode(accessStorage.Channels.valueType, proven.channel!),
    ],
  ]);
  const state = { get: (key: Uint8Array) => stored.get(toHexRaw(key)), entries: () => [] };
  assert.deepEqual(figuresIn(state, 7n, viewer), proven);
  assert.deepEqual(figuresIn(state, 8n, viewer), {
    price: undefined,
    channelId: undefined,
    channel: undefined,
  });
});

Deno.test("differenceOf() names the first figure the node lied about, and none when it told the truth", () => {
  assert.equal(differenceOf(structuredClone(proven), proven, amount), undefined);
  const lie = (change: (said: PaymentFigures) => void) => {
    const said = structuredClone(proven);
    change(said);
    return differenceOf(said, proven, amount);
  };
  assert.equal(
    lie((s) => s.price = undefined),
    "the node says the price is none (no such stream); the chain proves 10 planck per second",
  );
  assert.equal(
    lie((s) => s.channelId = undefined),
    "the node says your channel is none; the chain proves #4",
  );
  assert.equal(
    lie((s) => s.channel!.deposit = 2000n),
    "the node says your channel's deposit is 2000 planck; the chain proves 1000 planck",
  );
  assert.equal(
    lie((s) => s.channel!.claimed = 0n),
    "the node says your channel's claimed part is 0 planck; the chain proves 30 planck",
  );
  assert.equal(
    lie((s) => s.channel!.expiry = 900),
    "the node says your channel's expiry is block #900; the chain proves block #500",
  );
  assert.equal(
    lie((s) => s.channel = undefined),
    "the node says your channel's viewer is none; the chain proves 0x" + "02".repeat(32),
  );
});
