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
 * The stream record outlives its end: the access pallet still needs its
 * creator and price to settle payment channels opened while it ran.
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
import { defineErrors } from "../../runtime/pallet/errors.ts";
import { defineEvents } from "../../runtime/pallet/events.ts";
import { ensureSigned } from "../../runtime/pallet/origin.ts";
import { call, constant, definePallet, type DispatchContext } from "../../runtime/pallet/pallet.ts";
import { equalBytes, utf8 } from "../../runtime/primitives/bytes.ts";
import { declareStorage, doubleMap, map, value } from "../../runtime/storage/items.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { isRegisteredRelay } from "../qos-rewards/relays.ts";
import { systemStorage } from "../system/mod.ts";
import { WEIGHTS } from "./weights.ts";

/** Longest title, in bytes of UTF-8. */
export const MAX_TITLE_BYTES = 128;
/** Longest metadata, in bytes. */
export const MAX_META_BYTES = 1024;
/** Most streams a creator may hold that have not ended. */
export const MAX_OPEN_STREAMS_PER_CREATOR = 100;
/** Most relays that may carry one stream (what `endStream` is weighed for). */
export const MAX_RELAYS_PER_STREAM = 64;
/** Most streams one relay may carry at once (what leaving the registry is weighed for). */
export const MAX_STREAMS_PER_RELAY = 64;

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
    docs: "Every stream ever created, by id; ended streams stay so that channels can settle.",
  }),
  StreamsByCreator: doubleMap({
    hashers: ["Blake2_128Concat", "Twox64Concat"],
    keys: [t.accountId, streamIdType],
    value: t.unit,
    docs: "The streams of each creator (ended ones included).",
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
});

const events = defineEvents("Streams", {
  StreamCreated: {
    fields: { id: streamIdType, creator: t.accountId, pricePerSecond: t.balance },
    docs: "A stream was registered.",
  },
  StreamUpdated: { fields: { id: streamIdType }, docs: "A stream's title, price or meta changed." },
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
});

const errors = defineErrors("Streams", {
  StreamNotFound: "No stream has this id.",
  NotCreator: "Only the stream's creator may do this.",
  TitleTooLong: "The title is longer than 128 bytes of UTF-8.",
  EmptyTitle: "The title is empty.",
  MetaTooLong: "The metadata is longer than 1024 bytes.",
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

/** The ids of every stream `creator` created (ended ones included), ascending. */
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

function checkTitle(title: string): void {
  const length = utf8(title).length;
  if (length === 0) throw errors.EmptyTitle();
  if (length > MAX_TITLE_BYTES) throw errors.TitleTooLong();
}

function checkMeta(meta: Uint8Array): void {
  if (meta.length > MAX_META_BYTES) throw errors.MetaTooLong();
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
  for (const [relay] of [...storage.StreamRelays.entriesOf(ctx.state, id)]) {
    storage.RelayStreams.remove(ctx.state, relay, id);
  }
  storage.StreamRelays.clearPrefix(ctx.state, id);
  storage.Streams.set(ctx.state, id, { ...info, status: { tag: "Ended" } });
  const open = storage.OpenStreamCount.get(ctx.state, info.creator) - 1;
  if (open > 0) storage.OpenStreamCount.set(ctx.state, info.creator, open);
  else storage.OpenStreamCount.remove(ctx.state, info.creator);
  ctx.deposit(events.StreamEnded({ id }));
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
  },
  calls: {
    createStream: call({
      index: 0,
      args: { title: t.str, pricePerSecond: t.compactBalance, meta: t.bytes },
      weight: (args) => WEIGHTS.createStream(utf8(args.title).length, args.meta.length),
      docs: "Register a stream owned by the origin; it starts `Created`, not yet live.",
      dispatch(ctx, origin, args) {
        const creator = ensureSigned(origin);
        checkTitle(args.title);
        checkMeta(args.meta);
        const open = storage.OpenStreamCount.get(ctx.state, creator);
        if (open >= MAX_OPEN_STREAMS_PER_CREATOR) throw errors.TooManyStreams();
        const id = storage.NextStreamId.get(ctx.state);
        storage.NextStreamId.set(ctx.state, id + 1n);
        storage.Streams.set(ctx.state, id, {
          creator,
          title: args.title,
          pricePerSecond: args.pricePerSecond,
          meta: args.meta,
          status: { tag: "Created" },
          createdAt: systemStorage.Number.get(ctx.state),
        });
        storage.StreamsByCreator.set(ctx.state, creator, id, null);
        storage.OpenStreamCount.set(ctx.state, creator, open + 1);
        ctx.deposit(events.StreamCreated({ id, creator, pricePerSecond: args.pricePerSecond }));
      },
    }),
    updateStream: call({
      index: 1,
      args: {
        id: streamIdType,
        title: t.option(t.str),
        pricePerSecond: t.option(t.compactBalance),
        meta: t.option(t.bytes),
      },
      weight: (args) => WEIGHTS.updateStream(utf8(args.title ?? "").length, args.meta?.length ?? 0),
      docs: "Change a stream's title, price or meta (creator only; what is `None` is kept).",
      dispatch(ctx, origin, args) {
        const info = ownOpen(ctx.state, args.id, ensureSigned(origin));
        if (args.title !== undefined) checkTitle(args.title);
        if (args.meta !== undefined) checkMeta(args.meta);
        storage.Streams.set(ctx.state, args.id, {
          ...info,
          title: args.title ?? info.title,
          pricePerSecond: args.pricePerSecond ?? info.pricePerSecond,
          meta: args.meta ?? info.meta,
        });
        ctx.deposit(events.StreamUpdated({ id: args.id }));
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
