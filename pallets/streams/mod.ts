/**
 * # Streams
 *
 * The on-chain directory of live streams: who publishes what, at which price
 * per second, and which relays carry it.
 *
 * ## Overview
 *
 * A creator registers a stream with `createStream` (title,
 * price per second, free-form codec metadata) and gets a `StreamId`. The
 * stream goes `Created → Live → Ended`: `goLive` lists it in `LiveStreams`,
 * `endStream` removes it from there for good. While it is live, registered
 * relays (see `pallets/qos-rewards/relays.ts`) announce that they carry it,
 * which makes them payees of the access pallet's payment channels and lets
 * viewers find a node to watch from; `withdrawRelay` undoes that, ending
 * the stream clears every carrying relay at once, and a relay that leaves
 * the registry stops carrying every stream ({@link withdrawEverywhere}), so
 * it is no payee any more.
 *
 * ## Deposits and removal
 *
 * A stream record is state its creator pays for, as in Substrate's
 * pallet-identity: `createStream` reserves a deposit of
 * {@link STREAM_DEPOSIT_BASE} (1 STREAM) plus {@link STREAM_DEPOSIT_PER_BYTE}
 * (0.001 STREAM) per byte of title and metadata, so between 1.001 STREAM
 * (a one-byte title, no metadata) and 2.152 STREAM (128 + 1024 bytes).
 * `updateStream` re-prices the record for its new size: it reserves the
 * difference when it grows (or fails, changing nothing) and returns it when it
 * shrinks. The record holds exactly what is reserved (`deposit`), and that is
 * what comes back when the record goes.
 *
 * The record outlives its end: the access pallet still needs its creator and
 * price to settle the payment channels opened while it ran, and
 * `endStream` keeps the relays that carried it at the end in `EndedRelays`,
 * so that they can still claim the vouchers of the service they gave (while
 * they stay registered relays). Once no channel to it is open any more, anyone
 * may remove it with `Access.removeStream` (the access pallet, which sits
 * above this one and sees the channels and allow lists, holds the call; it
 * ends in {@link removeEndedStream}): the record, its `EndedRelays` and the
 * creator's index entry go, and the deposit returns to the creator.
 *
 * ## Bounds
 *
 * A title is 1 to 128 bytes of UTF-8, the metadata at most 1024 bytes, and a
 * creator holds at most {@link MAX_OPEN_STREAMS_PER_CREATOR} streams that have
 * not ended (ended ones do not count, so a creator who streams daily is never
 * locked out). A stream has at most {@link MAX_RELAYS_PER_STREAM} carrying
 * relays, and a relay carries at most {@link MAX_STREAMS_PER_RELAY} streams.
 *
 * @module
 */
import { t, type ValueOf } from "../../runtime/codec/types.ts";
import { defineErrors, DispatchError } from "../../runtime/pallet/errors.ts";
import { defineEvents } from "../../runtime/pallet/events.ts";
import { ensureSigned } from "../../runtime/pallet/origin.ts";
import { call, constant, definePallet, type DispatchContext } from "../../runtime/pallet/pallet.ts";
import { equalBytes, utf8 } from "../../runtime/primitives/bytes.ts";
import { declareStorage, doubleMap, map, value } from "../../runtime/storage/items.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { reserve, unreserve } from "../balances/mod.ts";
import { isRegisteredRelay } from "../qos-rewards/relays.ts";
import { systemStorage } from "../system/mod.ts";
import { WEIGHTS } from "./weights.ts";

/** Longest title, in bytes of UTF-8. */
export const MAX_TITLE_BYTES = 128;
/** Longest metadata, in bytes. */
export const MAX_META_BYTES = 1024;

/** A title as calls take it: UTF-8 of at most {@link MAX_TITLE_BYTES}, refused longer at decoding. */
const titleType = t.boundedStr(MAX_TITLE_BYTES);
/** Metadata as calls take it: at most {@link MAX_META_BYTES}, refused longer at decoding. */
const metaType = t.boundedBytes(MAX_META_BYTES);
/** Most streams a creator may hold that have not ended. */
export const MAX_OPEN_STREAMS_PER_CREATOR = 100;
/** Most relays that may carry one stream (what `endStream` is weighed for). */
export const MAX_RELAYS_PER_STREAM = 64;
/** Most streams one relay may carry at once (what leaving the registry is weighed for). */
export const MAX_STREAMS_PER_RELAY = 64;

/** What every stream record reserves from its creator: 1 STREAM (a STREAM is 10¹² planck). */
export const STREAM_DEPOSIT_BASE = 1_000_000_000_000n;
/** What each byte of title and metadata adds to the deposit: 0.001 STREAM. */
export const STREAM_DEPOSIT_PER_BYTE = 1_000_000_000n;

