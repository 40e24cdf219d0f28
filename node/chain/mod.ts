/**
 * The chain client: block tree, import, fork choice and finality over the
 * database.
 *
 * @module
 */
export {
  type BestChange,
  ChainClient,
  type ChainClientInit,
  type ImportedBlock,
  type SealVerifier,
} from "./client.ts";
export { ImportError, type ImportErrorCode, StateDiscardedError } from "./errors.ts";
export type { Route, TreeBlock } from "./_tree.ts";
