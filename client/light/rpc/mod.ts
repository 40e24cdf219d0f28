/**
 * The JSON-RPC a light client serves, in process or on a port: the new
 * spec (`chainHead_v1_*`, `chainSpec_v1_*`, `transaction_v1_*`) and the
 * legacy methods the CLI and the web app use, every answer about state
 * backed by a proof checked against a finalized block. The light client
 * follows only finalized blocks: its best block is its finalized one.
 *
 * The runtime is passed in ({@link LightRuntime}): a light client that runs
 * runtime APIs (`state_call`, `chainHead_v1_call`, fees, metadata) executes
 * the runtime over proven state, fetching a proof for each key it misses.
 *
 * @module
 */
import type { Header } from "../../../runtime/block/header.ts";
import type { RuntimeVersion } from "../../../runtime/executive/runtime.ts";
import type { StateReader } from "../../../runtime/storage/overlay.ts";
import { registerChainSpec } from "../../rpc/chain_spec.ts";
import { InProcessServer, type JsonRpcProvider } from "../../rpc/in_process.ts";
import type { MethodTable } from "../../rpc/methods.ts";
import type { LightChain } from "../chain.ts";
import { LightTransactions } from "../transactions.ts";
import { registerLightChainHead } from "./chain_head.ts";
import { registerLightLegacy } from "./legacy.ts";
import { registerLightTransactions } from "./transactions.ts";

/** The runtime, run by a light client over proven state. */
export interface LightRuntime {
  version: RuntimeVersion;
  /**
   * Runs runtime API function `fn` (`Api_method`) on SCALE `input` over
   * `state`, the state of block `at`.
   *
   * @throws {RuntimeApiError} for an unknown method, bad input or a failed execution
   */
  call(state: StateReader, at: Header, fn: string, input: Uint8Array): Uint8Array;
  /** SCALE metadata V14 at `state` (`state_getMetadata`). */
  metadata(state: StateReader): Uint8Array;
  /** The metadata document the CLI and the web app read (`sutantra_metadataJson`). */
  metadataJson(state: StateReader): unknown;
}

/** What the light client's RPC serves. */
export interface LightRpcInit {
  chain: LightChain;
  /**
   * The runtime, for the methods that run it (`chainHead_v1_*`, `state_call`,
   * metadata, fees, nonces); without it only blocks, state and transactions
   * are served (a browser's light client, whose bundle carries no runtime).
   */
  runtime?: LightRuntime;
  /** The chain spec's name, type and properties. */
  spec: { name: string; chainType: string; properties?: unknown };
  genesisHash: Uint8Array;
  /** `system_name` and `system_version`. */
  node: { name: string; version: string };
  /** The full nodes the light client may ask now. */
  peers(): string[];
  /** Hears a failure nobody asked about (a transaction scan that failed). */
  onError?: (error: Error) => void;
}

/** Registers the light client's methods on `table`. */
export function registerLightApi(table: MethodTable, init: LightRpcInit): void {
  registerChainSpec(table, {
    name: init.spec.name,
    genesisHash: init.genesisHash,
    properties: init.spec.properties,
  });
  if (init.runtime) registerLightChainHead(table, { ...init, runtime: init.runtime });
  const transactions = new LightTransactions(init.chain, init.onError);
  registerLightTransactions(table, { chain: init.chain, transactions });
  registerLightLegacy(table, init, transactions);
}

/**
 * The light client's methods as a polkadot-api provider, in process:
 * `createClient(lightProvider(init))`, or `RpcClient.over(lightProvider(init))`.
 */
export function lightProvider(init: LightRpcInit): JsonRpcProvider {
  const server = new InProcessServer({ report: (e) => init.onError?.(e as Error) });
  registerLightApi(server, init);
  return server.provider;
}
