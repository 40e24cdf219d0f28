/**
 * `chainHead_v1_*` over the full node's block tree: the spec's methods
 * (`client/rpc/chain_head`) reading the client's states, trie and runtime.
 *
 * @module
 */
import { runtime } from "../../../runtime/mod.ts";
import { EMPTY_STATE } from "../../../runtime/storage/overlay.ts";
import {
  type FollowLimits,
  registerChainHead,
  type RuntimeCall,
  runtimeSpecJson,
} from "../../../client/rpc/chain_head/mod.ts";
import { runtimeVersionJson } from "../../../client/rpc/format.ts";
import { storageItems } from "../../../client/rpc/storage_query.ts";
import type { ChainClient } from "../../chain/mod.ts";
import type { RpcServer } from "../../rpc/mod.ts";
import { runtimeCallAt } from "../_runtime_call.ts";

export { DEFAULT_FOLLOW_LIMITS } from "../../../client/rpc/chain_head/mod.ts";
export type { FollowLimits, RuntimeCall } from "../../../client/rpc/chain_head/mod.ts";

/** What `chainHead_v1_*` needs of the node. */
export interface ChainHeadContext {
  client: ChainClient;
  /** Runs runtime API functions for `chainHead_v1_call` (default: the runtime's API table). */
  call?: RuntimeCall;
  /** Bounds of each follow subscription (default `DEFAULT_FOLLOW_LIMITS`). */
  limits?: Partial<FollowLimits>;
}

/** Registers `chainHead_v1_*` on `server`. */
export function registerChainHeadApi(server: RpcServer, ctx: ChainHeadContext): void {
  const { client } = ctx;
  const trie = client.executive.trie;
  const spec = runtimeSpecJson(runtimeVersionJson(runtime.version));
  registerChainHead(server, {
    chain: client,
    storage: (header, queries, childTrie) =>
      // Sutantra's state has no child tries: a query into one finds nothing.
      childTrie ? storageItems(EMPTY_STATE, () => undefined, queries) : storageItems(
        client.stateAt(header),
        (key) => trie.closestDescendantMerkleValue(header.stateRoot, key),
        queries,
      ),
    call: ctx.call ?? ((header, fn, input) => runtimeCallAt(client, header, fn, input)),
    runtimeSpec: () => spec,
    // A trie node deleted under a running read is as good as gone for that operation.
    inaccessible: (e) => e instanceof RangeError && e.message.startsWith("Cannot read trie"),
    limits: ctx.limits,
  });
}
