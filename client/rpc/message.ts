/**
 * The JSON-RPC 2.0 message shapes: validating a request object and encoding
 * a response object.
 *
 * @module
 */
import { ErrorCode, RpcError } from "./error.ts";

/** A request id; `undefined` marks a notification. */
export type RpcId = string | number | null;

import type { RpcParams } from "./methods.ts";

export type { RpcParams };

/** A validated request object. */
export interface RpcRequest {
  method: string;
  params: RpcParams;
  /** Absent for a notification, which gets no response. */
  id?: RpcId;
}

/** A response object before encoding. */
export type RpcResponse =
  | { jsonrpc: "2.0"; id: RpcId; result: unknown }
  | { jsonrpc: "2.0"; id: RpcId; error: { code: number; message: string; data?: unknown } };

/** Builds a success response; `undefined` results become `null` (JSON has no `undefined`). */
export function success(id: RpcId, result: unknown): RpcResponse {
  return { jsonrpc: "2.0", id, result: result === undefined ? null : result };
}

/** Builds an error response. */
export function failure(id: RpcId, code: number, message: string, data?: unknown): RpcResponse {
  const error = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: "2.0", id, error };
}

/** Builds the error response for a thrown `RpcError`. */
export function failureFrom(id: RpcId, error: RpcError): RpcResponse {
  return failure(id, error.code, error.message, error.data);
}

/** Builds the `-32603` response that stands for any unexpected exception. */
export function internalError(id: RpcId): RpcResponse {
  return failure(id, ErrorCode.InternalError, "Internal error");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is RpcId {
  return value === null || typeof value === "string" || typeof value === "number";
}

/**
 * Validates one request object. Absent or `null` params are taken as `[]`
 * (as jsonrpsee does); any other non-structured params make the request invalid.
 *
 * @returns the request, or the `-32600` response to send for it
 */
export function parseRequest(value: unknown): RpcRequest | RpcResponse {
  if (!isRecord(value)) return failure(null, ErrorCode.InvalidRequest, "Invalid request");
  const hasId = "id" in value;
  if (hasId && !isId(value.id)) {
    return failure(
      null,
      ErrorCode.InvalidRequest,
      "Invalid request: id must be a string, number or null",
    );
  }
  const id = hasId ? value.id as RpcId : null;
  if (value.jsonrpc !== "2.0") {
    return failure(id, ErrorCode.InvalidRequest, 'Invalid request: jsonrpc must be "2.0"');
  }
  if (typeof value.method !== "string") {
    return failure(id, ErrorCode.InvalidRequest, "Invalid request: method must be a string");
  }
  const params = value.params ?? [];
  if (typeof params !== "object") {
    return failure(
      id,
      ErrorCode.InvalidRequest,
      "Invalid request: params must be an array or an object",
    );
  }
  const request: RpcRequest = { method: value.method, params: params as RpcParams };
  if (hasId) request.id = id;
  return request;
}

/** Tells a response (from `parseRequest`) from a request. */
export function isResponse(value: RpcRequest | RpcResponse): value is RpcResponse {
  return "jsonrpc" in value;
}

/**
 * Encodes a response. A result or error data that JSON cannot hold (a
 * `bigint`, a cycle) turns the response into an internal error rather than
 * failing the whole message.
 */
export function encodeResponse(response: RpcResponse): string {
  try {
    return JSON.stringify(response);
  } catch {
    return JSON.stringify(internalError(response.id));
  }
}

/**
 * The UTF-8 size of `text` in bytes. PERF: counted from UTF-16 code units,
 * without encoding; a surrogate pair's two units make its four bytes.
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    bytes += unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

/** Whether `text` is at most `limit` bytes of UTF-8, counting only when its length leaves a doubt. */
export function fitsIn(text: string, limit: number): boolean {
  if (text.length > limit) return false;
  return text.length * 3 <= limit || utf8Length(text) <= limit;
}

/** The error that replaces an answer over `limit` bytes (jsonrpsee's "Response is too big"). */
export function responseTooBig(id: RpcId, limit: number): RpcResponse {
  return failure(id, ErrorCode.ResponseTooBig, "Response is too big", { limit });
}

/** Encodes a response, or, when it is over `limit` bytes, the error that says so. */
export function encodeWithin(response: RpcResponse, limit: number): string {
  const text = encodeResponse(response);
  return fitsIn(text, limit) ? text : encodeResponse(responseTooBig(response.id, limit));
}

/** Encodes a subscription notification, Substrate style. */
export function encodeNotification(method: string, subscription: string, result: unknown): string {
  const params = { subscription, result: result === undefined ? null : result };
  return JSON.stringify({ jsonrpc: "2.0", method, params });
}
