/**
 * `chainHead_v1_*` of the new JSON-RPC spec (paritytech's
 * json-rpc-interface-spec): `follow` with its event stream and pinning,
 * then `header`, `body`, `storage`, `call`, `unpin`, `continue` and
 * `stopOperation` against the blocks a follow subscription has pinned.
 * A full node serves them over its block tree, a light client over the
 * finalized chain it proved.
 *
 * @module
 */
import { RpcError } from "../error.ts";
import type { MethodTable } from "../methods.ts";
import { hexParam, positional } from "../params.ts";
import { storageQueries } from "../storage_query.ts";
import {
  Follow,
  type FollowedChain,
  type FollowLimits,
  LIMIT_REACHED,
  type RuntimeCall,
  type StorageRead,
} from "./follow.ts";

export type {
  ChainBlock,
  FollowedChain,
  FollowLimits,
  RuntimeCall,
  StorageRead,
} from "./follow.ts";

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

/** What `chainHead_v1_*` serves. */
export interface ChainHeadSource {
  chain: FollowedChain;
  /** Reads storage queries' items at a block. */
  storage: StorageRead;
  /** Runs runtime API functions for `chainHead_v1_call`. */
  call: RuntimeCall;
  /** The runtime as `initialized` and `newBlock` carry it. */
  runtimeSpec: () => unknown;
  /** Whether an operation's failure means its block's data is gone (`operationInaccessible`). */
  inaccessible?: (error: unknown) => boolean;
  /** Bounds of each follow subscription (default {@link DEFAULT_FOLLOW_LIMITS}). */
  limits?: Partial<FollowLimits>;
}

/** The runtime's version as `initialized` and `newBlock` carry it: `apis` as an object, ids to versions. */
export function runtimeSpecJson(
  version: {
    specName: string;
    implName: string;
    specVersion: number;
    implVersion: number;
    transactionVersion: number;
    apis: [string, number][];
  },
): unknown {
  const { specName, implName, specVersion, implVersion, transactionVersion, apis } = version;
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

/** Registers `chainHead_v1_*` on `table`. */
export function registerChainHead(table: MethodTable, source: ChainHeadSource): void {
  const limits = { ...DEFAULT_FOLLOW_LIMITS, ...source.limits };
  /** Live follow subscriptions by id: ids are random and unguessable, so one names its own. */
  const follows = new Map<string, Follow>();
  table.registerSubscription({
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
        chain: source.chain,
        withRuntime,
        limits,
        runtimeSpec: source.runtimeSpec,
        storage: source.storage,
        call: source.call,
        inaccessible: source.inaccessible,
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
    table.register(name, (params) => method(positional(params)));
  }
}
