/**
 * Typed calls through the runtime API table, for the node's own paths
 * (nonce and fee queries): they encode their input, call the method by
 * name as `state_call` does, and decode its output, so there is one way in.
 *
 * @module
 */
import type { Header } from "../block/header.ts";
import { decode, encode, t, type ValueOf } from "../codec/types.ts";
import type { ApiHost } from "./api.ts";
import { callRuntimeApiAt } from "./table.ts";
import { runtimeDispatchInfoType } from "./types.ts";

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
