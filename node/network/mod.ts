/**
 * The node's network layer: js-libp2p (tcp and WebSockets, noise, yamux, identify, ping,
 * gossipsub, kad-dht) with genesis-scoped gossip topics and request-response
 * protocols, a genesis handshake, peer reputation with temporary bans,
 * bootnodes and reserved nodes, and peer discovery that keeps the node's
 * peer slots filled and remembers peers across restarts.
 *
 * @example
 * ```ts ignore
 * import { loadOrCreateNodeKey, Network } from "./mod.ts";
 * const net = await Network.start({
 *   genesisHash,
 *   privateKey: await loadOrCreateNodeKey(`${basePath}/network/secret_ed25519`),
 *   listen: ["/ip4/127.0.0.1/tcp/30333"],
 *   bootnodes: [],
 * });
 * ```
 *
 * @module
 */

export { loadOrCreateNodeKey, nodeKeyFromSeed } from "./node_key.ts";
export { Network } from "./network.ts";
export type {
  GossipHandler,
  GossipVerdict,
  NetworkOptions,
  PeerEvent,
  PeerInfo,
  RequestHandler,
  Topic,
} from "./types.ts";
export {
  type BlockRef,
  type ChainHead,
  NetworkError,
  NetworkErrorCode,
  type NetworkErrorPayload,
  type RedialInit,
  type Role,
} from "../../client/p2p/mod.ts";
export type { ReputationInit } from "./_reputation.ts";
