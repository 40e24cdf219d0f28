/**
 * What a libp2p peer of the chain speaks, full node and light client alike
 * (the node's network in `node/network/`, the browser's light transport in
 * `client/light/`): the chain-scoped protocol ids, one length-prefixed
 * frame each way per request, the status handshake both sides send on
 * connecting, the errors of a request, and the redialling of the peers a
 * node was told of.
 *
 * @module
 */
export { chainScope, protocolId } from "./scope.ts";
export { readFrame, writeFrame } from "./frame.ts";
export { type Exchange, type RequestLimits, sendRequest, serveRequest } from "./request.ts";
export {
  type BlockRef,
  type ChainHead,
  decodeStatus,
  encodeStatus,
  localStatus,
  MAX_STATUS_BYTES,
  type Role,
  type Status,
  STATUS_PROTOCOL,
} from "./status.ts";
export { NetworkError, NetworkErrorCode, type NetworkErrorPayload } from "./errors.ts";
export { KeptPeers, peerIdOf, type RedialInit } from "./kept_peers.ts";
