/**
 * Reading JSON-RPC params: positional as Substrate's clients send them, with
 * `-32602 Invalid params` naming what is wrong.
 *
 * @module
 */
import { fromHex } from "../../runtime/primitives/hex.ts";
import { ErrorCode, RpcError } from "./error.ts";
import type { RpcParams } from "./methods.ts";

/** Positional params (an object is refused: Substrate's methods are positional). */
export function positional(params: RpcParams): unknown[] {
  if (!Array.isArray(params)) {
    throw new RpcError(ErrorCode.InvalidParams, "Invalid params: expected an array");
  }
  return params;
}

/** Param `i` as `0x` hex bytes (optionally of `length`); `undefined`/`null` when `optional`. */
export function hexParam(params: unknown[], i: number, what: string, length?: number): Uint8Array;
export function hexParam(
  params: unknown[],
  i: number,
  what: string,
  length: number | undefined,
  optional: true,
): Uint8Array | undefined;
export function hexParam(
  params: unknown[],
  i: number,
  what: string,
  length?: number,
  optional = false,
): Uint8Array | undefined {
  const value = params[i];
  if ((value === undefined || value === null) && optional) return undefined;
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) {
    throw new RpcError(ErrorCode.InvalidParams, `Invalid params: ${what} must be 0x-prefixed hex`);
  }
  const bytes = fromHex(value);
  if (length !== undefined && bytes.length !== length) {
    throw new RpcError(ErrorCode.InvalidParams, `Invalid params: ${what} must be ${length} bytes`);
  }
  return bytes;
}

/** Param `i` as a non-negative integer (a number or a hex string), or `undefined`. */
export function numberParam(params: unknown[], i: number, what: string): number | undefined {
  const value = params[i];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === "string" && value.startsWith("0x") ? parseInt(value, 16) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new RpcError(ErrorCode.InvalidParams, `Invalid params: ${what} must be a block number`);
  }
  return n;
}
