/**
 * The read side of Substrate's RPC: `system_*`, `chain_*`, `state_*` and
 * `payment_queryInfo`, over the chain client.
 *
 * @module
 */
import { blockHash, type Header } from "../../runtime/block/header.ts";
import { runtime } from "../../runtime/mod.ts";
import { ss58Decode } from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { metadataBytes } from "../../runtime/metadata/mod.ts";
import { queryInfoAt, RUNTIME_API_METADATA, RuntimeApiError } from "../../runtime/api/mod.ts";
import type { ChainSpec } from "../../chain-spec/spec.ts";
import { type ChainClient, StateDiscardedError } from "../chain/mod.ts";
import { RpcError, type RpcServer } from "../rpc/mod.ts";
import {
  blockJson,
  dispatchInfoJson,
  headerJson,
  runtimeVersionJson,
} from "../../client/rpc/format.ts";
import { hexParam, numberParam, positional } from "../../client/rpc/params.ts";
import { registerStateCallApi } from "./state_call_api.ts";
import { registerLegacyStateApi } from "./legacy_state_api.ts";

/**
 * The most keys `state_getKeysPaged` lists and `state_getReadProof` proves in
 * one call (Substrate's `STORAGE_KEYS_PAGED_MAX_COUNT`).
 */
const MAX_KEYS_PER_CALL = 1000;

/** Substrate's state error for a count over its maximum (`InvalidCount`, 4002). */
function countTooBig(value: number): RpcError {
  return new RpcError(
    4002,
    `count exceeds maximum value. value: ${value}, max: ${MAX_KEYS_PER_CALL}`,
  );
}

/** The hex of each metadata's bytes (cached per runtime version), made once: 50 kB a time is not free. */
const metadataHexes = new WeakMap<Uint8Array, string>();

function metadataHex(bytes: Uint8Array): string {
  let hex = metadataHexes.get(bytes);
  if (hex === undefined) metadataHexes.set(bytes, hex = toHex(bytes));
  return hex;
}

/** What the read methods need of the node. */
export interface ChainApiContext {
  client: ChainClient;
  spec: ChainSpec;
  name: string;
  version: string;
  isValidator: boolean;
  /** The network's view, when the node has one. */
  network?: {
    peerId: string;
    listenAddresses(): string[];
    /** Connected peers with the role and best block their handshake announced. */
    peers(): { peerId: string; roles?: string; best: { number: number; hash: Uint8Array } }[];
  };
  /** A peer's best block as sync has seen it since the handshake (hash as raw hex, if known). */
  peerBest?(peerId: string): { best: number; bestHash: string | undefined } | undefined;
  isSyncing(): boolean;
  /** The account's next nonce counting the pool's transactions. */
  nextIndex(account: Uint8Array): number;
}

