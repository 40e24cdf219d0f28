/**
 * Substrate's state errors, as full nodes and light clients answer them:
 * code 4003 with `Client error: …`.
 *
 * @module
 */
import type { RuntimeApiError } from "../../runtime/api/api.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { RpcError } from "./error.ts";

/** Substrate's state error for anything the client cannot do (`Error::Client`). */
export const CLIENT_ERROR = 4003;

/** The RPC error for a failed runtime API call, in Substrate's words. */
export function runtimeApiRpcError(e: RuntimeApiError): RpcError {
  // A Substrate node says "Execution failed: Other: Exported method X is not
  // found" for a method its runtime does not export.
  const detail = e.code === "RUNTIME_API_UNKNOWN_METHOD" ? `Other: ${e.message}` : e.message;
  return new RpcError(CLIENT_ERROR, `Client error: Execution failed: ${detail}`);
}

/** The error for a block hash the node does not know. */
export function unknownBlock(hash: Uint8Array): RpcError {
  return new RpcError(CLIENT_ERROR, "Client error: unknown block", toHex(hash));
}
