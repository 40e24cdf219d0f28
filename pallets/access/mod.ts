/**
 * # Access
 *
 * Who may watch what, and how viewers pay per second.
 *
 * ## Overview
 *
 * A stream is free (price 0), or its creator allow-lists viewers
 * (`grantAccess` reserves `AllowListDeposit`, 0.01 STREAM, per entry,
 * at most {@link MAX_ALLOW_LIST} entries a stream; `revokeAccess` returns
 * it, also after the stream ended), or a viewer pays through a
 * unidirectional payment channel to it:
 *
 * 1. `openChannel` reserves a deposit from the viewer until an expiry block.
 * 2. While watching, the viewer signs cumulative vouchers off chain (see
 *    `voucher.ts`) and hands them to the relay it watches from. A voucher's
 *    signature is a `MultiSignature` of whichever kind the viewer's account
 *    signs with (ed25519, sr25519, or ecdsa, whose key is recovered from the
 *    signature and must hash to the account, as for extrinsics); `claim`
 *    weighs what a claim with that kind measured.
 * 3. A voucher names its payee: the relay that serves the viewer (or the
 *    creator, serving itself). That payee alone, while it is the stream's
 *    creator or carries the stream, `claim`s with its newest voucher: only
 *    the increase over what its lane (channel, payee) claimed before is
 *    paid, out of the viewer's reserve, split by the `CreatorSharePerbill`
 *    and `RelaySharePerbill` ratios; the rest goes to the QoS reward pot.
 *    The lanes of a channel together never pay more than its deposit. A
 *    replayed voucher pays nothing, and a voucher binds the genesis hash,
 *    channel id and payee, so it is worth nothing on another chain, channel,
 *    or to anyone else: the creator cannot claim the relay's voucher first.
 *    A channel has at most {@link MAX_LANES_PER_CHANNEL} (65) lanes, its
 *    creator's and one per relay that may carry the stream at once
 *    (`LaneCount`): relays come and go while a channel lasts, and a payee
 *    past the bound cannot claim, so that `close` deletes a bounded number.
 * 4. `topUp` adds deposit or extends the expiry; after expiry plus
 *    `SettleWindow` blocks (the payees' last chance to claim) the viewer
 *    `close`s the channel and gets the unclaimed remainder back.
 *
 * ## After the end, and removing a stream
 *
 * Nothing is watched after a stream ends, so a channel to an ended stream
 * pays for nothing after the end: its claims close `SettleWindow` blocks
 * after the earlier of its expiry and the stream's end ({@link settleEnd}),
 * whatever expiry the viewer chose. Until then the creator and the relays
 * that carried the stream when it ended (while they stay registered) still
 * claim their vouchers; after it, anyone may `close` the channel, and the
 * unclaimed remainder goes back to the viewer, so a viewer cannot hold an
 * ended stream's record hostage with a far expiry.
 *
 * `removeStream`, callable by anyone, deletes an ended stream once no channel
 * to it is open (`OpenChannels`, kept per stream, is 0): its allow list (each
 * entry's deposit back to the creator, who paid it), then the stream record
 * with the streams pallet's `removeEndedStream`, which returns the creator's
 * stream deposit. No separate window after the end is needed: `openChannel`
 * refuses an ended stream, so every channel that can still pay was open at
 * the end, each keeps the record until it is closed, and none closes before
 * its own settle window is over; once the last one closed, nothing is left
 * to settle against the record.
 * An allow list has at most {@link MAX_ALLOW_LIST} (1000) entries, so the
 * call's work is bounded; removing twice fails with `StreamNotFound`.
 *
 * {@link canWatch} is the runtime API the relay asks before it serves a
 * viewer.
 *
 * ## Accounts
 *
 * While a channel holds unclaimed deposit, the viewer's account carries a
 * consumer reference, so it cannot be reaped (and its reserve burned as dust)
 * before the channel settles. A part of a claim that the reward pot or a
 * relay cannot receive, because it would create an account below the
 * existential deposit, goes to the creator instead.
 *
 * @module
 */
