/**
 * Runtime APIs, as Substrate's `state_call` serves them: `Core`, `Metadata`,
 * `BlockBuilder`, `TaggedTransactionQueue`, `AccountNonceApi`,
 * `TransactionPaymentApi`, `TransactionPaymentCallApi`, `SessionKeys`,
 * `GrandpaApi` and `AuraApi`, each method with Substrate's SCALE input and
 * output.
 *
 * @example
 * ```ts
 * import { callRuntimeApiAt } from "./mod.ts";
 * import { TestExt } from "../testing/mod.ts";
 * const ext = new TestExt();
 * const out = callRuntimeApiAt(ext, ext.parent, "AuraApi_slot_duration", new Uint8Array());
 * if (out.length !== 8) throw new Error("a u64");
 * ```
 *
 * @module
 */
export {
  type ApiHost,
  ApiState,
  method,
  type RuntimeApi,
  RuntimeApiError,
  type RuntimeApiErrorCode,
  type RuntimeApiMetadata,
  type RuntimeApiMethod,
} from "./api.ts";
export {
  callRuntimeApi,
  callRuntimeApiAt,
  RUNTIME_API_METADATA,
  RUNTIME_API_VERSIONS,
  RUNTIME_APIS,
  runtimeApiMetadata,
} from "./table.ts";
export { accountNonceAt, queryInfoAt, TableBlockBuilder, validateTransactionAt } from "./calls.ts";
export * from "./types.ts";
