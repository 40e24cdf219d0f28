/**
 * Why a block was not imported or finalized.
 *
 * @module
 */
import { toHex } from "../../runtime/primitives/hex.ts";

/** Codes of import errors, with the payload each carries. */
export type ImportErrorCode =
  | "IMPORT_ERROR_UNKNOWN_PARENT"
  | "IMPORT_ERROR_BELOW_FINALIZED"
  | "IMPORT_ERROR_NOT_DESCENDANT"
  | "IMPORT_ERROR_BAD_SEAL"
  | "IMPORT_ERROR_WRONG_AUTHOR"
  | "IMPORT_ERROR_FUTURE_SLOT"
  | "IMPORT_ERROR_EXECUTION";

/** A block this node will not import (or finalize). */
export class ImportError extends Error {
  override name = "ImportError";
  constructor(readonly code: ImportErrorCode, readonly payload: Record<string, unknown>) {
    super(`${code}: ${JSON.stringify(payload)}`);
  }
}

/** A state the node no longer keeps (`--state-pruning`), in Substrate's words. */
export class StateDiscardedError extends Error {
  override name = "StateDiscardedError";
  constructor(readonly hash: Uint8Array) {
    super(`State already discarded for ${toHex(hash)}`);
  }
}