import { t } from "../../runtime/codec/types.ts";
import { checkedAdd } from "../../runtime/pallet/errors.ts";
import { ensureSigned } from "../../runtime/pallet/origin.ts";
import {
  call,
  constant,
  definePallet,
  genesisConfig,
  type Weight,
} from "../../runtime/pallet/pallet.ts";
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { multiSignatureType, type SignatureType, verifyMulti } from "../../runtime/crypto/mod.ts";
import { lookup, multiAddressType, reserve, unreserve } from "../balances/mod.ts";
import { POT_ACCOUNT } from "../qos-rewards/relays.ts";
import {
  getStream,
  isRelayPayee,
  removeEndedStream,
  type StreamId,
  streamIdType,
  type StreamInfo,
} from "../streams/mod.ts";
import { decConsumers, incConsumers, systemStorage } from "../system/mod.ts";
import { claimSplit, payOut } from "./_claim.ts";
import {
  type AccessConfig,
  ALLOW_LIST_DEPOSIT,
  type Channel,
  channelIdType,
  DEFAULT_CONFIG,
  errors,
  events,
  MAX_ALLOW_LIST,
  MAX_LANES_PER_CHANNEL,
  storage,
} from "./_declarations.ts";
import { MIGRATIONS } from "./migrations.ts";
import { PERBILL } from "./_split.ts";
import { voucherPayload } from "./voucher.ts";
import { WEIGHTS } from "./weights.ts";

export {
  type AccessConfig,
  ALLOW_LIST_DEPOSIT,
  type Channel,
  channelIdType,
  channelType,
  DEFAULT_CONFIG,
  MAX_ALLOW_LIST,
  MAX_LANES_PER_CHANNEL,
} from "./_declarations.ts";
export { errors as accessErrors, events as accessEvents, storage as accessStorage };
export { type Split, splitClaim } from "./_split.ts";
export { type Voucher, VOUCHER_CONTEXT, voucherPayload, voucherType } from "./voucher.ts";

/** The current block number. */
function currentBlock(state: StateReader): number {
  return systemStorage.Number.get(state);
}

/** The genesis hash that vouchers bind: `System.BlockHash(0)`. */
export function voucherGenesisHash(state: StateReader): Uint8Array | undefined {
  return systemStorage.BlockHash.get(state, 0);
}

/** The channel `id`, if it is open. */
export function getChannel(state: StateReader, id: bigint): Channel | undefined {
  return storage.Channels.get(state, id);
}

/** The id of `viewer`'s open channel to `stream`, if any. */
export function channelOf(
  state: StateReader,
  viewer: Uint8Array,
  stream: StreamId,
): bigint | undefined {
  return storage.ChannelsByViewer.get(state, viewer, stream);
}

/** Whether `who` is on `stream`'s allow list. */
export function isAllowListed(state: StateReader, stream: StreamId, who: Uint8Array): boolean {
  return storage.AllowList.contains(state, stream, who);
}

/** The pallet's parameters as set at genesis. */
export function accessConfig(state: StateReader): AccessConfig {
  return {
    creatorSharePerbill: storage.CreatorSharePerbill.get(state),
    relaySharePerbill: storage.RelaySharePerbill.get(state),
    settleWindow: storage.SettleWindow.get(state),
    graceSeconds: storage.GraceSeconds.get(state),
    minDeposit: storage.MinDeposit.get(state),
    blockTimeMs: storage.BlockTimeMs.get(state),
  };
}

/** `GraceSeconds` in blocks of `BlockTimeMs`, rounded up (integer math). */
export function graceBlocks(state: StateReader): number {
  const ms = BigInt(storage.GraceSeconds.get(state)) * 1000n;
  const blockMs = BigInt(storage.BlockTimeMs.get(state));
  return Number((ms + blockMs - 1n) / blockMs);
}

/**
 * Runtime API: may `viewer` watch `stream` now?
 *
 * True when the stream exists, has not ended, and it is free, or the viewer
 * is its creator or allow-listed, or the viewer's open channel to it has
 * unclaimed deposit for `pricePerSecond * GraceSeconds` and an expiry in the
 * future, at least `GraceSeconds` (in blocks) away.
 */
