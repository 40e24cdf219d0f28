/**
 * The legacy methods the CLI, the web app and polkadot.js call, answered
 * by a light client: `system_*`, `chain_*` over the finalized blocks it
 * keeps, `state_*` and `payment_queryInfo` over proven state (those that
 * run the runtime only when it was given one). Its best block is its
 * finalized one. Listing keys (`state_getKeysPaged`) needs a
 * range proof, which full nodes do not serve yet: it is refused.
 *
 * @module
 */
import type { Header } from "../../../runtime/block/header.ts";
import { decode, encode, t } from "../../../runtime/codec/types.ts";
import { RuntimeApiError } from "../../../runtime/api/api.ts";
import { runtimeDispatchInfoType } from "../../../runtime/api/types.ts";
import { ss58Decode } from "../../../runtime/crypto/ss58.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import { blockJson, dispatchInfoJson, headerJson, runtimeVersionJson } from "../../rpc/format.ts";
import { ErrorCode, RpcError } from "../../rpc/error.ts";
import type { MethodTable } from "../../rpc/methods.ts";
import { hexParam, numberParam, positional } from "../../rpc/params.ts";
import { CLIENT_ERROR, runtimeApiRpcError, unknownBlock } from "../../rpc/state_errors.ts";
import { NoHonestAnswer } from "../client.ts";
import { UnprovableRead } from "../chain.ts";
import type { LightTransactions } from "../transactions.ts";
import type { LightRpcInit } from "./mod.ts";

/** A failed read or call over proven state, as Substrate's state errors say it. */
function stateError(e: unknown): unknown {
  if (e instanceof RuntimeApiError) return runtimeApiRpcError(e);
  if (e instanceof NoHonestAnswer || e instanceof UnprovableRead) {
    return new RpcError(CLIENT_ERROR, `Client error: ${e.message}`);
  }
  return e;
}

