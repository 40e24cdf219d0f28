/**
 * The page's view of the node it was served from: one WebSocket JSON-RPC
 * connection, the node's metadata, and storage reads and extrinsic
 * submission built on `client/metadata.ts` — the same codecs the CLI
 * uses, so the page and the CLI never disagree about a byte.
 *
 * @module
 */
import type { RuntimeMetadata } from "../../runtime/executive/metadata.ts";
import { extrinsicHash, signExtrinsic } from "../../runtime/extrinsic/extrinsic.ts";
import { accountOf, type SigningKey } from "../../runtime/crypto/signer.ts";
import { fromHex, toHex } from "../../runtime/primitives/hex.ts";
import { ss58Encode } from "../../runtime/crypto/ss58.ts";
import {
  constantToJson,
  type DecodedEvent,
  decodeEventsWith,
  encodeCallFromJson,
  moduleErrorOf,
  storageKeyFromJson,
  storageKeysToJson,
  storagePrefix,
  storageValueToJson,
} from "../../client/metadata.ts";
import { ConnectionLost, RpcClient } from "../../client/rpc_client.ts";
import { eraFromNode } from "../../client/signing_era.ts";

import type { HeaderJson } from "../../client/rpc/format.ts";

export type { HeaderJson };

/** Where a transaction is on its way: the page shows each step. */
export type TxStatus = "signing" | "submitted" | "in-block" | "finalized";

/** A transaction that made it into a block, with its own events. */
export interface TxOutcome {
  hash: string;
  blockHash: string;
  events: DecodedEvent[];
}

/** A transaction that did not succeed: refused by the pool, dropped, or failed in its block. */
export class TxError extends Error {
  override name = "TxError";
}

const PAGE = 500;

/**
 * How long a transaction may wait for its block before the page gives up
 * on it (a stalled chain): it may still be included later, and says so.
 */
const INCLUSION_TIMEOUT_MS = 120_000;

/** The node's chain, as the page uses it. */
export class Chain {
  private constructor(
    readonly rpc: RpcClient,
    readonly metadata: RuntimeMetadata,
    readonly genesisHash: Uint8Array,
    readonly token: { symbol: string; decimals: number },
  ) {}

  /**
   * Connects to the node's RPC at `url` (`ws://…`) and reads what every view
   * needs; the connection dials again by itself when the node goes away.
   */
  static async connect(url: string): Promise<Chain> {
    const rpc = await RpcClient.connect(url, { reconnect: true });
    const [metadata, genesis, properties] = await Promise.all([
      rpc.call<RuntimeMetadata>("sutantra_metadataJson"),
      rpc.call<string>("chain_getBlockHash", [0]),
      rpc.call<{ tokenSymbol?: string; tokenDecimals?: number }>("system_properties"),
    ]);
    return new Chain(rpc, metadata, fromHex(genesis), {
      symbol: properties.tokenSymbol ?? "UNIT",
      decimals: properties.tokenDecimals ?? 12,
    });
  }

  /**
   * This chain read through `rpc` instead (the page's light client), with the
   * metadata and token read from the node at connection.
   */
  over(rpc: RpcClient): Chain {
    return new Chain(rpc, this.metadata, this.genesisHash, this.token);
  }

  /** The SS58 address of an account (AccountId32), in the chain's format. */
  address(account: Uint8Array): string {
    return ss58Encode(account, this.metadata.ss58Format);
  }

  /** `pallet.item` at `keys` (JSON), decoded to JSON (the default when absent). */
  async query<T = unknown>(pallet: string, item: string, keys: unknown[] = []): Promise<T> {
    const key = storageKeyFromJson(this.metadata, pallet, item, keys);
    const value = await this.rpc.call<string | null>("state_getStorage", [toHex(key)]);
    return storageValueToJson(this.metadata, pallet, item, value ? fromHex(value) : undefined) as T;
  }

  /** Every entry of a map or double map: all its keys and its value, as JSON. */
  async entries<V = unknown>(pallet: string, item: string): Promise<[unknown[], V][]> {
    const prefix = toHex(storagePrefix(this.metadata, pallet, item));
    const out: [unknown[], V][] = [];
    for (let start: string | null = null;;) {
      const keys: string[] = await this.rpc.call("state_getKeysPaged", [prefix, PAGE, start]);
      const values = await Promise.all(
        keys.map((key) => this.rpc.call<string | null>("state_getStorage", [key])),
      );
      keys.forEach((key, i) => {
        const value = values[i];
        out.push([
          storageKeysToJson(this.metadata, pallet, item, fromHex(key)),
          storageValueToJson(this.metadata, pallet, item, value ? fromHex(value) : undefined) as V,
        ]);
      });
      if (keys.length < PAGE) return out;
      start = keys.at(-1)!;
    }
  }

  /** The events of the block `blockHash`. */
  async events(blockHash: string): Promise<DecodedEvent[]> {
    const key = storageKeyFromJson(this.metadata, "System", "Events", []);
    const raw = await this.rpc.call<string | null>("state_getStorage", [toHex(key), blockHash]);
    return raw ? decodeEventsWith(this.metadata, fromHex(raw)) : [];
  }

  /** A pallet's constant from the metadata, as JSON; `undefined` when the chain has none. */
  constant<T = unknown>(pallet: string, name: string): T | undefined {
    try {
      return constantToJson(this.metadata, pallet, name) as T;
    } catch {
      return undefined;
    }
  }