/**
 * The deposit a stream record with a title of `titleBytes` (UTF-8) and
 * `metaBytes` of metadata reserves.
 *
 * @example
 * ```ts
 * import { streamDeposit } from "./mod.ts";
 * // 1 STREAM + 16 bytes × 0.001 STREAM
 * if (streamDeposit(12, 4) !== 1_016_000_000_000n) throw new Error("deposit");
 * ```
 */
export function streamDeposit(titleBytes: number, metaBytes: number): bigint {
  return STREAM_DEPOSIT_BASE + STREAM_DEPOSIT_PER_BYTE * BigInt(titleBytes + metaBytes);
}

/** A stream's identifier, assigned in sequence from `NextStreamId`. */
export const streamIdType = t.named(t.u64, "StreamId");

/** A stream's id. */
export type StreamId = bigint;

/** Where a stream is in its life. */
export const streamStatusType = t.enum("StreamStatus", {
  Created: null,
  Live: null,
  Ended: null,
});

/** A stream's status. */
export type StreamStatus = ValueOf<typeof streamStatusType>;

/** A registered stream. */
export const streamInfoType = t.struct("StreamInfo", {
  creator: t.accountId,
  title: t.str,
  pricePerSecond: t.balance,
  /** Codec and other metadata, opaque to the chain (JSON by convention). */
  meta: t.bytes,
  status: streamStatusType,
  createdAt: t.blockNumber,
  /** What the record reserves from the creator (see {@link streamDeposit}). */
  deposit: t.balance,
  /** The block it ended in, once it has. */
  endedAt: t.option(t.blockNumber),
});

/** A stream's record. */
export type StreamInfo = ValueOf<typeof streamInfoType>;

const storage = declareStorage("Streams", {
  NextStreamId: value({
    type: streamIdType,
    default: 0n,
    docs: "The id the next created stream gets.",
  }),
  Streams: map({
    hasher: "Twox64Concat",
    key: streamIdType,
    value: streamInfoType,
    docs: "Every stream not yet removed, by id; ended streams stay until their channels " +
      "have closed and someone removes them (`Access.removeStream`).",
  }),
  StreamsByCreator: doubleMap({
    hashers: ["Blake2_128Concat", "Twox64Concat"],
    keys: [t.accountId, streamIdType],
    value: t.unit,
    docs: "The streams of each creator (ended ones included, until removed).",
  }),
  OpenStreamCount: map({
    hasher: "Blake2_128Concat",
    key: t.accountId,
    value: t.u32,
    default: 0,
    docs: "How many of a creator's streams have not ended (bounded by `MaxOpenStreams`).",
  }),
  LiveStreams: map({
    hasher: "Twox64Concat",
    key: streamIdType,
    value: t.blockNumber,
    docs: "The streams that are live now, with the block they went live in.",
  }),
  StreamRelays: doubleMap({
    hashers: ["Twox64Concat", "Blake2_128Concat"],
    keys: [streamIdType, t.accountId],
    value: t.blockNumber,
    docs: "The relays carrying each live stream, with the block they announced it in.",
  }),
  RelayStreams: doubleMap({
    hashers: ["Blake2_128Concat", "Twox64Concat"],
    keys: [t.accountId, streamIdType],
    value: t.unit,
    docs: "The streams each relay carries (the reverse of `StreamRelays`).",
  }),
  EndedRelays: doubleMap({
    hashers: ["Twox64Concat", "Blake2_128Concat"],
    keys: [streamIdType, t.accountId],
    value: t.blockNumber,
    docs: "The relays that carried each ended stream when it ended, with the block they " +
      "announced it in: payees of its channels (while registered) until it is removed.",
  }),
});

const events = defineEvents("Streams", {
  StreamCreated: {
    fields: {
      id: streamIdType,
      creator: t.accountId,
      pricePerSecond: t.balance,
      deposit: t.balance,
    },
    docs: "A stream was registered, reserving `deposit` from its creator.",
  },
  StreamUpdated: {
    fields: { id: streamIdType, deposit: t.balance },
    docs: "A stream's title, price or meta changed; `deposit` is what it reserves now.",
  },
  StreamLive: { fields: { id: streamIdType }, docs: "A stream went live." },
  StreamEnded: {
    fields: { id: streamIdType },
    docs: "A stream ended; it left the live directory and its relays were cleared.",
  },
  RelayAnnounced: {
    fields: { id: streamIdType, relay: t.accountId },
    docs: "A relay announced that it carries a live stream.",
  },
  RelayWithdrawn: {
    fields: { id: streamIdType, relay: t.accountId },
    docs: "A relay stopped carrying a stream.",
  },
  StreamRemoved: {
    fields: { id: streamIdType, creator: t.accountId, deposit: t.balance },
    docs: "An ended stream's record was removed and `deposit` returned to its creator.",
  },
});

