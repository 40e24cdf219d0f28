/**
 * JSON-RPC 2.0 errors: the codes the server uses and the error handlers throw.
 *
 * @module
 */

/**
 * The error codes of JSON-RPC 2.0 (§5.1), plus the server errors this server
 * adds in the range the specification reserves for them (-32000 to -32099).
 */
export const ErrorCode = {
  /** Invalid JSON was received. */
  ParseError: -32700,
  /** The JSON sent is not a valid request object (or batch). */
  InvalidRequest: -32600,
  /** The method does not exist or is not available on this transport. */
  MethodNotFound: -32601,
  /** Invalid method parameters. */
  InvalidParams: -32602,
  /** An error inside the server; details are never sent to the client. */
  InternalError: -32603,
  /** The connection already holds `maxSubscriptionsPerConnection` subscriptions (jsonrpsee's code). */
  TooManySubscriptions: -32006,
  /** The answer is over `maxResponseBytes`, so it is not sent (jsonrpsee's code). */
  ResponseTooBig: -32008,
  /**
   * The connection or address made more than `rateLimit` calls in a minute.
   * JSON-RPC and jsonrpsee have no code for it: this one echoes HTTP's 429.
   */
  TooManyRequests: -32029,
} as const;

/**
 * What Substrate answers (with `-32601`) for an unsafe method when the node
 * serves only safe ones (`--rpc-methods safe`, or `auto` with `--rpc-external`).
 */
export const UNSAFE_METHOD_MESSAGE = "RPC call is unsafe to be called externally";

/**
 * An error a handler throws to answer a call with a JSON-RPC error object.
 * Any other exception thrown by a handler is answered with
 * `ErrorCode.InternalError` and a generic message, so no stack leaks.
 *
 * @example
 * ```ts
 * import { ErrorCode, RpcError } from "./error.ts";
 *
 * const error = new RpcError(ErrorCode.InvalidParams, "Invalid params: expected a block hash");
 * console.assert(error.code === -32602);
 * ```
 */
export class RpcError extends Error {
  /** The JSON-RPC error code. */
  readonly code: number;
  /** Extra information for the client, sent as the error's `data` member. */
  readonly data?: unknown;

  /** Makes an error with a code, a message for the client and optional data. */
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    if (data !== undefined) this.data = data;
  }
}
