/**
 * The CLI's client commands: they talk to a node's RPC, encode from the
 * node's metadata, sign locally, and wait for a transaction's fate.
 *
 * @module
 */
import { accountOf, type SigningKey, ss58Encode } from "../../runtime/crypto/mod.ts";
import type { RuntimeMetadata } from "../../runtime/executive/metadata.ts";
import { extrinsicHash, signExtrinsic } from "../../runtime/extrinsic/extrinsic.ts";
import { fromHex, toHex } from "../../runtime/primitives/hex.ts";
import {
  decodeEventsWith,
  encodeCallFromJson,
  moduleErrorOf,
  storageKeyFromJson,
  storageKeyPrefixFromJson,
  storageKeysToJson,
  storageValueToJson,
} from "../../client/metadata.ts";
import { eraFromNode } from "../../client/signing_era.ts";
import { RpcClient } from "../../client/rpc_client.ts";
import { type Token, tokenOf } from "../../client/units.ts";

const PAGE = 1000;

/**
 * How long a transaction's wait goes on with no new block, no newly
 * finalized block and no word on the transaction before it ends: a chain
 * that makes no progress for a minute is stalled (ten 6 s slots missed).
 */
export const STALL_MS = 60_000;

/** Where to wait until for a transaction. */
export type WaitFor = "in-block" | "finalized";

/** The outcome of a transaction, as printed. */
export interface TxOutcome {
  /** The extrinsic's hash. */
  hash: string;
  /** The signer, SS58: whose nonce tells whether a stalled one went in. */
  signer: string;
  /** The nonce the transaction carries. */
  nonce: number;
  /** The block it was in, when it was in one. */
  blockHash?: string;
  /** That block's number. */
  blockNumber?: number;
  /** `stalled`: the chain made no progress for the stall time, so the wait ended undecided. */
  status: "finalized" | "in-block" | "failed" | "dropped" | "invalid" | "usurped" | "stalled";
  /** The pallet error of a failed dispatch, with its docs. */
  error?: { pallet?: string; name: string; docs?: string };
  /** The events it caused, as the metadata decodes them. */
  events: { pallet: string; name: string; fields: Record<string, unknown> }[];
}

/** What a transaction's wait reports as it goes. */
export type TxProgress =
  | { kind: "submitted"; hash: string }
  /** In a block; `waiting`: finality is still to come. */
  | { kind: "in-block"; number: number; blockHash: string; waiting: boolean }
  /** The block it was in left the best chain; it goes back to the pool. */
  | { kind: "retracted"; blockHash: string }
  /** Blocks come but none was finalized for the stall time. */
  | { kind: "finality-stalled"; best: number; finalized: number };

/** How {@link NodeConnection.submit} waits. */
export interface SubmitOptions {
  /** Until in a block, or finalized (the default). */
  wait?: WaitFor;
  /** Hears each step of the wait. */
  onProgress?: (progress: TxProgress) => void;
  /** No progress for this long ends the wait as `stalled` (default {@link STALL_MS}). */
  stallMs?: number;
}

/** A connection to a node with its metadata and its token. */
export class NodeConnection {
  private constructor(
    readonly rpc: RpcClient,
    readonly metadata: RuntimeMetadata,
    /** The chain's token (`system_properties`): what amounts are typed and printed in. */
    readonly token: Token,
  ) {}

  /** Connects to the node at `url` and reads its metadata. */
  static async open(url: string): Promise<NodeConnection> {
    return await NodeConnection.over(await RpcClient.connect(url));
  }

  /** A connection over `rpc` (a node's, or a light client's in process), with the metadata read. */
  static async over(rpc: RpcClient): Promise<NodeConnection> {
    const [metadata, properties] = await Promise.all([
      rpc.call<RuntimeMetadata>("sutantra_metadataJson"),
      rpc.call<Record<string, unknown> | null>("system_properties"),
    ]);
    return new NodeConnection(rpc, metadata, tokenOf(properties ?? {}));
  }

  /** Closes the connection. */
  close(): void {
    this.rpc.close();
  }

