/**
 * Substrate's JSON-RPC methods over the node's chain client and pool.
 *
 * @module
 */
export { type ChainApiContext, registerChainApi } from "./chain_api.ts";
export { type AuthorApiContext, registerAuthorApi } from "./author_api.ts";
export { type ArchiveApiContext, registerArchiveApi } from "./archive/mod.ts";
export { blockJson, headerJson } from "../../client/rpc/format.ts";
export { type GrandpaApiContext, registerGrandpaApi } from "./grandpa_api.ts";
export { registerStateCallApi, type StateCallApiContext } from "./state_call_api.ts";
export {
  type ChainHeadContext,
  DEFAULT_FOLLOW_LIMITS,
  type FollowLimits,
  registerChainHeadApi,
} from "./chain_head/mod.ts";
export { type ChainSpecApiContext, registerChainSpecApi } from "./chain_spec_api.ts";
export { registerSyncStateApi, type SyncStateApiContext } from "./sync_state_api.ts";
export { registerTransactionApi, type TransactionApiContext } from "./transaction_api.ts";
