/**
 * The figures a viewer pays by, proven before the page signs a voucher:
 * the stream's price per second and the viewer's channel to it (its id,
 * deposit, claimed part and expiry). The light client reads them through a
 * read proof at its finalized block; the node is asked for the same keys
 * at that same block; a figure where the two differ is a lie of the node's,
 * and the page does not pay.
 *
 * Keys and records come from the pallets' own declarations, compiled into
 * the page, not from the node's metadata: a node cannot point the proof at
 * another key.
 *
 * @module
 */
import type { ProvenState } from "../../client/light/state.ts";
import type { RpcClient } from "../../client/rpc_client.ts";
import { accessStorage, type Channel } from "../../pallets/access/storage.ts";
import { streamsStorage } from "../../pallets/streams/mod.ts";
import { blockHash, type Header } from "../../runtime/block/header.ts";
import { fromHex, toHex, toHexRaw } from "../../runtime/primitives/hex.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";

/** What a viewer pays by, as read at one block. */
export interface PaymentFigures {
  /** The stream's price per second; `undefined` when there is no such stream. */
  price?: bigint;
  /** The viewer's channel to the stream, if one is open. */
  channelId?: bigint;
  /** That channel's record. */
  channel?: Channel;
}

/** Figures proven at block {@link at}. */
export interface ProvenPayment extends PaymentFigures {
  /** The block they were proven at. */
  at: number;
}

/** The node said one thing and the chain proves another: the page does not pay. */
export class NodeLied extends Error {
  override name = "NodeLied";
  /** Builds it from what differs, at which block. */
  constructor(readonly difference: string, readonly at: number) {
    super(`Not paying: ${difference} at #${at}`);
  }
}

/** What {@link verifyPayment} reads with. */
export interface VerifyInit {
  /** Reads with the light client to itself at its finalized block (`PageLight.readAt`). */
  readAt<T>(
    read: (header: Header, prove: (keys: Uint8Array[]) => Promise<ProvenState>) => Promise<T>,
  ): Promise<T>;
  /** The node's RPC, whose answers are checked. */
  rpc: RpcClient;
  /** An amount in words: `0.001 UNIT`. */
  amount(planck: bigint): string;
}

/**
 * The price of `stream` and `viewer`'s channel to it, proven at the light
 * client's finalized block and checked against the node's answers there.
 *
 * @throws {NodeLied} naming the first figure the node gave that the chain does not prove
 * @throws {NoHonestAnswer} when no full node answered with a proof that holds
 */
export function verifyPayment(
  init: VerifyInit,
  stream: bigint,
  viewer: Uint8Array,
): Promise<ProvenPayment> {
  return init.readAt(async (header, prove) => {
    const keys = [
      streamsStorage.Streams.keyOf(stream),
      accessStorage.ChannelsByViewer.keyOf(viewer, stream),
    ];
    // The channel's key follows from its proven id: a second proof, at the same block.
    const id = accessStorage.ChannelsByViewer.get(await prove(keys), viewer, stream);
    if (id !== undefined) keys.push(accessStorage.Channels.keyOf(id));
    const proven = figuresIn(await prove(keys), stream, viewer);
    const answers = await nodeAnswers(init.rpc, keys, header);
    let difference: string | undefined;
    try {
      difference = differenceOf(figuresIn(answers, stream, viewer), proven, init.amount);
    } catch (e) {
      difference = `the node's answer is no record: ${(e as Error).message}`;
    }
    if (difference) throw new NodeLied(difference, header.number);
    return { ...proven, at: header.number };
  });
}

/** The figures `state` holds. */
export function figuresIn(state: StateReader, stream: bigint, viewer: Uint8Array): PaymentFigures {
  const channelId = accessStorage.ChannelsByViewer.get(state, viewer, stream);
  return {
    price: streamsStorage.Streams.get(state, stream)?.pricePerSecond,
    channelId,
    channel: channelId === undefined ? undefined : accessStorage.Channels.get(state, channelId),
  };
}

/**
 * The first figure where what the node `said` is not what is `proven`, in
 * words; `undefined` when they agree.
 *
 * @example
 * ```ts
 * import { differenceOf } from "./verify_payment.ts";
 * const amount = (planck: bigint) => `${planck} planck`;
 * console.assert(differenceOf({ price: 2n }, { price: 1n }, amount) ===
 *   "the node says the price is 2 planck per second; the chain proves 1 planck");
 * console.assert(differenceOf({ price: 1n }, { price: 1n }, amount) === undefined);
 * ```
 */
export function differenceOf(
  said: PaymentFigures,
  proven: PaymentFigures,
  amount: (planck: bigint) => string,
): string | undefined {
  const price = (p?: bigint) =>
    p === undefined ? "none (no such stream)" : `${amount(p)} per second`;
  if (said.price !== proven.price) {
    return `the node says the price is ${price(said.price)}; the chain proves ${
      price(proven.price)
    }`;
  }
  const id = (c?: bigint) => c === undefined ? "none" : `#${c}`;
  if (said.channelId !== proven.channelId) {
    return `the node says your channel is ${id(said.channelId)}; the chain proves ${
      id(proven.channelId)
    }`;
  }
  const figures: [string, (c: Channel) => string][] = [
    ["viewer", (c) => toHex(c.viewer)],
    ["stream", (c) => `#${c.stream}`],
    ["deposit", (c) => amount(c.deposit)],
    ["claimed part", (c) => amount(c.claimed)],
    ["expiry", (c) => `block #${c.expiry}`],
  ];
  for (const [name, show] of figures) {
    const [s, p] = [said.channel, proven.channel].map((c) => c ? show(c) : "none");
    if (s !== p) return `the node says your channel's ${name} is ${s}; the chain proves ${p}`;
  }
  return undefined;
}

/** The node's values of `keys` at `header`, as a state to read figures from. */
async function nodeAnswers(
  rpc: RpcClient,
  keys: Uint8Array[],
  header: Header,
): Promise<StateReader> {
  const at = toHex(blockHash(header));
  const values = await Promise.all(
    keys.map((key) => rpc.call<string | null>("state_getStorage", [toHex(key), at])),
  );
  const said = new Map(keys.map((key, i) => [toHexRaw(key), values[i]]));
  return {
    // A key the node was not asked for (another channel than the proven one) reads as absent.
    get: (key) => {
      const value = said.get(toHexRaw(key));
      return value ? fromHex(value) : undefined;
    },
    entries: () => [],
  };
}