  /**
   * What `signer` would pay in fees for `pallet.call(args)`: the
   * `partialFee` of `payment_queryInfo` on the transaction signed as it
   * would be sent (tips aside).
   *
   * @throws {RemoteError} when the node cannot price it
   */
  async fee(
    pallet: string,
    call: string,
    args: Record<string, unknown>,
    signer: SigningKey,
  ): Promise<bigint> {
    const tx = await this.#sign(pallet, call, args, signer);
    const info = await this.rpc.call<{ partialFee: string }>("payment_queryInfo", [toHex(tx)]);
    return BigInt(info.partialFee);
  }

  /** The number of the best block. */
  async bestNumber(): Promise<number> {
    return parseInt((await this.rpc.call<HeaderJson>("chain_getHeader")).number, 16);
  }

  /**
   * Signs `pallet.call(args)` in the page, submits it, and resolves once it is
   * in a block and succeeded; `onStatus` hears every step, finality included.
   *
   * @throws {TxError} naming the pallet error, or saying the pool dropped it
   * @throws {RemoteError} when the pool refuses it (1010 with the reason, 1014, …)
   */
  async submit(
    pallet: string,
    call: string,
    args: Record<string, unknown>,
    signer: SigningKey,
    onStatus: (status: TxStatus, detail?: string) => void = () => {},
  ): Promise<TxOutcome> {
    onStatus("signing");
    const tx = await this.#sign(pallet, call, args, signer).catch((e) => {
      throw e instanceof ConnectionLost
        ? new TxError(`Nothing was sent: ${e.message.replace(/^\w/, (c) => c.toLowerCase())}`)
        : e;
    });
    const hash = toHex(extrinsicHash(tx));
    const { promise, resolve, reject } = Promise.withResolvers<TxOutcome>();
    const included = async (blockHash: string) => {
      try {
        resolve(await this.#outcome(hash, toHex(tx), blockHash));
      } catch (e) {
        reject(e);
      }
    };
    const lost = (e: unknown) =>
      reject(
        e instanceof ConnectionLost
          ? new TxError(
            "The connection to the node was lost before the transaction was in a block: it " +
              "may still be included; check your balance or the explorer before sending it again",
          )
          : e,
      );
    const stalled = setTimeout(
      () =>
        reject(
          new TxError(
            `The transaction was not in a block after ${INCLUSION_TIMEOUT_MS / 1000} s: the ` +
              "chain may be stalled; it may still be included later",
          ),
        ),
      INCLUSION_TIMEOUT_MS,
    );
    await this.rpc.subscribe("author_submitAndWatchExtrinsic", [toHex(tx)], (update) => {
      if (typeof update === "string") {
        if (update === "ready" || update === "future") onStatus("submitted", update);
        else reject(new TxError(`The transaction was ${update}`));
        return;
      }
      const u = update as Record<string, string>;
      if (u.inBlock) {
        onStatus("in-block", u.inBlock);
        void included(u.inBlock);
      } else if (u.finalized) onStatus("finalized", u.finalized);
      else if (u.usurped) reject(new TxError("The transaction was replaced by another"));
    }, { onLost: lost }).catch(lost);
    try {
      return await promise;
    } finally {
      clearTimeout(stalled);
    }
  }

  /** `pallet.call(args)` signed by `signer` with its next nonce and a mortal era. */
  async #sign(
    pallet: string,
    call: string,
    args: Record<string, unknown>,
    signer: SigningKey,
  ): Promise<Uint8Array> {
    const { metadata, rpc } = this;
    const callBytes = encodeCallFromJson(metadata, pallet, call, args);
    const nonce = await rpc.call<number>("system_accountNextIndex", [
      this.address(accountOf(signer)),
    ]);
    const { era, eraBlockHash } = await eraFromNode(rpc);
    return signExtrinsic(callBytes, signer, { era, nonce, tip: 0n }, {
      specVersion: metadata.version.specVersion,
      transactionVersion: metadata.version.transactionVersion,
      genesisHash: this.genesisHash,
      eraBlockHash,
    });
  }

  async #outcome(hash: string, tx: string, blockHash: string): Promise<TxOutcome> {
    const block = await this.rpc.call<{ block: { extrinsics: string[] } }>("chain_getBlock", [
      blockHash,
    ]);
    const index = block.block.extrinsics.indexOf(tx);
    const events = (await this.events(blockHash)).filter((e) =>
      e.phase.tag === "ApplyExtrinsic" && e.phase.value === index
    );
    const failed = events.find((e) => e.pallet === "System" && e.name === "ExtrinsicFailed");
    if (failed) throw new TxError(dispatchErrorText(this.metadata, failed.fields.dispatchError));
    return { hash, blockHash, events };
  }
}

/** A dispatch error in words: `Access.DepositTooLow: The deposit is below the minimum`. */
export function dispatchErrorText(metadata: RuntimeMetadata, dispatchError: unknown): string {
  const module = moduleErrorOf(metadata, dispatchError);
  if (module) return `${module.pallet}.${module.name}${module.docs ? `: ${module.docs}` : ""}`;
  return typeof dispatchError === "string" ? dispatchError : JSON.stringify(dispatchError);
}
