/**
 * `TransactionPaymentApi` (version 4) and `TransactionPaymentCallApi`
 * (version 3): fees of an extrinsic or of a bare call.
 *
 * The fee comes from the runtime's `PaymentApi.computeFee`, the one place
 * it is computed. Its parts (`FeeDetails`) are read off that function: the
 * base fee is the fee of nothing, the length and weight fees what adding
 * only length or only weight adds to it. That holds because the fee is
 * linear in length and weight (see `pallets/transaction-payment`).
 *
 * @module
 */
import { Reader, t, type ValueOf } from "../codec/types.ts";
import type { DecodedCall } from "../executive/runtime.ts";
import { decodeOrInvalid, weightOf } from "../executive/validity.ts";
import type { DispatchClass, Weight } from "../pallet/pallet.ts";
import type { StateReader } from "../storage/overlay.ts";
import { type ApiHost, method, type RuntimeApi, RuntimeApiError } from "./api.ts";
import { extrinsicType, feeDetailsType, runtimeDispatchInfoType, weightType } from "./types.ts";

type DispatchInfo = ValueOf<typeof runtimeDispatchInfoType>;
type FeeDetails = ValueOf<typeof feeDetailsType>;

const CLASS = { normal: "Normal", operational: "Operational", mandatory: "Mandatory" } as const;

/** The fee of nothing, and what `length` bytes and `weight` each add to it. */
function inclusionFee(
  host: ApiHost,
  state: StateReader,
  length: number,
  weight: Weight,
  cls: DispatchClass,
) {
  const fee = (l: number, w: Weight) =>
    host.executive.runtime.payment.computeFee(state, l, w, cls, 0n);
  const baseFee = fee(0, 0);
  return {
    baseFee,
    lenFee: fee(length, 0) - baseFee,
    adjustedWeightFee: fee(0, weight) - baseFee,
  };
}

/**
 * A bare call's weight (with the base weight of an extrinsic, as the
 * executive counts it for one without a signature), class and whether it pays.
 */
function callInfo(host: ApiHost, call: DecodedCall) {
  return {
    weight: weightOf(call, host.executive.runtime.limits),
    cls: call.spec.class ?? "normal",
    pays: call.spec.paysFee !== false,
  };
}

function dispatchInfo(weight: Weight, cls: DispatchClass, partialFee: bigint): DispatchInfo {
  return {
    weight: { refTime: BigInt(weight), proofSize: 0n },
    class: { tag: CLASS[cls] },
    partialFee,
  };
}

/** The call an extrinsic carries, and its tip; undecodable bytes fail the call. */
function extrinsicCall(host: ApiHost, bytes: Uint8Array, name: string) {
  try {
    const ext = decodeOrInvalid(bytes);
    const call = host.executive.runtime.decodeCall(ext.call);
    return {
      pays: ext.kind === "signed" && call.spec.paysFee !== false,
      tip: ext.kind === "signed" ? ext.extra.tip : 0n,
    };
  } catch (e) {
    throw new RuntimeApiError(
      "RUNTIME_API_BAD_INPUT",
      name,
      `Bad input data provided to ${name}: ${(e as Error).message}`,
    );
  }
}

/** Whether a fee is charged, and the parts of the inclusion fee for `length` bytes and `weight`. */
function feeDetails(
  host: ApiHost,
  state: StateReader,
  pays: boolean,
  length: number,
  weight: Weight,
  cls: DispatchClass,
  tip: bigint,
): FeeDetails {
  return { inclusionFee: pays ? inclusionFee(host, state, length, weight, cls) : undefined, tip };
}

const weightToFee = method({
  inputs: { weight: weightType },
  output: t.balance,
  docs: "Query the output of the current `WeightToFee` given some input.",
  run(host, state, { weight }) {
    if (weight.refTime > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RuntimeApiError(
        "RUNTIME_API_EXECUTION_FAILED",
        "query_weight_to_fee",
        `weight ${weight.refTime} is too large`,
      );
    }
    return inclusionFee(host, state.reader, 0, Number(weight.refTime), "normal").adjustedWeightFee;
  },
});

