/**
 * The rest of Substrate's legacy read RPC that clients still call
 * (polkadot.js among them): storage hashes, sizes, key lists and queries at
 * a block, storage and runtime-version subscriptions, every imported head,
 * and `system_dryRun`.
 *
 * @module
 */
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import { blockHash, type Header } from "../../runtime/block/header.ts";
import { callRuntimeApiAt, RuntimeApiError } from "../../runtime/api/mod.ts";
import { runtime } from "../../runtime/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { type ChainClient, StateDiscardedError } from "../chain/mod.ts";
import { ErrorCode, RpcError, type RpcServer } from "../rpc/mod.ts";
import { headerJson, runtimeVersionJson } from "../../client/rpc/format.ts";
import { hexParam, positional } from "../../client/rpc/params.ts";
import { runtimeApiRpcError } from "./state_call_api.ts";

/** The most keys one call lists, queries or watches (Substrate's paged maximum). */
export const MAX_KEYS = 1000;

/** Substrate's state error for anything the client cannot do. */
const CLIENT_ERROR = 4003;

/**
 * Served only where unsafe methods are (`--rpc-methods unsafe`, the default
 * on 127.0.0.1), as Substrate denies them to outsiders: a key listing and a
 * dry run are work anyone could ask for in bulk.
 */
const UNSAFE = new Set(["state_getKeys", "system_dryRun"]);

/** What these methods need of the node. */
export interface LegacyStateApiContext {
  client: ChainClient;
}

/** Registers the legacy read methods and subscriptions on `server`. */
export function registerLegacyStateApi(server: RpcServer, ctx: LegacyStateApiContext): void {
  const { client } = ctx;
  const at = async (params: unknown[], i: number): Promise<Header> => {
    const hash = hexParam(params, i, "block hash", 32, true);
    if (!hash) return client.best.header;
    const header = await client.header(hash);
    if (!header) throw new RpcError(CLIENT_ERROR, "Client error: unknown block", toHex(hash));
    return header;
  };
  const stateAt = (header: Header): StateReader => {
    try {
      return client.stateAt(header);
    } catch (e) {
      if (e instanceof StateDiscardedError) {
        throw new RpcError(CLIENT_ERROR, `Client error: ${e.message}`);
      }
      throw e;
    }
  };
  const keysParam = (params: unknown[], i: number): Uint8Array[] => {
    const keys = params[i];
    if (!Array.isArray(keys)) {
      throw new RpcError(ErrorCode.InvalidParams, "Invalid params: expected keys");
    }
    if (keys.length > MAX_KEYS) {
      throw new RpcError(
        4002,
        `count exceeds maximum value. value: ${keys.length}, max: ${MAX_KEYS}`,
      );
    }
    return keys.map((_, k) => hexParam(keys, k, `keys[${k}]`));
  };

  const methods: Record<string, (params: unknown[]) => unknown> = {
    state_getStorageHash: async (params) => {
      const value = stateAt(await at(params, 1)).get(hexParam(params, 0, "storage key"));
      return value === undefined ? null : toHex(blake2_256(value));
    },
    state_getStorageSize: async (params) => {
      const value = stateAt(await at(params, 1)).get(hexParam(params, 0, "storage key"));
      return value === undefined ? null : value.length;
    },
    // All keys under a prefix, as Substrate; past MAX_KEYS use state_getKeysPaged.
    state_getKeys: async (params) => {
      const prefix = hexParam(params, 0, "key prefix");
      const keys: string[] = [];
      for (const [key] of stateAt(await at(params, 1)).entries(prefix)) {
        if (keys.length === MAX_KEYS) {
          throw new RpcError(
            4002,
            `more than ${MAX_KEYS} keys under the prefix: use state_getKeysPaged`,
          );
        }
        keys.push(toHex(key));
      }
      return keys;
    },
    state_queryStorageAt: async (params) => {
      const keys = keysParam(params, 0);
      const header = await at(params, 1);
      return [changeSet(header, keys, stateAt(header))];
    },
    system_dryRun: async (params) => {
      const extrinsic = hexParam(params, 0, "extrinsic");
      const header = await at(params, 1);
      stateAt(header);
      try {
        return toHex(callRuntimeApiAt(
          { executive: client.executive },
          header,
          "BlockBuilder_apply_extrinsic",
          extrinsic,
        ));
      } catch (e) {
        if (e instanceof RuntimeApiError) throw runtimeApiRpcError(e);
        throw e;
      }
    },
  };
  for (const [name, method] of Object.entries(methods)) {
    server.register(name, (params) => method(positional(params)), {
      unsafe: UNSAFE.has(name),
    });
  }

  server.registerSubscription({
    subscribe: "state_subscribeStorage",
    unsubscribe: "state_unsubscribeStorage",
    notification: "state_storage",
    start(params, emit) {
      const keys = keysParam(positional(params), 0);
      if (keys.length === 0) {
        throw new RpcError(ErrorCode.InvalidParams, "Invalid params: name the keys to watch");
      }
      // The current values first, then each best block's changes to them.
      let last = changeSet(client.best.header, keys, client.stateAt(client.best.header));
      emit(last);
      return client.onBestChanged(({ best }) => {
        const next = changeSet(best.header, keys, client.stateAt(best.header));
        const changes = next.changes.filter(([, value], i) => value !== last.changes[i][1]);
        last = next;
        if (changes.length) emit({ block: next.block, changes });
      });
    },
  });
  // One runtime for the node's life: the version once, as Substrate sends it on subscribing.
  server.registerSubscription({
    subscribe: "state_subscribeRuntimeVersion",
    unsubscribe: "state_unsubscribeRuntimeVersion",
    notification: "state_runtimeVersion",
    start(_params, emit) {
      emit(runtimeVersionJson(runtime.version));
      return () => {};
    },
  });
  server.registerSubscription({
    subscribe: "chain_subscribeAllHeads",
    unsubscribe: "chain_unsubscribeAllHeads",
    notification: "chain_allHead",
    start(_params, emit) {
      return client.onImported(({ block }) => emit(headerJson(block.header)));
    },
  });
  // The singular spelling polkadot.js still uses for the best heads.
  server.registerSubscription({
    subscribe: "chain_subscribeNewHead",
    unsubscribe: "chain_unsubscribeNewHead",
    notification: "chain_newHead",
    start(_params, emit) {
      emit(headerJson(client.best.header));
      return client.onBestChanged(({ best }) => emit(headerJson(best.header)));
    },
  });
}

/** `StorageChangeSet`: the block and each key with its value there (`null` when absent). */
function changeSet(
  header: Header,
  keys: Uint8Array[],
  state: StateReader,
): { block: string; changes: [string, string | null][] } {
  return {
    block: toHex(blockHash(header)),
    changes: keys.map((key) => {
      const value = state.get(key);
      return [toHex(key), value === undefined ? null : toHex(value)];
    }),
  };
}
