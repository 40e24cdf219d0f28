/**
 * The best and finalized heads, followed once over the RPC's subscriptions
 * and shared by every view. The subscriptions are opened again when the
 * RPC client reconnects, so the views move on once the node is back.
 *
 * @module
 */
import { blockHash, digestItemType } from "../../runtime/block/header.ts";
import { decode } from "../../runtime/codec/types.ts";
import { fromHex, toHex } from "../../runtime/primitives/hex.ts";
import type { Chain, HeaderJson } from "./chain.ts";

/** A head: its number and hash. */
export interface Head {
  number: number;
  hash: string;
  header: HeaderJson;
}

type Listener = (head: Head) => void;

/** The hash of a header as the RPC sends it: blake2-256 of its SCALE encoding. */
export function headOf(header: HeaderJson): Head {
  const number = parseInt(header.number, 16);
  const hash = blockHash({
    parentHash: fromHex(header.parentHash),
    number,
    stateRoot: fromHex(header.stateRoot),
    extrinsicsRoot: fromHex(header.extrinsicsRoot),
    digest: header.digest.logs.map((log) => decode(digestItemType, fromHex(log), "digest item")),
  });
  return { number, hash: toHex(hash), header };
}

/** The chain's heads as they come. */
export class Heads {
  best: Head | undefined;
  finalized: Head | undefined;
  readonly #best: Listener[] = [];
  readonly #finalized: Listener[] = [];

  /** Subscribes to new and finalized heads of `chain`. */
  static async follow(chain: Chain): Promise<Heads> {
    const heads = new Heads();
    const again = { resubscribe: true };
    await chain.rpc.subscribe("chain_subscribeNewHeads", [], (header) => {
      heads.best = headOf(header as HeaderJson);
      for (const listener of heads.#best) listener(heads.best);
    }, again);
    await chain.rpc.subscribe("chain_subscribeFinalizedHeads", [], (header) => {
      heads.finalized = headOf(header as HeaderJson);
      for (const listener of heads.#finalized) listener(heads.finalized);
    }, again);
    return heads;
  }

  /** Calls `listener` on every new best head (and now, with the current one). */
  onBest(listener: Listener): void {
    this.#best.push(listener);
    if (this.best) listener(this.best);
  }

  /** Calls `listener` on every newly finalized head (and now, with the current one). */
  onFinalized(listener: Listener): void {
    this.#finalized.push(listener);
    if (this.finalized) listener(this.finalized);
  }
}
