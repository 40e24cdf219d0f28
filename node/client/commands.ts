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
  mapKeyToJson,
  moduleErrorOf,
  storageKeyFromJson,
  storagePrefix,
  storageValueToJson,
} from "../../client/metadata.ts";

const PAGE = 1000;
import { eraFromNode } from "../../client/signing_era.ts";
import { RpcClient } from "../../client/rpc_client.ts";

/** Where to wait until for a transaction. */
export type WaitFor = "in-block" | "finalized";

/** The outcome of a transaction, as printed. */
export interface TxOutcome {
  hash: string;
  blockHash?: string;
  status: "finalized" | "in-block" | "failed" | "dropped" | "invalid" | "usurped";
  /** The pallet error of a failed dispatch, with its docs. */
  error?: { pallet?: string; name: string; docs?: string };
  events: { pallet: string; name: string; fields: Record<string, unknown> }[];
}

/** A connection to a node with its metadata. */
export class NodeConnection {
  private constructor(readonly rpc: RpcClient, readonly metadata: RuntimeMetadata) {}

  /** Connects to the node at `url` and reads its metadata. */
  static async open(url: string): Promise<NodeConnection> {
    return await NodeConnection.over(await RpcClient.connect(url));
  }

  /** A connection over `rpc` (a node's, or a light client's in process), with the metadata read. */
  static async over(rpc: RpcClient): Promise<NodeConnection> {
    return new NodeConnection(rpc, await rpc.call<RuntimeMetadata>("sutantra_metadataJson"));
  }

  /** Closes the connection. */
  close(): void {
    this.rpc.close();
  }

  /**
   * Signs `pallet.call(args)` with `signer` (a key of any scheme, see
   * `signerFromUri`), submits it and waits for its fate.
   */
  async submit(
    pallet: string,
    call: string,
    args: Record<string, unknown>,
    signer: SigningKey,
    wait: WaitFor = "finalized",
  ): Promise<TxOutcome> {
    const { rpc, metadata } = this;
    const callBytes = encodeCallFromJson(metadata, pallet, call, args);
    const genesis = fromHex(await rpc.call<string>("chain_getBlockHash", [0]));
    const nonce = await rpc.call<number>("system_accountNextIndex", [
      ss58Encode(accountOf(signer), metadata.ss58Format),
    ]);
    const { era, eraBlockHash } = await eraFromNode(rpc);
    const tx = signExtrinsic(callBytes, signer, { era, nonce, tip: 0n }, {
      specVersion: metadata.version.specVersion,
      transactionVersion: metadata.version.transactionVersion,
      genesisHash: genesis,
      eraBlockHash,
    });
    const hash = toHex(extrinsicHash(tx));
    const { promise, resolve, reject } = Promise.withResolvers<TxOutcome>();
    const finish = async (status: TxOutcome["status"], blockHash?: string) => {
      try {
        resolve(await this.#outcome(hash, tx, status, blockHash));
      } catch (e) {
        reject(e);
      }
    };
    await rpc.subscribe("author_submitAndWatchExtrinsic", [toHex(tx)], (update) => {
      if (typeof update === "string") {
        if (["dropped", "invalid"].includes(update)) void finish(update as TxOutcome["status"]);
        return;
      }
      const u = update as Record<string, string>;
      if (u.inBlock) {
        if (wait === "in-block") void finish("in-block", u.inBlock);
      } else if (u.finalized) void finish("finalized", u.finalized);
      else if (u.usurped) void finish("usurped");
    }).catch(reject);
    return await promise;
  }

  /** The value of `pallet.item` at `keys` (JSON), decoded to JSON. */
  async queryStorage(pallet: string, item: string, keys: unknown[]): Promise<unknown> {
    const key = storageKeyFromJson(this.metadata, pallet, item, keys);
    const value = await this.rpc.call<string | null>("state_getStorage", [toHex(key)]);
    return storageValueToJson(this.metadata, pallet, item, value ? fromHex(value) : undefined);
  }

  /** Every entry of a map, as `[first key, value]` in JSON. */
  async mapEntries(pallet: string, item: string): Promise<[unknown, unknown][]> {
    const prefix = toHex(storagePrefix(this.metadata, pallet, item));
    const out: [unknown, unknown][] = [];
    let start: string | null = null;
    for (;;) {
      const keys: string[] = await this.rpc.call("state_getKeysPaged", [prefix, PAGE, start]);
      for (const key of keys) {
        const value = await this.rpc.call<string | null>("state_getStorage", [key]);
        out.push([
          mapKeyToJson(this.metadata, pallet, item, fromHex(key)),
          storageValueToJson(this.metadata, pallet, item, value ? fromHex(value) : undefined),
        ]);
      }
      if (keys.length < PAGE) return out;
      start = keys.at(-1)!;
    }
  }

  async #outcome(
    hash: string,
    tx: Uint8Array,
    status: TxOutcome["status"],
    blockHash?: string,
  ): Promise<TxOutcome> {
    if (!blockHash) return { hash, status, events: [] };
    const block = await this.rpc.call<{ block: { extrinsics: string[] } }>("chain_getBlock", [
      blockHash,
    ]);
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
      hash,
      blockHash,
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
