/**
 * The transaction pool: ready and future queues joined by tags, replacement
 * by priority, limits, bans, re-validation on new blocks, and watchers with
 * Substrate's statuses and RPC error codes; kept in step with the chain and
 * the network's transaction gossip.
 *
 * @module
 */
export {
  DEFAULT_BAN_MS,
  DEFAULT_LIMITS,
  FINALITY_TIMEOUT_BLOCKS,
  type ImportListener,
  type PoolLimits,
  type PoolStatus,
  type PoolTransaction,
  type SubmitResult,
  TransactionPool,
  type TransactionPoolInit,
} from "./pool.ts";
export {
  INVALID_REASON_TEXT,
  PoolError,
  PoolErrorCode,
  UNKNOWN_REASON_TEXT,
  validityPoolError,
} from "./errors.ts";
export { isTerminal, type TxStatus, type TxStatusListener } from "./status.ts";
export { followChain } from "./follow_chain.ts";
export { gossipTransactions, type TransactionGossipInit } from "./gossip.ts";
