/**
 * Block sync and gossip.
 *
 * @module
 */
export { BlockSync, SYNC_PROTOCOL, type SyncInit } from "./sync.ts";
export { type BlockData, decodeBlockData, encodeBlockData } from "./messages.ts";
