/**
 * Errors of the network layer, each with a code and a payload, so that callers
 * (sync, the RPC) can tell a slow peer from a broken one without parsing text.
 *
 * @module
 */

/** What went wrong in a network operation. */
export enum NetworkErrorCode {
  /** The node key file exists but does not hold an ed25519 libp2p key. */
  NodeKeyInvalid = "NETWORK_NODE_KEY_INVALID",
  /** No response arrived before the deadline. */
  RequestTimeout = "NETWORK_REQUEST_TIMEOUT",
  /** The remote handler failed and said why. */
  RemoteError = "NETWORK_REMOTE_ERROR",
  /** The peer could not be reached, closed the stream or sent garbage. */
  RequestFailed = "NETWORK_REQUEST_FAILED",
  /** The network was stopped, or not started. */
  NotRunning = "NETWORK_NOT_RUNNING",
}

/** Details of a {@link NetworkError}. */
export interface NetworkErrorPayload {
  /** The peer involved, when there is one. */
  peerId?: string;
  /** The full (genesis-scoped) protocol id, when there is one. */
  protocol?: string;
  /** The file involved, when there is one. */
  path?: string;
}

/**
 * An error of the network layer.
 *
 * @example
 * ```ts
 * import { NetworkError, NetworkErrorCode } from "./errors.ts";
 * const err = new NetworkError(NetworkErrorCode.RequestTimeout, "Request timed out: after 5000 ms");
 * console.assert(err.code === "NETWORK_REQUEST_TIMEOUT");
 * ```
 */
export class NetworkError extends Error {
  /** Builds an error with a code, a message and details. */
  constructor(
    readonly code: NetworkErrorCode,
    message: string,
    readonly payload: NetworkErrorPayload = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "NetworkError";
  }
}