export function canWatch(state: StateReader, viewer: Uint8Array, stream: StreamId): boolean {
  const info = getStream(state, stream);
  if (!info || info.status.tag === "Ended") return false;
  if (info.pricePerSecond === 0n || equalBytes(info.creator, viewer)) return true;
  if (isAllowListed(state, stream, viewer)) return true;
  const id = channelOf(state, viewer, stream);
  const channel = id === undefined ? undefined : getChannel(state, id);
  if (!channel) return false;
  const needed = info.pricePerSecond * BigInt(storage.GraceSeconds.get(state));
  if (channel.deposit - channel.claimed < needed) return false;
  const now = currentBlock(state);
  return channel.expiry > now && channel.expiry >= now + graceBlocks(state);
}

/**
 * What `viewer` has paid `payee` for watching `stream`: its open channel and
 * the seconds that `payee`'s lane of it has claimed at the stream's price.
 * None for a free stream, the stream's creator, or a viewer without a channel.
 */
export function paidViewing(
  state: StateReader,
  viewer: Uint8Array,
  stream: StreamId,
  payee: Uint8Array,
): { channel: bigint; seconds: bigint } | undefined {
  const info = getStream(state, stream);
  if (!info || info.pricePerSecond === 0n || equalBytes(info.creator, viewer)) return undefined;
  const id = channelOf(state, viewer, stream);
  if (id === undefined || !getChannel(state, id)) return undefined;
  return { channel: id, seconds: laneClaimed(state, id, payee) / info.pricePerSecond };
}

/** What `payee` has claimed of channel `id` so far (its lane). */
export function laneClaimed(state: StateReader, id: bigint, payee: Uint8Array): bigint {
  return storage.Lanes.get(state, id, payee) ?? 0n;
}

/**
 * The last block in which payees may claim `channel`: `SettleWindow` blocks
 * after its expiry or, when its stream (`info`) ended earlier, after the end.
 */
export function settleEnd(state: StateReader, channel: Channel, info?: StreamInfo): number {
  const end = info?.endedAt;
  const last = end !== undefined && end < channel.expiry ? end : channel.expiry;
  return last + storage.SettleWindow.get(state);
}

/** How many channels to `stream` are open. */
export function openChannels(state: StateReader, stream: StreamId): number {
  return storage.OpenChannels.get(state, stream);
}

/** The stream, or `StreamNotFound`. */
function streamOf(state: StateReader, id: StreamId): StreamInfo {
  const info = getStream(state, id);
  if (!info) throw errors.StreamNotFound();
  return info;
}

/** The channel, or `ChannelNotFound`. */
function channelAt(state: StateReader, id: bigint): Channel {
  const channel = storage.Channels.get(state, id);
  if (!channel) throw errors.ChannelNotFound();
  return channel;
}

/** The channel, checked to be `who`'s. */
function ownChannel(state: StateReader, id: bigint, who: Uint8Array): Channel {
  const channel = channelAt(state, id);
  if (!equalBytes(channel.viewer, who)) throw errors.NotViewer();
  return channel;
}

/** The stream, checked to be `who`'s. */
function ownStream(state: StateReader, id: StreamId, who: Uint8Array): StreamInfo {
  const info = streamOf(state, id);
  if (!equalBytes(info.creator, who)) throw errors.NotCreator();
  return info;
}

/** Checks a genesis config, naming the bad field. */
function validateConfig(config: AccessConfig): void {
  const at = (field: string) => `genesis.runtime.access.${field}`;
  if (config.creatorSharePerbill + config.relaySharePerbill > Number(PERBILL)) {
    throw new TypeError(
      `${
        at("relaySharePerbill")
      }: creatorSharePerbill + relaySharePerbill must be at most 1000000000`,
    );
  }
  if (config.minDeposit < 1n) throw new TypeError(`${at("minDeposit")}: must be at least 1`);
  if (config.blockTimeMs < 1) throw new TypeError(`${at("blockTimeMs")}: must be at least 1`);
}

/**
 * `claim`'s weight by its voucher's kind of signature, each benchmarked:
 * verifying it dominates, and an ecdsa recovery costs some eight ed25519
 * verifications.
 */
const CLAIM_WEIGHT: Readonly<Record<SignatureType, Weight>> = {
  Ed25519: WEIGHTS.claim,
  Sr25519: WEIGHTS.claimSr25519,
  Ecdsa: WEIGHTS.claimEcdsa,
};

