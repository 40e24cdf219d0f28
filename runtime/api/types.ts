/**
 * The SCALE types runtime APIs take and return, with Substrate's layouts:
 * `RuntimeVersion`, `TransactionValidity`, `ApplyExtrinsicResult`,
 * `RuntimeDispatchInfo`, `FeeDetails`, `InherentData` and the rest.
 *
 * Nothing here knows a pallet: these are the shapes of
 * `sp-version`, `sp-runtime`, `sp-inherents` and
 * `pallet-transaction-payment`'s types, so metadata can list them too.
 *
 * @module
 */
import { headerType } from "../block/header.ts";
import { DecodeError, readCompact, t, type Type, type ValueOf } from "../codec/types.ts";
import { type RuntimeVersion, runtimeVersionType } from "../executive/runtime.ts";
import {
  dispatchErrorType,
  type InvalidReason,
  type TransactionValidityError,
  type UnknownReason,
} from "../executive/validity.ts";
import { blake2bInto } from "../primitives/blake2b.ts";
import { fromHex, toHex } from "../primitives/hex.ts";

/**
 * The id of a runtime API: the blake2b-64 of its name, as `sp-api`'s
 * `decl_runtime_apis!` derives it (`Core` → `0xdf6acb689907609b`).
 *
 * @example
 * ```ts
 * import { apiId } from "./types.ts";
 * if (apiId("Core") !== "0xdf6acb689907609b") throw new Error("Core's id");
 * ```
 */
export function apiId(name: string): string {
  const input = new TextEncoder().encode(name);
  const out = new Uint8Array(8);
  blake2bInto(input, 0, input.length, out, 0, 8);
  return toHex(out);
}

/**
 * `Block::Extrinsic` (`UncheckedExtrinsic`): its SCALE form is its bytes
 * behind a compact length, and the value kept is that whole form (as the
 * executive and the pool hold extrinsics).
 */
export const extrinsicType: Type<Uint8Array> = {
  desc: { kind: "bytes", name: "UncheckedExtrinsic" },
  encodeTo: (w, v) => w.bytes(v),
  decodeFrom: (r) => {
    const start = r.pos;
    const length = Number(readCompact(r, 0xffffffffn));
    if (length > r.remaining) {
      throw new DecodeError(`extrinsic of ${length} bytes exceeds the ${r.remaining} remaining`);
    }
    r.take(length);
    return r.bytes.slice(start, r.pos);
  },
};

/** `Block`: a header and its extrinsics. */
export const blockType = t.struct("Block", {
  header: headerType,
  extrinsics: t.vec(extrinsicType),
});

export { runtimeVersionType } from "../executive/runtime.ts";

/** SCALE of a runtime version with its API list (`[id hex, version]` pairs). */
export function encodeRuntimeVersion(
  version: RuntimeVersion,
  apis: readonly (readonly [string, number])[],
): ValueOf<typeof runtimeVersionType> {
  return {
    specName: version.specName,
    implName: version.implName,
    authoringVersion: version.authoringVersion,
    specVersion: version.specVersion,
    implVersion: version.implVersion,
    apis: apis.map(([id, v]) => [fromHex(id), v]),
    transactionVersion: version.transactionVersion,
    stateVersion: version.stateVersion,
  };
}

/** `sp_runtime::ExtrinsicInclusionMode` (`Core_initialize_block` since Core 5). */
export const extrinsicInclusionModeType = t.enum("ExtrinsicInclusionMode", {
  AllExtrinsics: null,
  OnlyInherents: null,
});

/** `sp_runtime::transaction_validity::TransactionSource`. */
export const transactionSourceType = t.enum("TransactionSource", {
  InBlock: null,
  Local: null,
  External: null,
});

/** `InvalidTransaction`, with Substrate's variant indices. */
export const invalidTransactionType = t.enum("InvalidTransaction", {
  Call: null,
  Payment: null,
  Future: null,
  Stale: null,
  BadProof: null,
  AncientBirthBlock: null,
  ExhaustsResources: null,
  Custom: t.u8,
  BadMandatory: null,
  MandatoryValidation: null,
  BadSigner: null,
  IndeterminateImplicit: null,
  UnknownOrigin: null,
});

