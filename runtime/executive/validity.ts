/**
 * Why a transaction is invalid, and how a dispatch failed: the types
 * Substrate reports, with the same names and SCALE layouts.
 *
 * An invalid transaction is never included in a block; a dispatch failure is
 * included (its fee is paid) and reported by `System.ExtrinsicFailed`.
 *
 * @module
 */
import { t, type ValueOf } from "../codec/types.ts";
import type { SignatureType } from "../crypto/multi_signature.ts";
import { AddressLookupError, decodeExtrinsic, type Extrinsic } from "../extrinsic/extrinsic.ts";
import { DispatchError, ModuleError } from "../pallet/errors.ts";
import type { DispatchClass, Weight } from "../pallet/pallet.ts";
import type { BlockLimits, DecodedCall } from "./runtime.ts";

/** Reasons a transaction is invalid, as Substrate's `InvalidTransaction`. */
export type InvalidReason =
  | "Call"
  | "Payment"
  | "Future"
  | "Stale"
  | "BadProof"
  | "AncientBirthBlock"
  | "ExhaustsResources"
  | "BadMandatory"
  | "MandatoryValidation"
  | "BadSigner";

/** Reasons validity cannot be decided, as Substrate's `UnknownTransaction`. */
export type UnknownReason = "CannotLookup" | "NoUnsignedValidator";

/** A transaction that must not be included; `detail` says why in words. */
export class TransactionValidityError extends Error {
  override name = "TransactionValidityError";
  constructor(
    readonly kind: "Invalid" | "Unknown",
    readonly reason: InvalidReason | UnknownReason,
    readonly detail: string,
  ) {
    super(`${kind} transaction (${reason}): ${detail}`);
  }
}

/** Shorthand for an `Invalid` validity error. */
export function invalid(reason: InvalidReason, detail: string): TransactionValidityError {
  return new TransactionValidityError("Invalid", reason, detail);
}

/** SCALE type of a dispatch error, with Substrate's variant indices. */
export const dispatchErrorType = t.enum("DispatchError", {
  Other: null,
  CannotLookup: null,
  BadOrigin: null,
  Module: t.struct("ModuleError", { index: t.u8, error: t.fixedBytes(4) }),
  ConsumerRemaining: null,
  NoProviders: null,
  Arithmetic: t.enum("ArithmeticError", { Underflow: null, Overflow: null, DivisionByZero: null }),
  Exhausted: null,
}, {
  Other: 0,
  CannotLookup: 1,
  BadOrigin: 2,
  Module: 3,
  ConsumerRemaining: 4,
  NoProviders: 5,
  Arithmetic: 8,
  Exhausted: 10,
});

/** A dispatch error as recorded in events. */
export type DispatchErrorValue = ValueOf<typeof dispatchErrorType>;

/** SCALE type of dispatch info. */
export const dispatchInfoType = t.struct("DispatchInfo", {
  weight: t.struct("Weight", { refTime: t.compactU64, proofSize: t.compactU64 }),
  class: t.enum("DispatchClass", { Normal: null, Operational: null, Mandatory: null }),
  paysFee: t.enum("Pays", { Yes: null, No: null }),
});

/** Dispatch info as recorded in events. */
export type DispatchInfoValue = ValueOf<typeof dispatchInfoType>;

/** Dispatch info of a call. */
export function dispatchInfo(
  weight: Weight,
  cls: DispatchClass,
  paysFee: boolean,
): DispatchInfoValue {
  const tag = cls === "normal" ? "Normal" : cls === "operational" ? "Operational" : "Mandatory";
  return {
    weight: { refTime: BigInt(weight), proofSize: 0n },
    class: { tag },
    paysFee: { tag: paysFee ? "Yes" : "No" },
  };
}

/**
 * The dispatch error for something a call threw, given the index of each
 * pallet by name. Anything that is neither a `ModuleError` nor a
 * `DispatchError` is a bug and is thrown on.
 */
export function toDispatchError(
  e: unknown,
  palletIndex: (name: string) => number,
): DispatchErrorValue {
  if (e instanceof ModuleError) {
    return {
      tag: "Module",
      value: { index: palletIndex(e.pallet), error: new Uint8Array([e.index, 0, 0, 0]) },
    };
  }
  if (e instanceof DispatchError) {
    if (e.kind === "Arithmetic") {
      return {
        tag: "Arithmetic",
        value: { tag: e.message.includes("underflow") ? "Underflow" : "Overflow" },
      };
    }
    return { tag: e.kind };
  }
  throw e;
}

/**
 * Decodes an extrinsic; undecodable bytes are an invalid `Call`, an address
 * that names no account is an unknown `CannotLookup` (as in Substrate).
 */
export function decodeOrInvalid(bytes: Uint8Array): Extrinsic {
  try {
    return decodeExtrinsic(bytes);
  } catch (e) {
    if (e instanceof AddressLookupError) {
      throw new TransactionValidityError("Unknown", "CannotLookup", e.message);
    }
    throw invalid("Call", (e as Error).message);
  }
}

/**
 * The weight of an extrinsic carrying `call`: the base every extrinsic
 * costs (signature, nonce, fee, events) plus what the call declares for its
 * arguments, and, for a signed one, what its kind of signature costs to
 * verify over ed25519 (the base was measured with ed25519). Fees and block
 * budgets both count it.
 */
export function weightOf(
  call: DecodedCall,
  limits: BlockLimits,
  signature?: SignatureType,
): Weight {
  const w = call.spec.weight;
  const extra = signature ? limits.signatureExtraWeight?.[signature] ?? 0 : 0;
  return limits.extrinsicBaseWeight + extra + (typeof w === "function" ? w(call.args) : w);
}
