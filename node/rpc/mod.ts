/**
 * The node's JSON-RPC 2.0 server (HTTP and WebSocket, Substrate-style
 * subscriptions). Chain methods are registered on it by the node.
 *
 * @module
 */
export { ErrorCode, RpcError, UNSAFE_METHOD_MESSAGE } from "../../client/rpc/error.ts";
export { isLoopback } from "./_hosts.ts";
export {
  clientAddress,
  type MethodOptions,
  type RpcFetch,
  type RpcHandler,
  type RpcListener,
  type RpcParams,
  RpcServer,
  type RpcServerOptions,
  type StopSubscription,
  type SubscriptionSpec,
} from "./server.ts";
