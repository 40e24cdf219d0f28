/**
 * The access pallet's declarations: channel type, parameters, storage,
 * events and errors.
 *
 * @module
 */
import { t, type ValueOf } from "../../runtime/codec/types.ts";
import { defineErrors } from "../../runtime/pallet/errors.ts";
import { defineEvents } from "../../runtime/pallet/events.ts";
import { declareStorage, doubleMap, map, value } from "../../runtime/storage/items.ts";
import { MAX_RELAYS_PER_STREAM, streamIdType } from "../streams/mod.ts";

/** A channel's identifier, assigned in sequence from `NextChannelId`. */
export const channelIdType = t.named(t.u64, "ChannelId");

/** A payment channel from a viewer to a stream. */
export const channelType = t.struct("Channel", {
  viewer: t.accountId,
  stream: streamIdType,
  /** Everything the viewer reserved for it, claimed part included. */
  deposit: t.balance,
  /** What payees have claimed so far, over every lane (see `Lanes`). */
  claimed: t.balance,
  /** The last block it pays for; payees may still claim `SettleWindow` blocks after. */
  expiry: t.blockNumber,
});

/** A channel's record. */
export type Channel = ValueOf<typeof channelType>;

/**
 * What an allow-list entry reserves from the creator until it is revoked
 * (0.01 STREAM): state someone pays for, and a reason to clean it up.
 */
export const ALLOW_LIST_DEPOSIT = 10_000_000_000n;

/**
 * Most allow-list entries one stream may have: `removeStream` deletes them
 * all in one call, so this bounds its weight.
 */
export const MAX_ALLOW_LIST = 1000;

/**
 * Most lanes one channel may have: its creator's and one for each relay
 * that may carry the stream at once. `close` clears them all, so this
 * bounds its weight; relays come and go while a channel lasts, so without
 * the bound its payees would not be.
 */
export const MAX_LANES_PER_CHANNEL = MAX_RELAYS_PER_STREAM + 1;

/** The pallet's parameters, from the chain spec. */
export interface AccessConfig {
  creatorSharePerbill: number;
  relaySharePerbill: number;
  settleWindow: number;
  graceSeconds: number;
  minDeposit: bigint;
  blockTimeMs: number;
}

/** The parameters a chain spec that says nothing of this pallet gets. */
export const DEFAULT_CONFIG: AccessConfig = {
  creatorSharePerbill: 800_000_000,
  relaySharePerbill: 150_000_000,
  settleWindow: 600,
  graceSeconds: 30,
  minDeposit: 10_000_000_000n,
  blockTimeMs: 6000,
};

export const storage = declareStorage("Access", {
  CreatorSharePerbill: value({
    type: t.u32,
    default: DEFAULT_CONFIG.creatorSharePerbill,
    docs: "The creator's share of each claim, in parts per billion.",
  }),
  RelaySharePerbill: value({
    type: t.u32,
    default: DEFAULT_CONFIG.relaySharePerbill,
    docs: "The claiming relay's share of each claim, in parts per billion (the rest: reward pot).",
  }),
  SettleWindow: value({
    type: t.blockNumber,
    default: DEFAULT_CONFIG.settleWindow,
    docs: "Blocks after a channel's expiry during which payees may still claim.",
  }),
  GraceSeconds: value({
    type: t.u32,
    default: DEFAULT_CONFIG.graceSeconds,
    docs: "Seconds of watching a channel must still cover for `canWatch`.",
  }),
  MinDeposit: value({
    type: t.balance,
    default: DEFAULT_CONFIG.minDeposit,
    docs: "The smallest deposit a channel may open with.",
  }),
  BlockTimeMs: value({
    type: t.u32,
    default: DEFAULT_CONFIG.blockTimeMs,
    docs: "The target block time, to turn seconds into blocks.",
  }),
  NextChannelId: value({
    type: channelIdType,
    default: 0n,
    docs: "The id the next opened channel gets.",
  }),
  Channels: map({
    hasher: "Twox64Concat",
    key: channelIdType,
    value: channelType,
    docs: "Open payment channels, by id.",
  }),
  OpenChannels: map({
    hasher: "Twox64Concat",
    key: streamIdType,
    value: t.u32,
    default: 0,
    docs: "How many channels to each stream are open: a stream can be removed only at 0.",
  }),
  ChannelsByViewer: doubleMap({
    hashers: ["Blake2_128Concat", "Twox64Concat"],
    keys: [t.accountId, streamIdType],
    value: channelIdType,
    docs: "The open channel of each (viewer, stream); at most one.",
  }),
  Lanes: doubleMap({
    hashers: ["Twox64Concat", "Blake2_128Concat"],
    keys: [channelIdType, t.accountId],
    value: t.balance,
    docs: "What each payee has claimed of each channel: vouchers are cumulative per lane " +
      "(channel, payee), and the lanes together never exceed the deposit.",
  }),
  AllowList: doubleMap({
    hashers: ["Twox64Concat", "Blake2_128Concat"],
    keys: [streamIdType, t.accountId],
    value: t.balance,
    docs: "Viewers the creator lets watch a stream without paying, with the deposit the " +
      "creator reserved for each entry (returned when it is revoked, before or after the end, " +
      "or when the stream is removed).",
  }),
  AllowListCount: map({
    hasher: "Twox64Concat",
    key: streamIdType,
    value: t.u32,
    default: 0,
    docs: "How many entries each stream's allow list has (at most `MaxAllowList`).",
  }),
  LaneCount: map({
    hasher: "Twox64Concat",
    key: channelIdType,
    value: t.u32,
    default: 0,
    docs: "How many lanes each open channel has (at most `MaxLanes`).",
  }),
});

