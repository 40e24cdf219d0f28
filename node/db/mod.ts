/**
 * The node's persistent storage (LevelDB).
 *
 * @module
 */
export {
  type BlockRecord,
  ChainDatabase,
  type ChainDatabaseOptions,
  type FinalityRecord,
  type MetaKey,
} from "./database.ts";
export { DEFAULT_PRUNING, type KeepBlocks, parseKeepBlocks, type Pruning } from "./pruning.ts";
