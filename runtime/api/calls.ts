/**
 * Typed calls through the runtime API table, for the node's own paths
 * (nonce and fee queries, the transaction pool's validation, authoring a
 * block): they encode their input, call the method by name as `state_call`
 * does, and decode its output, so there is one way in.
 *
 * @module
 */
import { blockHash, type DigestItem, type Header, headerType } from "../block/header.ts";
import { decode, encode, t, type ValueOf } from "../codec/types.ts";
import type { SealedState, ValidTransaction } from "../executive/executive.ts";
import {
  invalid,
  type InvalidReason,
  TransactionValidityError,
  type UnknownReason,
} from "../executive/validity.ts";
import { type ApiHost, ApiState } from "./api.ts";
import { callRuntimeApi, callRuntimeApiAt } from "./table.ts";
import {
  applyExtrinsicResultType,
  extrinsicType,
  inherentDataType,
  runtimeDispatchInfoType,
  TIMESTAMP_INHERENT,
  transactionSourceType,
  transactionValidityType,
} from "./types.ts";

/**
 * `AccountNonceApi_account_nonce`: the nonce of `account` at `at`.
 *
 * @example
 * ```ts
 * import { accountNonceAt } from "./calls.ts";
 * import { dev, TestExt } from "../testing/mod.ts";
 * const ext = new TestExt();
 * if (accountNonceAt(ext, ext.parent, dev.alice.publicKey) !== 0) throw new Error("nonce");
 * ```
 */
export function accountNonceAt(host: ApiHost, at: Header, account: Uint8Array): number {
  return decode(t.u32, callRuntimeApiAt(host, at, "AccountNonceApi_account_nonce", account));
}

/**
 * `TransactionPaymentApi_query_info` for an extrinsic of its own length.
 *
 * @throws {RuntimeApiError} RUNTIME_API_BAD_INPUT when `uxt` is not an extrinsic of this runtime
 */
export function queryInfoAt(
  host: ApiHost,
  at: Header,
  uxt: Uint8Array,
): ValueOf<typeof runtimeDispatchInfoType> {
  const input = new Uint8Array([...uxt, ...encode(t.u32, uxt.length)]);
  return decode(
    runtimeDispatchInfoType,
    callRuntimeApiAt(host, at, "TransactionPaymentApi_query_info", input),
  );
}

const validateInput = t.struct("ValidateTransactionInput", {
  source: transactionSourceType,
  tx: extrinsicType,
  blockHash: t.hash,
});

/**
 * `TaggedTransactionQueue_validate_transaction` of `tx` (an encoded
 * extrinsic, length prefix included) arriving from outside, on the block
 * after `at`.
 *
 * @throws {TransactionValidityError} when the runtime finds it invalid, or
 * `Invalid(Call)` when `tx` is not one length-prefixed extrinsic
 */
export function validateTransactionAt(
  host: ApiHost,
  at: Header,
  tx: Uint8Array,
): ValidTransaction {
  if (!isOneExtrinsic(tx)) throw invalid("Call", "not one length-prefixed extrinsic");
  const input = encode(validateInput, {
    source: { tag: "External" },
    tx,
    blockHash: blockHash(at),
  });
  const validity = decode(
    transactionValidityType,
    callRuntimeApiAt(host, at, "TaggedTransactionQueue_validate_transaction", input),
  );
  if (validity.tag === "Ok") return validity.value;
  refused(validity, "TaggedTransactionQueue_validate_transaction");
}

/** Whether `bytes` is exactly one extrinsic as `extrinsicType` reads it. */
function isOneExtrinsic(bytes: Uint8Array): boolean {
  try {
    return decode(extrinsicType, bytes).length === bytes.length;
  } catch {
    return false;
  }
}

/** Throws the validity error a runtime API answered with. */
function refused(
  error: ValueOf<typeof transactionValidityType> & { tag: "Err" },
  by: string,
): never {
  const { tag: kind, value: { tag: reason } } = error.value;
  // The runtime answers only the reasons its TransactionValidityError has
  // (validityErrorValue); the SCALE enum lists Substrate's others too.
  throw new TransactionValidityError(
    kind,
    reason as InvalidReason | UnknownReason,
    `refused by ${by}`,
  );
}

/**
 * A block authored through the runtime API table, as a Substrate node's
 * proposer drives it: `Core_initialize_block` with the pre-runtime
 * digest, the inherents from `BlockBuilder_inherent_extrinsics`, then
 * `BlockBuilder_apply_extrinsic` for each transaction. `finish` seals the
 * state those calls built (what `BlockBuilder_finalize_block` would give as
 * a header only), for the node to import.
 */
export class TableBlockBuilder {
  readonly #host: ApiHost;
  readonly #state: ApiState;

  /** Starts a block on `parent` with `digest`, its timestamp inherent at `timestampMs`. */
  constructor(host: ApiHost, parent: Header, digest: DigestItem[], timestampMs: bigint) {
    this.#host = host;
    this.#state = new ApiState(host, parent);
    const zero = new Uint8Array(32);
    this.#call(
      "Core_initialize_block",
      encode(headerType, {
        parentHash: blockHash(parent),
        number: parent.number + 1,
        stateRoot: zero,
        extrinsicsRoot: zero,
        digest,
      }),
    );
    const now = encode(t.u64, timestampMs);
    const inherents = decode(
      t.vec(extrinsicType),
      this.#call(
        "BlockBuilder_inherent_extrinsics",
        encode(inherentDataType, [[TIMESTAMP_INHERENT, now]]),
      ),
    );
    for (const inherent of inherents) this.applyExtrinsic(inherent);
  }

  /**
   * Applies `tx` (an encoded extrinsic, length prefix included); a dispatch
   * failure is still included.
   *
   * @throws {TransactionValidityError} when it cannot go into this block
   */
  applyExtrinsic(tx: Uint8Array): void {
    const result = decode(applyExtrinsicResultType, this.#call("BlockBuilder_apply_extrinsic", tx));
    if (result.tag === "Err") refused(result, "BlockBuilder_apply_extrinsic");
  }

  /** Seals the block: roots computed, the state's new nodes ready to commit. */
  finish(): SealedState {
    return this.#state.blockBuilder(this.#host).finish();
  }

  #call(name: string, input: Uint8Array): Uint8Array {
    return callRuntimeApi(this.#host, this.#state, name, input);
  }
}
