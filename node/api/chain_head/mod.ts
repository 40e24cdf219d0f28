/**
 * `chainHead_v1_*` of the new JSON-RPC spec (paritytech's
 * json-rpc-interface-spec): `follow` with its event stream and pinning,
 * then `header`, `body`, `storage`, `call`, `unpin`, `continue` and
 * `stopOperation` against the blocks a follow subscription has pinned.
 *
 * @module
 */
import { runtime } from "../../../runtime/mod.ts";
import type { ChainClient } from "../../chain/mod.ts";
import { RpcError, type RpcServer } from "../../rpc/mod.ts";
import { runtimeVersionJson } from "../format.ts";
import { hexParam, positional } from "../_params.ts";
import { runtimeCallAt } from "../_runtime_call.ts";
import { Follow, type FollowLimits, LIMIT_REACHED, type RuntimeCall } from "./_follow.ts";
import { storageQueries } from "../_storage.ts";

export type { FollowLimits, RuntimeCall } from "./_follow.ts";

/**
 * The default bounds: Substrate's (`MAX_PINNED_BLOCKS` 512, 16 operations,
 * the spec's floor) with a page of storage items between continues.
 */
export const DEFAULT_FOLLOW_LIMITS: FollowLimits = {
  maxFollowsPerConnection: 4,
  maxPinnedBlocks: 512,
  maxOperations: 16,
  storageItemsPerStep: 64,
};

/** What `chainHead_v1_*` needs of the node. */
export interface ChainHeadContext {
  client: ChainClient;
  /** Runs runtime API functions for `chainHead_v1_call` (default: the runtime's API table). */
  call?: RuntimeCall;
  /** Bounds of each follow subscription (default {@link DEFAULT_FOLLOW_LIMITS}). */
  limits?: Partial<FollowLimits>;
}

/** The runtime as `initialized` and `newBlock` carry it: `apis` as an object, ids to versions. */
export function runtimeSpecJson(): unknown {
  const { specName, implName, specVersion, implVersion, transactionVersion, apis } =
    runtimeVersionJson(runtime.version);
  return {
    type: "valid",
    spec: {
      specName,
      implName,
      specVersion,
      implVersion,
      transactionVersion,
      apis: Object.fromEntries(apis),
    },
  };
}

/** Registers `chainHead_v1_*` on `server`. */
export function registerChainHeadApi(server: RpcServer, ctx: ChainHeadContext): void {
  const limits = { ...DEFAULT_FOLLOW_LIMITS, ...ctx.limits };
  /** Live follow subscriptions by id: ids are random and unguessable, so one names its own. */
  const follows = new Map<string, Follow>();
  server.registerSubscription({
    subscribe: "chainHead_v1_follow",
    unsubscribe: "chainHead_v1_unfollow",
    unsubscribeAnswersNull: true,
    notification: "chainHead_v1_followEvent",
    perConnection: {
      max: limits.maxFollowsPerConnection,
      error: new RpcError(
        -32800,
        `Too many chainHead_v1_follow subscriptions on the connection: the limit is ${limits.maxFollowsPerConnection}`,
      ),
    },
    start(params, emit, close, id) {
      const withRuntime = positional(params)[0];
      if (typeof withRuntime !== "boolean") {
        throw new RpcError(-32602, "Invalid params: withRuntime must be a boolean");
      }
      const follow = new Follow({
        client: ctx.client,
        withRuntime,
        limits,
        runtimeSpec: runtimeSpecJson,
        call: ctx.call ?? ((header, fn, input) => runtimeCallAt(ctx.client, header, fn, input)),
        emit,
        close,
      });
      follows.set(id, follow);
      return () => {
        follows.delete(id);
        follow.dispose();
      };
    },
  });
  /** The follow named by `params[0]`, or `undefined` when it is unknown or stopped. */
  const followOf = (params: unknown[]): Follow | undefined => {
    if (typeof params[0] !== "string") {
      throw new RpcError(-32602, "Invalid params: followSubscription must be a string");
    }
    return follows.get(params[0]);
  };
  const stringParam = (params: unknown[], i: number, what: string): string => {
    if (typeof params[i] !== "string") {
      throw new RpcError(-32602, `Invalid params: ${what} must be a string`);
    }
    return params[i] as string;
  };
  const methods: Record<string, (params: unknown[]) => unknown> = {
    chainHead_v1_header: (params) => {
      const hash = hexParam(params, 1, "hash", 32);
      return followOf(params)?.header(hash) ?? null;
    },
    chainHead_v1_body: (params) => {
      const hash = hexParam(params, 1, "hash", 32);
      return followOf(params)?.body(hash) ?? LIMIT_REACHED;
    },
    chainHead_v1_call: (params) => {
      const hash = hexParam(params, 1, "hash", 32);
      const fn = stringParam(params, 2, "function");
      // An empty string is no input: polkadot-api sends it for methods that take none.
      const input = params[3] === "" ? new Uint8Array() : hexParam(params, 3, "callParameters");
      return followOf(params)?.call(hash, fn, input) ?? LIMIT_REACHED;
    },
    chainHead_v1_storage: (params) => {
      const hash = hexParam(params, 1, "hash", 32);
      const queries = storageQueries(params[2]);
      const childTrie = hexParam(params, 3, "childTrie", undefined, true);
      return followOf(params)?.storage(hash, queries, childTrie !== undefined) ?? LIMIT_REACHED;
    },
    chainHead_v1_unpin: (params) => {
      const raw = params[1];
      const list = Array.isArray(raw) ? raw : [raw];
      const hashes = list.map((_, i) => hexParam(list, i, "hashOrHashes", 32));
      return followOf(params)?.unpin(hashes) ?? null;
    },
    chainHead_v1_continue: (params) => {
      const op = stringParam(params, 1, "operationId");
      return followOf(params)?.continue(op) ?? null;
    },
    chainHead_v1_stopOperation: (params) => {
      const op = stringParam(params, 1, "operationId");
      return followOf(params)?.stopOperation(op) ?? null;
    },
  };
  for (const [name, method] of Object.entries(methods)) {
    server.register(name, (params) => method(positional(params)));
  }
}
