/**
 * Pool errors with Substrate's author RPC codes, messages and data, so a
 * client written for a Substrate node reads them the same way.
 *
 * @module
 */
import type {
  InvalidReason,
  TransactionValidityError,
  UnknownReason,
} from "../../runtime/executive/validity.ts";

/** Substrate's author RPC error codes for pool errors (`sc-rpc-api` `author::error`). */
export const PoolErrorCode = {
  /** The transaction is invalid (data: the reason). */
  InvalidTransaction: 1010,
  /** Validity could not be decided (data: the reason). */
  UnknownValidity: 1011,
  /** The transaction was recently found invalid, dropped or included. */
  TemporarilyBanned: 1012,
  /** The same transaction is already in the pool. */
  AlreadyImported: 1013,
  /** A transaction providing the same tag has an equal or higher priority. */
  TooLowPriority: 1014,
  /** The pool is full and the transaction ranks lowest. */
  ImmediatelyDropped: 1016,
} as const;

/** One of {@link PoolErrorCode}. */
export type PoolErrorCode = typeof PoolErrorCode[keyof typeof PoolErrorCode];

/** Why a transaction did not enter the pool: a JSON-RPC error code, message and data. */
export class PoolError extends Error {
  override name = "PoolError";
  constructor(
    readonly code: PoolErrorCode,
    message: string,
    readonly data?: string,
  ) {
    super(message);
  }
}

/** Substrate's words for each `InvalidTransaction` (`sp-runtime` `transaction_validity`). */
export const INVALID_REASON_TEXT: Record<InvalidReason, string> = {
  Call: "Transaction call is not expected",
  Payment: "Inability to pay some fees (e.g. account balance too low)",
  Future: "Transaction will be valid in the future",
  Stale: "Transaction is outdated",
  BadProof: "Transaction has a bad signature",
  AncientBirthBlock: "Transaction has an ancient birth block",
  ExhaustsResources: "Transaction would exhaust the block limits",
  BadMandatory: "A call was labelled as mandatory, but resulted in an Error.",
  MandatoryValidation: "Transaction dispatch is mandatory; transactions must not be validated.",
  BadSigner: "Invalid signing address",
};

/** Substrate's words for each `UnknownTransaction`. */
export const UNKNOWN_REASON_TEXT: Record<UnknownReason, string> = {
  CannotLookup: "Could not lookup information required to validate the transaction",
  NoUnsignedValidator: "Could not find an unsigned validator for the unsigned transaction",
};

/** The pool error for a validity error: 1010 with the reason's text, or 1011. */
export function validityPoolError(e: TransactionValidityError): PoolError {
  return e.kind === "Invalid"
    ? new PoolError(
      PoolErrorCode.InvalidTransaction,
      "Invalid Transaction",
      INVALID_REASON_TEXT[e.reason as InvalidReason],
    )
    : new PoolError(
      PoolErrorCode.UnknownValidity,
      "Unknown Transaction Validity",
      UNKNOWN_REASON_TEXT[e.reason as UnknownReason],
    );
}

/** 1012: the hash is banned for a while. */
export function bannedError(): PoolError {
  return new PoolError(PoolErrorCode.TemporarilyBanned, "Transaction is temporarily banned");
}

/** 1013: the same transaction is in the pool (data: its hash). */
export function alreadyImportedError(hashHex: string): PoolError {
  return new PoolError(PoolErrorCode.AlreadyImported, "Transaction Already Imported", hashHex);
}

/** 1014: a transaction providing the same tag is at least as good (data: `(old vs new)`). */
export function tooLowPriorityError(old: bigint, priority: bigint): PoolError {
  return new PoolError(
    PoolErrorCode.TooLowPriority,
    "Priority is too low",
    `(${old} vs ${priority})`,
  );
}

/** 1016: the pool is full and the new transaction is the one that gave way. */
export function immediatelyDroppedError(): PoolError {
  return new PoolError(
    PoolErrorCode.ImmediatelyDropped,
    "Immediately Dropped",
    "The transaction couldn't enter the pool because of the limit",
  );
}