const errors = defineErrors("Streams", {
  StreamNotFound: "No stream has this id.",
  NotCreator: "Only the stream's creator may do this.",
  EmptyTitle: "The title is empty.",
  StreamEnded: "The stream has ended; it cannot change any more.",
  AlreadyLive: "The stream is live already.",
  NotLive: "The stream is not live.",
  NotRelay: "The origin is not a registered relay.",
  AlreadyCarrying: "The relay already carries this stream.",
  NotCarrying: "The relay does not carry this stream.",
  TooManyRelays: "The stream already has 64 carrying relays.",
  RelayAtCapacity: "The relay already carries 64 streams.",
  TooManyStreams: "The creator already holds 100 streams that have not ended.",
});

/** The stream `id`, if it exists. */
export function getStream(state: StateReader, id: StreamId): StreamInfo | undefined {
  return storage.Streams.get(state, id);
}

/** A live stream as the directory lists it. */
export interface LiveStream {
  id: StreamId;
  startedAt: number;
  info: StreamInfo;
}

/** Every live stream, by ascending id. */
export function liveStreams(state: StateReader): LiveStream[] {
  const out: LiveStream[] = [];
  for (const [id, startedAt] of storage.LiveStreams.entries(state)) {
    const info = storage.Streams.get(state, id);
    if (info) out.push({ id, startedAt, info });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The ids of `creator`'s streams not yet removed (ended ones included), ascending. */
export function streamsOf(state: StateReader, creator: Uint8Array): StreamId[] {
  const ids = [...storage.StreamsByCreator.entriesOf(state, creator)].map(([id]) => id);
  return ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The relays carrying stream `id`, with the block each announced it in (in storage order). */
export function relaysOf(state: StateReader, id: StreamId): { relay: Uint8Array; since: number }[] {
  return [...storage.StreamRelays.entriesOf(state, id)].map(([relay, since]) => ({ relay, since }));
}

/** Whether `relay` currently carries stream `id`. */
export function isCarrying(state: StateReader, id: StreamId, relay: Uint8Array): boolean {
  return storage.StreamRelays.contains(state, id, relay);
}

/**
 * Whether `relay` may claim vouchers of stream `id` as a relay: it carries
 * the live stream, or it carried the stream when it ended and is still a
 * registered relay (its deposit still at stake).
 */
export function isRelayPayee(state: StateReader, id: StreamId, relay: Uint8Array): boolean {
  return isCarrying(state, id, relay) ||
    (storage.EndedRelays.contains(state, id, relay) && isRegisteredRelay(state, relay));
}

/** The stream, or `StreamNotFound`. */
function existing(state: StateReader, id: StreamId): StreamInfo {
  const info = storage.Streams.get(state, id);
  if (!info) throw errors.StreamNotFound();
  return info;
}

/** The stream, checked to be `who`'s and not ended. */
function ownOpen(state: StateReader, id: StreamId, who: Uint8Array): StreamInfo {
  const info = existing(state, id);
  if (!equalBytes(info.creator, who)) throw errors.NotCreator();
  if (info.status.tag === "Ended") throw errors.StreamEnded();
  return info;
}

// Titles and metadata longer than their bounds never decode (`titleType`, `metaType`).
function checkTitle(title: string): void {
  if (title.length === 0) throw errors.EmptyTitle();
}

/**
 * `relay` stops carrying every stream it carries (it left the relay
 * registry): it is no payee of their channels any more.
 */
export function withdrawEverywhere(ctx: DispatchContext, relay: Uint8Array): void {
  for (const [id] of [...storage.RelayStreams.entriesOf(ctx.state, relay)]) {
    storage.StreamRelays.remove(ctx.state, id, relay);
    ctx.deposit(events.RelayWithdrawn({ id, relay }));
  }
  storage.RelayStreams.clearPrefix(ctx.state, relay);
}

/** How many entries `entries` has, counting no further than `limit`. */
function countUpTo(entries: Iterable<unknown>, limit: number): number {
  let n = 0;
  for (const _ of entries) if (++n >= limit) break;
  return n;
}

function endStream(ctx: DispatchContext, id: StreamId, info: StreamInfo): void {
  storage.LiveStreams.remove(ctx.state, id);
  // The carriers stop carrying (their capacity frees) but stay payees of the
  // service they gave until the stream is removed.
  for (const [relay, since] of [...storage.StreamRelays.entriesOf(ctx.state, id)]) {
    storage.RelayStreams.remove(ctx.state, relay, id);
    storage.EndedRelays.set(ctx.state, id, relay, since);
  }
  storage.StreamRelays.clearPrefix(ctx.state, id);
  const endedAt = systemStorage.Number.get(ctx.state);
  storage.Streams.set(ctx.state, id, { ...info, status: { tag: "Ended" }, endedAt });
  const open = storage.OpenStreamCount.get(ctx.state, info.creator) - 1;
  if (open > 0) storage.OpenStreamCount.set(ctx.state, info.creator, open);
  else storage.OpenStreamCount.remove(ctx.state, info.creator);
  ctx.deposit(events.StreamEnded({ id }));
}

/**
 * Removes the ended stream `id`: its record, its creator's index entry and
 * its `EndedRelays`, and returns the record's deposit to the creator. The
 * caller (`Access.removeStream`) checks that the stream ended (with its own
 * error, `StreamNotEnded`) and that nothing still needs the record. Returns
 * the removed record and what was unreserved. Work: bounded by
 * {@link MAX_RELAYS_PER_STREAM} deletions.
 */
export function removeEndedStream(
  ctx: DispatchContext,
  id: StreamId,
): { info: StreamInfo; refunded: bigint } {
  const info = existing(ctx.state, id);
  // Defensive: no caller gets here with a stream that has not ended.
  if (info.status.tag !== "Ended") throw new DispatchError("Other", "the stream has not ended");
  storage.Streams.remove(ctx.state, id);
  storage.StreamsByCreator.remove(ctx.state, info.creator, id);
  storage.EndedRelays.clearPrefix(ctx.state, id);
  const refunded = unreserve(ctx, info.creator, info.deposit);
  ctx.deposit(events.StreamRemoved({ id, creator: info.creator, deposit: refunded }));
  return { info, refunded };
}

/** The streams pallet. */
export const streams = definePallet({
  name: "Streams",
  docs: "A directory of streams: register, update, go live, end, and the relays that carry them.",
  storage,
  events,
  errors,
  constants: {
    MaxTitleBytes: constant(t.u32, MAX_TITLE_BYTES, "Longest title, in bytes of UTF-8."),
    MaxMetaBytes: constant(t.u32, MAX_META_BYTES, "Longest metadata, in bytes."),
    MaxOpenStreams: constant(
      t.u32,
      MAX_OPEN_STREAMS_PER_CREATOR,
      "Most streams a creator may hold that have not ended.",
    ),
    MaxRelaysPerStream: constant(t.u32, MAX_RELAYS_PER_STREAM, "Most relays carrying a stream."),
    MaxStreamsPerRelay: constant(t.u32, MAX_STREAMS_PER_RELAY, "Most streams a relay carries."),
    StreamDepositBase: constant(
      t.balance,
      STREAM_DEPOSIT_BASE,
      "What every stream record reserves from its creator.",
    ),
    StreamDepositPerByte: constant(
      t.balance,
      STREAM_DEPOSIT_PER_BYTE,
      "What each byte of a stream's title and metadata adds to its deposit.",
    ),
  },
  calls: {
    createStream: call({
      index: 0,
      args: { title: titleType, pricePerSecond: t.compactBalance, meta: metaType },
      weight: (args) => WEIGHTS.createStream(utf8(args.title).length, args.meta.length),
      docs: "Register a stream owned by the origin, reserving its deposit (`StreamDepositBase` " +
        "plus `StreamDepositPerByte` per byte of title and meta); it starts `Created`, not yet live.",
      dispatch(ctx, origin, args) {
        const creator = ensureSigned(origin);
        checkTitle(args.title);
        const open = storage.OpenStreamCount.get(ctx.state, creator);
        if (open >= MAX_OPEN_STREAMS_PER_CREATOR) throw errors.TooManyStreams();
        const deposit = streamDeposit(utf8(args.title).length, args.meta.length);
        reserve(ctx, creator, deposit);
        const id = storage.NextStreamId.get(ctx.state);
        storage.NextStreamId.set(ctx.state, id + 1n);
        storage.Streams.set(ctx.state, id, {
          creator,
          title: args.title,
          pricePerSecond: args.pricePerSecond,
          meta: args.meta,
          status: { tag: "Created" },
          createdAt: systemStorage.Number.get(ctx.state),
          deposit,
          endedAt: undefined,
        });
        storage.StreamsByCreator.set(ctx.state, creator, id, null);
        storage.OpenStreamCount.set(ctx.state, creator, open + 1);
        ctx.deposit(
          events.StreamCreated({ id, creator, pricePerSecond: args.pricePerSecond, deposit }),
        );
      },
    }),
    updateStream: call({
      index: 1,
      args: {
        id: streamIdType,
        title: t.option(titleType),
        pricePerSecond: t.option(t.compactBalance),
        meta: t.option(metaType),
      },
      weight: (args) => WEIGHTS.updateStream(utf8(args.title ?? "").length, args.meta?.length ?? 0),
      docs: "Change a stream's title, price or meta (creator only; what is `None` is kept). " +
        "The deposit follows the new size: the difference is reserved or returned.",
      dispatch(ctx, origin, args) {
        const creator = ensureSigned(origin);
        const info = ownOpen(ctx.state, args.id, creator);
        if (args.title !== undefined) checkTitle(args.title);
        const title = args.title ?? info.title;
        const meta = args.meta ?? info.meta;
        const deposit = streamDeposit(utf8(title).length, meta.length);
        if (deposit > info.deposit) reserve(ctx, creator, deposit - info.deposit);
        else if (deposit < info.deposit) unreserve(ctx, creator, info.deposit - deposit);
        storage.Streams.set(ctx.state, args.id, {
          ...info,
          title,
          pricePerSecond: args.pricePerSecond ?? info.pricePerSecond,
          meta,
          deposit,
        });
        ctx.deposit(events.StreamUpdated({ id: args.id, deposit }));
      },
    }),
    goLive: call({
      index: 2,
      args: { id: streamIdType },
      weight: WEIGHTS.goLive,
      docs: "Put a stream in the live directory (creator only).",
      dispatch(ctx, origin, args) {
        const info = ownOpen(ctx.state, args.id, ensureSigned(origin));
        if (info.status.tag === "Live") throw errors.AlreadyLive();
        storage.Streams.set(ctx.state, args.id, { ...info, status: { tag: "Live" } });
        storage.LiveStreams.set(ctx.state, args.id, systemStorage.Number.get(ctx.state));
        ctx.deposit(events.StreamLive({ id: args.id }));
      },
    }),
    endStream: call({
      index: 3,
      args: { id: streamIdType },
      weight: WEIGHTS.endStream,
      docs:
        "End a stream for good (creator only): it leaves the live directory and its relays are cleared.",
      dispatch(ctx, origin, args) {
        endStream(ctx, args.id, ownOpen(ctx.state, args.id, ensureSigned(origin)));
      },
    }),
    announceRelay: call({
      index: 4,
      args: { id: streamIdType },
      weight: WEIGHTS.announceRelay,
      docs: "Announce that the origin, a registered relay, carries a live stream.",
      dispatch(ctx, origin, args) {
        const relay = ensureSigned(origin);
        if (!isRegisteredRelay(ctx.state, relay)) throw errors.NotRelay();
        const info = existing(ctx.state, args.id);
        if (info.status.tag === "Ended") throw errors.StreamEnded();
        if (info.status.tag !== "Live") throw errors.NotLive();
        if (isCarrying(ctx.state, args.id, relay)) throw errors.AlreadyCarrying();
        const carriers = storage.StreamRelays.entriesOf(ctx.state, args.id);
        if (countUpTo(carriers, MAX_RELAYS_PER_STREAM) >= MAX_RELAYS_PER_STREAM) {
          throw errors.TooManyRelays();
        }
        const carried = storage.RelayStreams.entriesOf(ctx.state, relay);
        if (countUpTo(carried, MAX_STREAMS_PER_RELAY) >= MAX_STREAMS_PER_RELAY) {
          throw errors.RelayAtCapacity();
        }
        storage.StreamRelays.set(ctx.state, args.id, relay, systemStorage.Number.get(ctx.state));
        storage.RelayStreams.set(ctx.state, relay, args.id, null);
        ctx.deposit(events.RelayAnnounced({ id: args.id, relay }));
      },
    }),
    withdrawRelay: call({
      index: 5,
      args: { id: streamIdType },
      weight: WEIGHTS.withdrawRelay,
      docs: "Stop carrying a stream (the relay that announced it).",
      dispatch(ctx, origin, args) {
        const relay = ensureSigned(origin);
        existing(ctx.state, args.id);
        if (!isCarrying(ctx.state, args.id, relay)) throw errors.NotCarrying();
        storage.StreamRelays.remove(ctx.state, args.id, relay);
        storage.RelayStreams.remove(ctx.state, relay, args.id);
        ctx.deposit(events.RelayWithdrawn({ id: args.id, relay }));
      },
    }),
  },
});

export { errors as streamsErrors, events as streamsEvents, storage as streamsStorage };
