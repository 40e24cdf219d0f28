/**
 * Block sync and gossip.
 *
 * @module
 */
export { BlockSync, chainHead, SYNC_PROTOCOL, type SyncInit } from "./sync.ts";
export type { PeerView } from "./_peers.ts";
export { type BlockData, decodeBlockData, encodeBlockData } from "./messages.ts";