/** Registers the legacy methods over `init.chain`. */
export function registerLightLegacy(
  table: MethodTable,
  init: LightRpcInit,
  transactions: LightTransactions,
): void {
  const { chain } = init;
  /** The kept block named by `params[i]`, or the finalized one. */
  const at = (params: unknown[], i: number): Header => {
    const hash = hexParam(params, i, "block hash", 32, true);
    if (!hash) return chain.finalized;
    const header = chain.header(hash);
    if (!header) throw unknownBlock(hash);
    return header;
  };
  /** Runs `read` over the proven state of `header`, in Substrate's errors. */
  const proven = async <T>(header: Header, read: Parameters<typeof chain.run<T>>[1]) => {
    try {
      return await chain.run(header, read);
    } catch (e) {
      throw stateError(e);
    }
  };

  const methods: Record<string, (params: unknown[]) => unknown> = {
    system_name: () => init.node.name,
    system_version: () => init.node.version,
    system_chain: () => init.spec.name,
    system_chainType: () => init.spec.chainType,
    system_properties: () => init.spec.properties ?? {},
    system_nodeRoles: () => ["Light"],
    system_health: () => ({
      peers: init.peers().length,
      isSyncing: false,
      shouldHavePeers: true,
    }),
    chain_getBlockHash: (params) => {
      const number = numberParam(params, 0, "block number");
      if (number === undefined) return toHex(chain.finalizedBlock.hash);
      if (number === 0) return toHex(init.genesisHash);
      const block = chain.blockAt(number);
      return block ? toHex(block.hash) : null;
    },
    chain_getHeader: (params) => {
      const hash = hexParam(params, 0, "block hash", 32, true);
      const header = hash ? chain.header(hash) : chain.finalized;
      return header ? headerJson(header) : null;
    },
    chain_getBlock: async (params) => {
      const hash = hexParam(params, 0, "block hash", 32, true) ?? chain.finalizedBlock.hash;
      const header = chain.header(hash);
      if (!header) return null;
      try {
        return blockJson(header, await chain.body(hash));
      } catch (e) {
        if (e instanceof NoHonestAnswer) {
          throw new RpcError(CLIENT_ERROR, `Client error: ${e.message}`);
        }
        throw e;
      }
    },
    chain_getFinalizedHead: () => toHex(chain.finalizedBlock.hash),
    state_getStorage: async (params) => {
      const key = hexParam(params, 0, "storage key");
      const value = await proven(at(params, 1), (state) => state.get(key));
      return value === undefined ? null : toHex(value);
    },
    state_getKeysPaged: () => {
      throw new RpcError(
        CLIENT_ERROR,
        "Client error: a light client cannot list storage keys (that needs a range proof); ask a full node",
      );
    },
  };
  for (const [name, method] of Object.entries(methods)) {
    table.register(name, (params) => method(positional(params)));
  }

  // Heads: every block here is best and finalized at once.
  for (
    const [subscribe, unsubscribe, notification] of [
      ["chain_subscribeNewHeads", "chain_unsubscribeNewHeads", "chain_newHead"],
      ["chain_subscribeFinalizedHeads", "chain_unsubscribeFinalizedHeads", "chain_finalizedHead"],
      ["chain_subscribeAllHeads", "chain_unsubscribeAllHeads", "chain_allHead"],
    ]
  ) {
    table.registerSubscription({
      subscribe,
      unsubscribe,
      notification,
      start(_params, emit) {
        emit(headerJson(chain.finalized));
        return chain.onFinalized(({ headers, gap }) => {
          for (const header of gap ? [chain.finalized] : headers) emit(headerJson(header));
        });
      },
    });
  }

  const { runtime } = init;
  if (!runtime) return;
  // What needs the runtime, run here over proven state.
  const call = async (header: Header, fn: string, input: Uint8Array) => {
    try {
      return await chain.call(header, fn, input, (state) => runtime.call(state, header, fn, input));
    } catch (e) {
      throw stateError(e);
    }
  };
  /** An account's next nonce: at the finalized block, past its transactions sent from here. */
  const nonce = async (account: Uint8Array) =>
    transactions.nextNonce(
      account,
      decode(t.u32, await call(chain.finalized, "AccountNonceApi_account_nonce", account)),
    );
  const runtimeMethods: Record<string, (params: unknown[]) => unknown> = {
    system_accountNextIndex: (params) => {
      const address = params[0];
      if (typeof address !== "string") {
        throw new RpcError(ErrorCode.InvalidParams, "Invalid params: expected an SS58 address");
      }
      let account: Uint8Array;
      try {
        account = ss58Decode(address).publicKey;
      } catch (e) {
        throw new RpcError(ErrorCode.InvalidParams, `Invalid params: ${(e as Error).message}`);
      }
      return nonce(account);
    },
    state_call: async (params) => {
      const method = params[0];
      if (typeof method !== "string") {
        throw new RpcError(ErrorCode.InvalidParams, "Invalid params: method must be a string");
      }
      const data = hexParam(params, 1, "call data");
      return toHex(await call(at(params, 2), method, data));
    },
    state_getRuntimeVersion: () => runtimeVersionJson(runtime.version),
    state_getMetadata: async (params) =>
      toHex(await proven(at(params, 0), (state) => runtime.metadata(state))),
    sutantra_metadataJson: (params) =>
      proven(at(params, 0), (state) => runtime.metadataJson(state)),
    payment_queryInfo: async (params) => {
      const bytes = hexParam(params, 0, "extrinsic");
      const input = new Uint8Array([...bytes, ...encode(t.u32, bytes.length)]);
      let output: Uint8Array;
      try {
        output = await call(at(params, 1), "TransactionPaymentApi_query_info", input);
      } catch (e) {
        if (!(e instanceof RpcError) || e.code !== CLIENT_ERROR) throw e;
        throw new RpcError(1010, "Invalid Transaction", e.message);
      }
      return dispatchInfoJson(decode(runtimeDispatchInfoType, output));
    },
  };
  for (const [name, method] of Object.entries(runtimeMethods)) {
    table.register(name, (params) => method(positional(params)));
  }
  table.registerSubscription({
    subscribe: "state_subscribeRuntimeVersion",
    unsubscribe: "state_unsubscribeRuntimeVersion",
    notification: "state_runtimeVersion",
    start(_params, emit) {
      // The runtime is the light client's own: it never changes while it runs.
      emit(runtimeVersionJson(runtime.version));
      return () => {};
    },
  });
}
