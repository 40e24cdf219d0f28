/**
 * Block sync and gossip, and serving light clients.
 *
 * @module
 */
export { BlockSync, chainHead, SYNC_PROTOCOL, type SyncInit } from "./sync.ts";
export { LIGHT_PROTOCOL, LightServer } from "./light.ts";
export type { PeerView } from "./_peers.ts";
export { type BlockData, decodeBlockData, encodeBlockData } from "./messages.ts";
