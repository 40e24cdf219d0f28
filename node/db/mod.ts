/**
 * The node's persistent storage (LevelDB).
 *
 * @module
 */
export { type BlockRecord, ChainDatabase, type MetaKey } from "./database.ts";