const lengthToFee = method({
  inputs: { length: t.u32 },
  output: t.balance,
  docs: "Query the output of the current `LengthToFee` given some input.",
  run: (host, state, { length }) => inclusionFee(host, state.reader, length, 0, "normal").lenFee,
});

/** `TransactionPaymentApi`. */
export const transactionPaymentApi: RuntimeApi = {
  api: "TransactionPaymentApi",
  version: 4,
  docs: "The fee an extrinsic would pay, and its parts.",
  methods: {
    query_info: method({
      inputs: { uxt: extrinsicType, len: t.u32 },
      output: runtimeDispatchInfoType,
      docs: "The weight, class and fee (without tip) of an extrinsic of `len` bytes.",
      run(host, state, { uxt, len }) {
        const { pays } = extrinsicCall(host, uxt, "TransactionPaymentApi_query_info");
        const info = host.executive.queryInfo(state.at, uxt);
        const fee = pays
          ? host.executive.runtime.payment.computeFee(
            state.reader,
            len,
            info.weight,
            info.class,
            0n,
          )
          : 0n;
        return dispatchInfo(info.weight, info.class, fee);
      },
    }),
    query_fee_details: method({
      inputs: { uxt: extrinsicType, len: t.u32 },
      output: feeDetailsType,
      docs: "The parts of the fee of an extrinsic of `len` bytes; none for one that pays none.",
      run(host, state, { uxt, len }) {
        const { pays, tip } = extrinsicCall(host, uxt, "TransactionPaymentApi_query_fee_details");
        const info = host.executive.queryInfo(state.at, uxt);
        return feeDetails(host, state.reader, pays, len, info.weight, info.class, tip);
      },
    }),
    query_weight_to_fee: weightToFee,
    query_length_to_fee: lengthToFee,
  },
};

/** `RuntimeCall`, decoded through the runtime the host runs. */
const callType = {
  desc: { kind: "call" as const, name: "RuntimeCall" },
  encodeTo: () => {
    throw new TypeError("Cannot encode RuntimeCall here");
  },
  decodeFrom: (r: Reader): Uint8Array => {
    // The call's extent is known only to the runtime: the method decodes it
    // from the rest of the input (everything but the trailing `len: u32`).
    if (r.remaining < 4) throw new RangeError("unexpected end of input");
    return r.take(r.remaining - 4).slice();
  },
};

function decodeCall(host: ApiHost, bytes: Uint8Array, name: string): DecodedCall {
  try {
    return host.executive.runtime.decodeCall(bytes);
  } catch (e) {
    throw new RuntimeApiError(
      "RUNTIME_API_BAD_INPUT",
      name,
      `Bad input data provided to ${name}: ${(e as Error).message}`,
    );
  }
}

/** `TransactionPaymentCallApi`. */
export const transactionPaymentCallApi: RuntimeApi = {
  api: "TransactionPaymentCallApi",
  version: 3,
  docs: "The fee a call would pay in an extrinsic of a given length.",
  methods: {
    query_call_info: method({
      inputs: { call: callType, len: t.u32 },
      output: runtimeDispatchInfoType,
      docs: "The weight, class and fee of `call` in an extrinsic of `len` bytes.",
      run(host, state, { call, len }) {
        const decoded = decodeCall(host, call, "TransactionPaymentCallApi_query_call_info");
        const info = callInfo(host, decoded);
        const fee = info.pays
          ? host.executive.runtime.payment.computeFee(state.reader, len, info.weight, info.cls, 0n)
          : 0n;
        return dispatchInfo(info.weight, info.cls, fee);
      },
    }),
    query_call_fee_details: method({
      inputs: { call: callType, len: t.u32 },
      output: feeDetailsType,
      docs: "The parts of the fee of `call` in an extrinsic of `len` bytes.",
      run(host, state, { call, len }) {
        const decoded = decodeCall(host, call, "TransactionPaymentCallApi_query_call_fee_details");
        const info = callInfo(host, decoded);
        return feeDetails(host, state.reader, info.pays, len, info.weight, info.cls, 0n);
      },
    }),
    query_weight_to_fee: weightToFee,
    query_length_to_fee: lengthToFee,
  },
};
