/**
 * THE runtime API table: every API the runtime serves, by name, with its
 * Substrate version; the node's paths (`state_call`, the pool, fee and
 * nonce queries) call through it.
 *
 * @module
 */
import { slotDuration } from "../../pallets/authorship/mod.ts";
import type { Header } from "../block/header.ts";
import {
  type ApiHost,
  ApiState,
  type RuntimeApi,
  RuntimeApiError,
  type RuntimeApiMetadata,
  type RuntimeApiMethod,
} from "./api.ts";
import { blockBuilderApi } from "./block_builder.ts";
import { auraApi, grandpaApi, sessionKeysApi } from "./consensus.ts";
import { coreApi } from "./core.ts";
import { metadataApi } from "./metadata.ts";
import { transactionPaymentApi, transactionPaymentCallApi } from "./transaction_payment.ts";
import { accountNonceApi, taggedTransactionQueueApi } from "./transaction_queue.ts";
import { apiId } from "./types.ts";

/** The runtime APIs, in the order `RuntimeVersion.apis` lists them. */
export const RUNTIME_APIS: readonly RuntimeApi[] = [
  coreApi(() => RUNTIME_API_VERSIONS),
  metadataApi(() => RUNTIME_API_METADATA),
  blockBuilderApi((state) => slotDuration(state.reader)),
  taggedTransactionQueueApi,
  accountNonceApi,
  transactionPaymentApi,
  transactionPaymentCallApi,
  sessionKeysApi,
  grandpaApi,
  auraApi,
];

/** `RuntimeVersion.apis`: `[blake2_64(name) as hex, version]` for every API. */
export const RUNTIME_API_VERSIONS: readonly (readonly [string, number])[] = RUNTIME_APIS.map((
  api,
) => [apiId(api.api), api.version] as const);

const byMethod = new Map<string, RuntimeApiMethod>(
  RUNTIME_APIS.flatMap((api) =>
    Object.entries(api.methods).map(([name, m]) => [`${api.api}_${name}`, m] as const)
  ),
);

/**
 * Calls runtime API method `name` (`Api_method`, e.g.
 * `AccountNonceApi_account_nonce`) with SCALE `input` on `state`, giving its
 * SCALE output.
 *
 * @throws {RuntimeApiError} for an unknown method, input that does not decode, or a failed execution
 */
export function callRuntimeApi(
  host: ApiHost,
  state: ApiState,
  name: string,
  input: Uint8Array,
): Uint8Array {
  const method = byMethod.get(name);
  if (!method) {
    throw new RuntimeApiError(
      "RUNTIME_API_UNKNOWN_METHOD",
      name,
      `Exported method ${name} is not found`,
    );
  }
  return method.call(host, state, input, name);
}

/**
 * One call on a fresh state at `at`: nothing it writes is kept.
 *
 * @throws {RuntimeApiError} as {@link callRuntimeApi}
 */
export function callRuntimeApiAt(
  host: ApiHost,
  at: Header,
  name: string,
  input: Uint8Array,
): Uint8Array {
  return callRuntimeApi(host, new ApiState(host, at), name, input);
}

/**
 * The APIs as metadata V15 lists them: names, versions, methods with their
 * inputs and output types, docs. One list, made once: `metadataBytes`
 * caches per list, so every caller should pass this one.
 */
export const RUNTIME_API_METADATA: readonly RuntimeApiMetadata[] = RUNTIME_APIS.map((api) => ({
  name: api.api,
  version: api.version,
  docs: api.docs,
  methods: Object.entries(api.methods).map(([name, m]) => ({
    name,
    inputs: m.inputs.map((i) => ({ name: i.name, type: i.type.desc })),
    output: m.output.desc,
    docs: m.docs,
  })),
}));

/** The APIs as metadata V15 lists them (see {@link RUNTIME_API_METADATA}). */
export function runtimeApiMetadata(): readonly RuntimeApiMetadata[] {
  return RUNTIME_API_METADATA;
}