/** `UnknownTransaction`. */
export const unknownTransactionType = t.enum("UnknownTransaction", {
  CannotLookup: null,
  NoUnsignedValidator: null,
  Custom: t.u8,
});

/** `TransactionValidityError`: `Invalid(InvalidTransaction)` or `Unknown(UnknownTransaction)`. */
export const transactionValidityErrorType = t.enum("TransactionValidityError", {
  Invalid: invalidTransactionType,
  Unknown: unknownTransactionType,
});

/** The SCALE value of a validity error the executive threw. */
export function validityErrorValue(
  e: TransactionValidityError,
): ValueOf<typeof transactionValidityErrorType> {
  return e.kind === "Invalid"
    ? { tag: "Invalid", value: { tag: e.reason as InvalidReason } }
    : { tag: "Unknown", value: { tag: e.reason as UnknownReason } };
}

/** `ValidTransaction`. */
export const validTransactionType = t.struct("ValidTransaction", {
  priority: t.u64,
  requires: t.vec(t.bytes),
  provides: t.vec(t.bytes),
  longevity: t.u64,
  propagate: t.bool,
});

/** `Result<T, E>`: `Ok` is variant 0, `Err` variant 1. */
export function resultType<T, E>(
  name: string,
  ok: Type<T>,
  err: Type<E>,
): Type<{ tag: "Ok"; value: T } | { tag: "Err"; value: E }> {
  return t.enum(name, { Ok: ok, Err: err }) as Type<
    { tag: "Ok"; value: T } | { tag: "Err"; value: E }
  >;
}

/** `TransactionValidity = Result<ValidTransaction, TransactionValidityError>`. */
export const transactionValidityType = resultType(
  "TransactionValidity",
  validTransactionType,
  transactionValidityErrorType,
);

/** `ApplyExtrinsicResult = Result<DispatchOutcome, TransactionValidityError>`, `DispatchOutcome = Result<(), DispatchError>`. */
export const applyExtrinsicResultType = resultType(
  "ApplyExtrinsicResult",
  resultType("DispatchOutcome", t.unit, dispatchErrorType),
  transactionValidityErrorType,
);

/** `sp_weights::Weight` (v2): both parts compact. */
export const weightType = t.struct("Weight", { refTime: t.compactU64, proofSize: t.compactU64 });

/** `DispatchClass`. */
export const dispatchClassType = t.enum("DispatchClass", {
  Normal: null,
  Operational: null,
  Mandatory: null,
});

/** `RuntimeDispatchInfo<Balance, Weight>` (TransactionPaymentApi ≥ 2). */
export const runtimeDispatchInfoType = t.struct("RuntimeDispatchInfo", {
  weight: weightType,
  class: dispatchClassType,
  partialFee: t.balance,
});

/** `FeeDetails<Balance>`: the inclusion fee's parts (none for an extrinsic that pays none) and the tip. */
export const feeDetailsType = t.struct("FeeDetails", {
  inclusionFee: t.option(t.struct("InclusionFee", {
    baseFee: t.balance,
    lenFee: t.balance,
    adjustedWeightFee: t.balance,
  })),
  tip: t.balance,
});

/** `sp_inherents::InherentData`: a `BTreeMap<[u8; 8], Vec<u8>>`, sorted by identifier. */
export const inherentDataType = t.vec(t.tuple(t.fixedBytes(8), t.bytes));

/** `sp_inherents::CheckInherentsResult`. */
export const checkInherentsResultType = t.struct("CheckInherentsResult", {
  okay: t.bool,
  fatalError: t.bool,
  errors: inherentDataType,
});

/** The identifier of the timestamp inherent's data (`sp_timestamp::INHERENT_IDENTIFIER`). */
export const TIMESTAMP_INHERENT = new TextEncoder().encode("timstap0");