export const events = defineEvents("Access", {
  ChannelOpened: {
    fields: {
      channel: channelIdType,
      viewer: t.accountId,
      stream: streamIdType,
      deposit: t.balance,
      expiry: t.blockNumber,
    },
    docs: "A viewer opened a payment channel to a stream, reserving the deposit.",
  },
  ChannelToppedUp: {
    fields: { channel: channelIdType, deposit: t.balance, expiry: t.blockNumber },
    docs: "A channel's deposit grew or its expiry moved later (the new totals).",
  },
  Claimed: {
    fields: {
      channel: channelIdType,
      amount: t.balance,
      creator: t.accountId,
      creatorAmount: t.balance,
      relay: t.option(t.accountId),
      relayAmount: t.balance,
      potAmount: t.balance,
    },
    docs: "A payee claimed the increase `amount` of a voucher, paid out as shown.",
  },
  ChannelClosed: {
    fields: { channel: channelIdType, refunded: t.balance },
    docs: "A viewer closed an expired channel and got the unclaimed remainder back.",
  },
  AccessGranted: {
    fields: { stream: streamIdType, who: t.accountId },
    docs: "A creator allow-listed a viewer.",
  },
  AccessRevoked: {
    fields: { stream: streamIdType, who: t.accountId },
    docs: "A creator took a viewer off the allow list.",
  },
  AllowListCleared: {
    fields: { stream: streamIdType, entries: t.u32, refunded: t.balance },
    docs: "A removed stream's allow list went; `refunded` of its deposits returned to the creator.",
  },
});

export const errors = defineErrors("Access", {
  StreamNotFound: "No stream has this id.",
  StreamEnded: "The stream has ended.",
  ChannelNotFound: "No open channel has this id.",
  ChannelExists: "The viewer already has an open channel to this stream.",
  NotViewer: "Only the channel's viewer may do this.",
  NotPayee: "Only the stream's creator or a relay carrying it may claim.",
  BadVoucherSignature: "The voucher is not signed by the channel's viewer.",
  VoucherNotNewer: "The voucher's cumulative amount is not above what was claimed already.",
  ExceedsDeposit: "The voucher's cumulative amount is above the channel's deposit.",
  ChannelExpired: "The channel's settle window is over; it can only be closed.",
  ChannelNotExpired: "The channel may still be claimed (its settle window is not over).",
  DepositTooLow: "The deposit is below `MinDeposit`.",
  ExpiryInPast: "The expiry is not after the current block.",
  ExpiryNotExtended: "A new expiry must be later than the current one.",
  NotCreator: "Only the stream's creator may do this.",
  AlreadyGranted: "The viewer is on the allow list already.",
  NotGranted: "The viewer is not on the allow list.",
  ReserveShortfall: "The viewer's reserve no longer covers the channel (it was slashed).",
  StreamNotEnded: "The stream has not ended; only an ended stream can be removed.",
  ChannelsOpen: "A payment channel to the stream is still open; close it first (after the " +
    "settle window anyone may).",
  AllowListFull: "The stream's allow list has 1000 entries already.",
  TooManyLanes: "The channel has paid 65 payees already (`MaxLanes`): another payee cannot " +
    "claim from it before it is closed.",
});