  /**
   * Signs `pallet.call(args)` with `signer` (a key of any scheme, see
   * `signerFromUri`), submits it and waits for its fate, reporting each
   * step. The wait ends `stalled` when the chain makes no progress (no new
   * block, no finalized one, no word on the transaction) for the stall time.
   * `options` may be only where to wait until (`"in-block"`).
   */
  async submit(
    pallet: string,
    call: string,
    args: Record<string, unknown>,
    signer: SigningKey,
    options: WaitFor | SubmitOptions = {},
  ): Promise<TxOutcome> {
    const { rpc, metadata } = this;
    const { wait = "finalized", onProgress = () => {}, stallMs = STALL_MS } =
      typeof options === "string" ? { wait: options } : options;
    const callBytes = encodeCallFromJson(metadata, pallet, call, args);
    const genesis = fromHex(await rpc.call<string>("chain_getBlockHash", [0]));
    const from = ss58Encode(accountOf(signer), metadata.ss58Format);
    const nonce = await rpc.call<number>("system_accountNextIndex", [from]);
    const { era, eraBlockHash } = await eraFromNode(rpc);
    const tx = signExtrinsic(callBytes, signer, { era, nonce, tip: 0n }, {
      specVersion: metadata.version.specVersion,
      transactionVersion: metadata.version.transactionVersion,
      genesisHash: genesis,
      eraBlockHash,
    });
    const sent = { hash: toHex(extrinsicHash(tx)), signer: from, nonce };
    const { promise, resolve, reject } = Promise.withResolvers<TxOutcome>();
    let settled = false;
    let stall: ReturnType<typeof setTimeout> | undefined;
    const finish = async (status: TxOutcome["status"], blockHash?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(stall);
      try {
        resolve(await this.#outcome(sent, tx, status, blockHash));
      } catch (e) {
        reject(e);
      }
    };
    const progressed = () => {
      clearTimeout(stall);
      if (!settled) stall = setTimeout(() => void finish("stalled"), stallMs);
    };
    // Heads mark progress; while the transaction waits in a block, finality that stops
    // while blocks go on is said once (the wait goes on: a validator may come back).
    let best = 0;
    let finalized = 0;
    let finalizedSince = Date.now();
    let inBlock = false;
    let toldFinalityStalled = false;
    const heads = [
      rpc.subscribe("chain_subscribeNewHeads", [], (head) => {
        best = Math.max(best, Number((head as { number: string }).number));
        progressed();
        if (
          inBlock && !toldFinalityStalled && !settled && Date.now() - finalizedSince > stallMs
        ) {
          toldFinalityStalled = true;
          onProgress({ kind: "finality-stalled", best, finalized });
        }
      }),
      rpc.subscribe("chain_subscribeFinalizedHeads", [], (head) => {
        const number = Number((head as { number: string }).number);
        if (number > finalized) finalizedSince = Date.now();
        finalized = Math.max(finalized, number);
        progressed();
      }),
    ];
    progressed();
    let toldSubmitted = false;
    const submitted = () => {
      if (!toldSubmitted) onProgress({ kind: "submitted", hash: sent.hash });
      toldSubmitted = true;
    };
    const watch = rpc.subscribe("author_submitAndWatchExtrinsic", [toHex(tx)], (update) => {
      // Updates that came before the subscription's id are heard first: say it was sent first.
      submitted();
      progressed();
      if (typeof update === "string") {
        if (["dropped", "invalid"].includes(update)) void finish(update as TxOutcome["status"]);
        return;
      }
      const u = update as Record<string, string>;
      if (u.inBlock) {
        inBlock = true;
        finalizedSince = Date.now();
        if (wait === "in-block") void finish("in-block", u.inBlock);
        else {
          void this.#numberOf(u.inBlock).then((number) => {
            if (!settled) {
              onProgress({ kind: "in-block", number, blockHash: u.inBlock, waiting: true });
            }
          }, () => {});
        }
      } else if (u.retracted) {
        inBlock = false;
        onProgress({ kind: "retracted", blockHash: u.retracted });
      } else if (u.finalized) void finish("finalized", u.finalized);
      else if (u.usurped) void finish("usurped");
    });
    watch.catch((e) => {
      settled = true;
      clearTimeout(stall);
      reject(e);
    });
    void watch.then(submitted, () => {});
    try {
      return await promise;
    } finally {
      // Not awaited: a node that is gone never answers, and closing the connection ends them.
      void this.#unsubscribe([
        ["chain_unsubscribeNewHeads", heads[0]],
        ["chain_unsubscribeFinalizedHeads", heads[1]],
        ["author_unwatchExtrinsic", watch],
      ]);
    }
  }

  /** Ends subscriptions, best effort (the node may be gone). */
  async #unsubscribe(subscriptions: [string, Promise<string>][]): Promise<void> {
    await Promise.all(subscriptions.map(async ([method, id]) => {
      try {
        await this.rpc.call(method, [await id]);
      } catch {
        // Never subscribed, or the node is gone: nothing to end.
      }
    }));
  }

  async #numberOf(blockHash: string): Promise<number> {
    const header = await this.rpc.call<{ number: string }>("chain_getHeader", [blockHash]);
    return Number(header.number);
  }

  /** The value of `pallet.item` at `keys` (JSON), decoded to JSON. */
  async queryStorage(pallet: string, item: string, keys: unknown[]): Promise<unknown> {
    const key = storageKeyFromJson(this.metadata, pallet, item, keys);
    const value = await this.rpc.call<string | null>("state_getStorage", [toHex(key)]);
    return storageValueToJson(this.metadata, pallet, item, value ? fromHex(value) : undefined);
  }

  /** Every entry of a map, as `[first key, value]` in JSON. */
  async mapEntries(pallet: string, item: string): Promise<[unknown, unknown][]> {
    return (await this.entriesUnder(pallet, item, [])).map(([keys, value]) => [keys[0], value]);
  }

  /**
   * Every entry of a map or double map whose first keys are `keys` (JSON),
   * as `[all its keys, value]`: `entriesUnder("Streams", "StreamRelays", [0])`
   * lists the relays carrying stream 0. At most `limit` entries, in key order.
   */
  async entriesUnder(
    pallet: string,
    item: string,
    keys: unknown[],
    limit = Infinity,
  ): Promise<[unknown[], unknown][]> {
    const prefix = toHex(storageKeyPrefixFromJson(this.metadata, pallet, item, keys));
    const out: [unknown[], unknown][] = [];
    let start: string | null = null;
    for (;;) {
      const count = Math.min(PAGE, limit - out.length);
      if (count <= 0) return out;
      const page: string[] = await this.rpc.call("state_getKeysPaged", [prefix, count, start]);
      for (const key of page) {
        const value = await this.rpc.call<string | null>("state_getStorage", [key]);
        out.push([
          storageKeysToJson(this.metadata, pallet, item, fromHex(key)),
          storageValueToJson(this.metadata, pallet, item, value ? fromHex(value) : undefined),
        ]);
      }
      if (page.length < count) return out;
      start = page.at(-1)!;
    }
  }

  async #outcome(
    sent: { hash: string; signer: string; nonce: number },
    tx: Uint8Array,
    status: TxOutcome["status"],
    blockHash?: string,
  ): Promise<TxOutcome> {
    if (!blockHash) return { ...sent, status, events: [] };
    const block = await this.rpc.call<
      { block: { header: { number: string }; extrinsics: string[] } }
    >("chain_getBlock", [blockHash]);
    const index = block.block.extrinsics.indexOf(toHex(tx));
    const eventsKey = storageKeyFromJson(this.metadata, "System", "Events", []);
    const raw = await this.rpc.call<string | null>("state_getStorage", [
      toHex(eventsKey),
      blockHash,
    ]);
    const events = raw ? decodeEventsWith(this.metadata, fromHex(raw)) : [];
    const mine = events.filter((e) => e.phase.tag === "ApplyExtrinsic" && e.phase.value === index);
    const failed = mine.find((e) => e.pallet === "System" && e.name === "ExtrinsicFailed");
    const outcome: TxOutcome = {
      ...sent,
      blockHash,
      blockNumber: Number(block.block.header.number),
      status: failed ? "failed" : status,
      events: mine.map(({ pallet, name, fields }) => ({ pallet, name, fields })),
    };
    if (failed) {
      const dispatchError = failed.fields.dispatchError;
      const module = moduleErrorOf(this.metadata, dispatchError);
      outcome.error = module ?? {
        name: typeof dispatchError === "string" ? dispatchError : JSON.stringify(dispatchError),
      };
    }
    return outcome;
  }
}