/** Registers the read methods and the head subscriptions on `server`. */
export function registerChainApi(server: RpcServer, ctx: ChainApiContext): void {
  const { client, spec } = ctx;
  const at = async (params: unknown[], i: number): Promise<Header> => {
    const hash = hexParam(params, i, "block hash", 32, true);
    if (!hash) return client.best.header;
    const header = await client.header(hash);
    if (!header) throw new RpcError(4003, "Client error: unknown block", toHex(hash));
    return header;
  };
  /** The block at `params[i]` and its state, or Substrate's "State already discarded" error. */
  const withState = async (params: unknown[], i: number) => {
    const header = await at(params, i);
    try {
      return { header, state: client.stateAt(header) };
    } catch (e) {
      if (e instanceof StateDiscardedError) throw new RpcError(4003, `Client error: ${e.message}`);
      throw e;
    }
  };
  const methods: Record<string, (params: unknown[]) => unknown> = {
    system_name: () => ctx.name,
    system_version: () => ctx.version,
    system_chain: () => spec.name,
    system_chainType: () => spec.chainType,
    system_properties: () => spec.properties,
    system_health: () => ({
      peers: ctx.network?.peers().length ?? 0,
      isSyncing: ctx.isSyncing(),
      shouldHavePeers: spec.chainType !== "Development",
    }),
    system_peers: () =>
      (ctx.network?.peers() ?? []).map((p) => {
        const seen = ctx.peerBest?.(p.peerId);
        const best = seen?.bestHash === undefined
          ? { number: p.best.number, hash: toHex(p.best.hash) }
          : { number: seen.best, hash: `0x${seen.bestHash}` };
        return {
          peerId: p.peerId,
          roles: (p.roles ?? "full").toUpperCase(),
          bestHash: best.hash,
          bestNumber: best.number,
        };
      }),
    system_localPeerId: () => ctx.network?.peerId ?? "",
    system_localListenAddresses: () => ctx.network?.listenAddresses() ?? [],
    system_nodeRoles: () => [ctx.isValidator ? "Authority" : "Full"],
    system_accountNextIndex: (params) => {
      const address = params[0];
      if (typeof address !== "string") {
        throw new RpcError(-32602, "Invalid params: expected an SS58 address");
      }
      let account: Uint8Array;
      try {
        account = ss58Decode(address).publicKey;
      } catch (e) {
        throw new RpcError(-32602, `Invalid params: ${(e as Error).message}`);
      }
      return ctx.nextIndex(account);
    },
    chain_getBlockHash: async (params) => {
      const number = numberParam(params, 0, "block number");
      if (number === undefined) return toHex(client.best.hash);
      const hash = await client.hashAt(number);
      return hash ? toHex(hash) : null;
    },
    // An unknown hash is `null`, as in Substrate (and as `chain_getBlock`), not an error.
    chain_getHeader: async (params) => {
      const hash = hexParam(params, 0, "block hash", 32, true) ?? client.best.hash;
      const header = await client.header(hash);
      return header ? headerJson(header) : null;
    },
    chain_getBlock: async (params) => {
      const hash = hexParam(params, 0, "block hash", 32, true) ?? client.best.hash;
      const header = await client.header(hash);
      if (!header) return null;
      const body = (await client.body(hash)) ?? [];
      return blockJson(header, body, await client.justification(hash));
    },
    chain_getFinalizedHead: () => toHex(client.finalized.hash),
    state_getStorage: async (params) => {
      const key = hexParam(params, 0, "storage key");
      const value = (await withState(params, 1)).state.get(key);
      return value === undefined ? null : toHex(value);
    },
    state_getKeysPaged: async (params) => {
      const prefix = hexParam(params, 0, "key prefix");
      const count = numberParam(params, 1, "count") ?? MAX_KEYS_PER_CALL;
      if (count > MAX_KEYS_PER_CALL) throw countTooBig(count);
      const start = hexParam(params, 2, "start key", undefined, true);
      const { state } = await withState(params, 3);
      const keys: string[] = [];
      for (const [key] of state.entries(prefix, start)) {
        if (keys.length >= count) break;
        keys.push(toHex(key));
      }
      return keys;
    },
    state_getRuntimeVersion: () => runtimeVersionJson(runtime.version),
    // SCALE metadata V14, the bytes `Metadata_metadata` answers, as Substrate
    // serves it: the node's one runtime, with the constants its chain spec
    // fixed at genesis read at the block.
    state_getMetadata: async (params) => {
      const { state } = await withState(params, 0);
      return metadataHex(metadataBytes(runtime, 14, state, RUNTIME_API_METADATA));
    },
    // The JSON document the CLI and the web app read (names as in TypeScript).
    sutantra_metadataJson: async (params) => runtime.metadata((await withState(params, 0)).state),
    state_getReadProof: async (params) => {
      const keys = params[0];
      if (!Array.isArray(keys)) throw new RpcError(-32602, "Invalid params: expected keys");
      if (keys.length > MAX_KEYS_PER_CALL) throw countTooBig(keys.length);
      const { header } = await withState(params, 1);
      const proof = client.executive.trie.prove(
        header.stateRoot,
        keys.map((_, i) => hexParam(keys, i, `keys[${i}]`)),
      );
      return { at: toHex(blockHash(header)), proof: proof.map(toHex) };
    },
    payment_queryInfo: async (params) => {
      const bytes = hexParam(params, 0, "extrinsic");
      const { header } = await withState(params, 1);
      try {
        // Through the runtime API table, as `TransactionPaymentApi_query_info`.
        return dispatchInfoJson(queryInfoAt({ executive: client.executive }, header, bytes));
      } catch (e) {
        if (!(e instanceof RuntimeApiError)) throw e;
        throw new RpcError(1010, "Invalid Transaction", e.message);
      }
    },
  };
  for (const [name, method] of Object.entries(methods)) {
    server.register(name, (params) => method(positional(params)));
  }
  registerStateCallApi(server, { client });
  registerLegacyStateApi(server, { client });
  server.registerSubscription({
    subscribe: "chain_subscribeNewHeads",
    unsubscribe: "chain_unsubscribeNewHeads",
    notification: "chain_newHead",
    start(_params, emit) {
      emit(headerJson(client.best.header));
      // Every new best head, those a finality re-org makes best included.
      return client.onBestChanged(({ best }) => emit(headerJson(best.header)));
    },
  });
  server.registerSubscription({
    subscribe: "chain_subscribeFinalizedHeads",
    unsubscribe: "chain_unsubscribeFinalizedHeads",
    notification: "chain_finalizedHead",
    start(_params, emit) {
      emit(headerJson(client.finalized.header));
      return client.onFinalized((block) => emit(headerJson(block.header)));
    },
  });
}