/** The access pallet. */
export const access = definePallet({
  name: "Access",
  docs: "Who may watch what: allow lists and pay-per-second payment channels to streams.",
  storage,
  events,
  errors,
  constants: {
    AllowListDeposit: constant(
      t.balance,
      ALLOW_LIST_DEPOSIT,
      "What an allow-list entry reserves from the creator until it is revoked.",
    ),
    MaxAllowList: constant(t.u32, MAX_ALLOW_LIST, "Most allow-list entries one stream may have."),
    MaxLanes: constant(
      t.u32,
      MAX_LANES_PER_CHANNEL,
      "Most payees one channel pays (its lanes): the creator and the relays that may carry " +
        "the stream at once.",
    ),
  },
  // v1: `LaneCount` (see `migrations.ts`).
  storageVersion: 1,
  migrations: MIGRATIONS,
  calls: {
    openChannel: call({
      index: 0,
      args: { stream: streamIdType, deposit: t.compactBalance, expiry: t.blockNumber },
      weight: WEIGHTS.openChannel,
      docs: "Open a payment channel to a stream, reserving `deposit` until block `expiry`.",
      dispatch(ctx, origin, args) {
        const viewer = ensureSigned(origin);
        const info = streamOf(ctx.state, args.stream);
        if (info.status.tag === "Ended") throw errors.StreamEnded();
        if (args.expiry <= currentBlock(ctx.state)) throw errors.ExpiryInPast();
        if (args.deposit < storage.MinDeposit.get(ctx.state)) throw errors.DepositTooLow();
        if (storage.ChannelsByViewer.contains(ctx.state, viewer, args.stream)) {
          throw errors.ChannelExists();
        }
        reserve(ctx, viewer, args.deposit);
        incConsumers(ctx, viewer);
        const channel = storage.NextChannelId.get(ctx.state);
        storage.NextChannelId.set(ctx.state, channel + 1n);
        storage.Channels.set(ctx.state, channel, {
          viewer,
          stream: args.stream,
          deposit: args.deposit,
          claimed: 0n,
          expiry: args.expiry,
        });
        storage.ChannelsByViewer.set(ctx.state, viewer, args.stream, channel);
        storage.OpenChannels.mutate(ctx.state, args.stream, (n) => n + 1);
        ctx.deposit(events.ChannelOpened({
          channel,
          viewer,
          stream: args.stream,
          deposit: args.deposit,
          expiry: args.expiry,
        }));
      },
    }),
    claim: call({
      index: 1,
      args: {
        channel: channelIdType,
        cumulativeAmount: t.compactBalance,
        signature: multiSignatureType,
      },
      weight: (args) => CLAIM_WEIGHT[args.signature.type],
      docs: "Claim the increase of the viewer's newest voucher naming the signer as payee over " +
        "what the signer's lane claimed (the stream's creator, or a relay carrying it or, " +
        "after the end, one that carried it then).",
      dispatch(ctx, origin, args) {
        const payee = ensureSigned(origin);
        const channel = channelAt(ctx.state, args.channel);
        const info = streamOf(ctx.state, channel.stream);
        let relay: Uint8Array | undefined;
        if (!equalBytes(payee, info.creator)) {
          if (!isRelayPayee(ctx.state, channel.stream, payee)) throw errors.NotPayee();
          relay = payee;
        }
        if (currentBlock(ctx.state) > settleEnd(ctx.state, channel, info)) {
          throw errors.ChannelExpired();
        }
        const lane = laneClaimed(ctx.state, args.channel, payee);
        if (args.cumulativeAmount <= lane) throw errors.VoucherNotNewer();
        const amount = args.cumulativeAmount - lane;
        if (channel.claimed + amount > channel.deposit) throw errors.ExceedsDeposit();
        // A claimed lane holds more than 0: none yet means a new payee.
        const lanes = storage.LaneCount.get(ctx.state, args.channel);
        const newLane = lane === 0n;
        if (newLane && lanes >= MAX_LANES_PER_CHANNEL) throw errors.TooManyLanes();
        const genesisHash = voucherGenesisHash(ctx.state);
        const payload = genesisHash &&
          voucherPayload(genesisHash, args.channel, payee, args.cumulativeAmount);
        if (!payload || !verifyMulti(args.signature, payload, channel.viewer)) {
          throw errors.BadVoucherSignature();
        }
        storage.Lanes.set(ctx.state, args.channel, payee, args.cumulativeAmount);
        if (newLane) storage.LaneCount.set(ctx.state, args.channel, lanes + 1);
        const claimed = channel.claimed + amount;
        storage.Channels.set(ctx.state, args.channel, { ...channel, claimed });
        // Nothing left to protect: the account may be reaped again once paid out.
        if (claimed === channel.deposit) decConsumers(ctx, channel.viewer);
        const split = claimSplit(ctx.state, amount, relay, POT_ACCOUNT);
        payOut(ctx, channel.viewer, info.creator, split.creator);
        if (relay) payOut(ctx, channel.viewer, relay, split.relay);
        payOut(ctx, channel.viewer, POT_ACCOUNT, split.pot);
        ctx.deposit(events.Claimed({
          channel: args.channel,
          amount,
          creator: info.creator,
          creatorAmount: split.creator,
          relay,
          relayAmount: split.relay,
          potAmount: split.pot,
        }));
      },
    }),
    topUp: call({
      index: 2,
      args: {
        channel: channelIdType,
        amount: t.compactBalance,
        newExpiry: t.option(t.blockNumber),
      },
      weight: WEIGHTS.topUp,
      docs: "Add to a channel's deposit and/or move its expiry later (the viewer only).",
      dispatch(ctx, origin, args) {
        const viewer = ensureSigned(origin);
        const channel = ownChannel(ctx.state, args.channel, viewer);
        if (streamOf(ctx.state, channel.stream).status.tag === "Ended") throw errors.StreamEnded();
        let expiry = channel.expiry;
        if (args.newExpiry !== undefined) {
          if (args.newExpiry <= channel.expiry) throw errors.ExpiryNotExtended();
          if (args.newExpiry <= currentBlock(ctx.state)) throw errors.ExpiryInPast();
          expiry = args.newExpiry;
        }
        const deposit = checkedAdd(channel.deposit, args.amount);
        if (args.amount > 0n) {
          reserve(ctx, viewer, args.amount);
          // A fully claimed channel gave its consumer reference up; it holds funds again.
          if (channel.deposit === channel.claimed) incConsumers(ctx, viewer);
        }
        storage.Channels.set(ctx.state, args.channel, { ...channel, deposit, expiry });
        ctx.deposit(events.ChannelToppedUp({ channel: args.channel, deposit, expiry }));
      },
    }),
    close: call({
      index: 3,
      args: { channel: channelIdType },
      weight: WEIGHTS.close,
      docs: "Close a channel after its settle window, refunding the unclaimed deposit to the " +
        "viewer (the viewer only, or anyone once the stream has ended).",
      dispatch(ctx, origin, args) {
        const who = ensureSigned(origin);
        const channel = channelAt(ctx.state, args.channel);
        const info = streamOf(ctx.state, channel.stream);
        const viewer = channel.viewer;
        if (!equalBytes(viewer, who) && info.status.tag !== "Ended") throw errors.NotViewer();
        if (currentBlock(ctx.state) <= settleEnd(ctx.state, channel, info)) {
          throw errors.ChannelNotExpired();
        }
        const remainder = channel.deposit - channel.claimed;
        let refunded = 0n;
        if (remainder > 0n) {
          refunded = unreserve(ctx, viewer, remainder);
          decConsumers(ctx, viewer);
        }
        storage.Channels.remove(ctx.state, args.channel);
        storage.ChannelsByViewer.remove(ctx.state, viewer, channel.stream);
        storage.Lanes.clearPrefix(ctx.state, args.channel);
        storage.LaneCount.remove(ctx.state, args.channel);
        const open = storage.OpenChannels.get(ctx.state, channel.stream) - 1;
        if (open > 0) storage.OpenChannels.set(ctx.state, channel.stream, open);
        else storage.OpenChannels.remove(ctx.state, channel.stream);
        ctx.deposit(events.ChannelClosed({ channel: args.channel, refunded }));
      },
    }),
    grantAccess: call({
      index: 4,
      args: { stream: streamIdType, who: multiAddressType },
      weight: WEIGHTS.grantAccess,
      docs: "Let `who` watch a stream without paying (the creator only, reserving " +
        "`AllowListDeposit` until the entry is revoked).",
      dispatch(ctx, origin, args) {
        const creator = ensureSigned(origin);
        const info = ownStream(ctx.state, args.stream, creator);
        if (info.status.tag === "Ended") throw errors.StreamEnded();
        const who = lookup(args.who);
        if (storage.AllowList.contains(ctx.state, args.stream, who)) throw errors.AlreadyGranted();
        const entries = storage.AllowListCount.get(ctx.state, args.stream);
        if (entries >= MAX_ALLOW_LIST) throw errors.AllowListFull();
        reserve(ctx, creator, ALLOW_LIST_DEPOSIT);
        storage.AllowList.set(ctx.state, args.stream, who, ALLOW_LIST_DEPOSIT);
        storage.AllowListCount.set(ctx.state, args.stream, entries + 1);
        ctx.deposit(events.AccessGranted({ stream: args.stream, who }));
      },
    }),
    revokeAccess: call({
      index: 5,
      args: { stream: streamIdType, who: multiAddressType },
      weight: WEIGHTS.revokeAccess,
      docs: "Take `who` off a stream's allow list and get the entry's deposit back (the " +
        "creator only; also after the stream ended).",
      dispatch(ctx, origin, args) {
        const creator = ensureSigned(origin);
        ownStream(ctx.state, args.stream, creator);
        const who = lookup(args.who);
        const deposit = storage.AllowList.get(ctx.state, args.stream, who);
        if (deposit === undefined) throw errors.NotGranted();
        storage.AllowList.remove(ctx.state, args.stream, who);
        const entries = storage.AllowListCount.get(ctx.state, args.stream) - 1;
        if (entries > 0) storage.AllowListCount.set(ctx.state, args.stream, entries);
        else storage.AllowListCount.remove(ctx.state, args.stream);
        unreserve(ctx, creator, deposit);
        ctx.deposit(events.AccessRevoked({ stream: args.stream, who }));
      },
    }),
    removeStream: call({
      index: 6,
      args: { stream: streamIdType },
      weight: WEIGHTS.removeStream,
      docs: "Remove an ended stream with no open channel (anyone may): its allow list and its " +
        "record go, and every deposit they held returns to the creator.",
      dispatch(ctx, origin, args) {
        ensureSigned(origin);
        const info = streamOf(ctx.state, args.stream);
        if (info.status.tag !== "Ended") throw errors.StreamNotEnded();
        if (storage.OpenChannels.get(ctx.state, args.stream) > 0) throw errors.ChannelsOpen();
        // PERF: at most MAX_ALLOW_LIST entries (grantAccess refuses more).
        let entries = 0;
        let held = 0n;
        for (const [, deposit] of storage.AllowList.entriesOf(ctx.state, args.stream)) {
          entries++;
          held += deposit;
        }
        if (entries > 0) {
          storage.AllowList.clearPrefix(ctx.state, args.stream);
          storage.AllowListCount.remove(ctx.state, args.stream);
          const refunded = unreserve(ctx, info.creator, held);
          ctx.deposit(events.AllowListCleared({ stream: args.stream, entries, refunded }));
        }
        removeEndedStream(ctx, args.stream);
      },
    }),
  },
  genesis: genesisConfig({
    type: t.struct("AccessGenesis", {
      creatorSharePerbill: t.u32,
      relaySharePerbill: t.u32,
      settleWindow: t.blockNumber,
      graceSeconds: t.u32,
      minDeposit: t.balance,
      blockTimeMs: t.u32,
    }),
    default: DEFAULT_CONFIG,
    build(ctx, config) {
      validateConfig(config);
      storage.CreatorSharePerbill.set(ctx.state, config.creatorSharePerbill);
      storage.RelaySharePerbill.set(ctx.state, config.relaySharePerbill);
      storage.SettleWindow.set(ctx.state, config.settleWindow);
      storage.GraceSeconds.set(ctx.state, config.graceSeconds);
      storage.MinDeposit.set(ctx.state, config.minDeposit);
      storage.BlockTimeMs.set(ctx.state, config.blockTimeMs);
    },
  }),
});
