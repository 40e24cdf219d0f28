/**
 * Mock runtimes: a runtime composed of the pallet under test and the few it
 * needs, as FRAME's `mock.rs` builds with `construct_runtime!`, so that a
 * pallet's tests run before it is registered in THE runtime, and without
 * the pallets it does not need.
 *
 * What the executive needs from the system pallet is passed in (the
 * framework sits below the pallets and cannot import them); transaction
 * fees are a test double that charges nothing unless a real payment API is
 * given.
 *
 * @example
 * ```ts
 * import { mockRuntime } from "./mock_runtime.ts";
 * import { system, systemApi } from "../../pallets/system/mod.ts";
 * import { template } from "../../pallets/template/mod.ts";
 * const runtime = mockRuntime({ pallets: [system, template], system: systemApi });
 * if (runtime.palletIndex("Template") !== 1) throw new Error("indexed in order");
 * ```
 *
 * @module
 */
import { BLOCK_EXECUTION_WEIGHT, EXTRINSIC_BASE_WEIGHT } from "../base_weights.ts";
import type { PaymentApi, SystemApi } from "../executive/apis.ts";
import {
  type BlockLimits,
  type ChainProperties,
  Runtime,
  type RuntimeVersion,
} from "../executive/runtime.ts";
import { type Pallet, WEIGHT_PER_SECOND } from "../pallet/pallet.ts";

/** What a mock runtime is made of; all but its pallets and system have defaults. */
export interface MockRuntimeSpec {
  /**
   * The pallets, indexed in the order given (0, 1, …): the system pallet
   * first, then what the pallet under test needs, then the pallet.
   */
  pallets: readonly Pallet[];
  /** What the executive needs from the system pallet (`systemApi`). */
  system: SystemApi;
  /** Fees: {@link NO_FEES} unless given. */
  payment?: PaymentApi;
  /** {@link MOCK_VERSION} with these fields changed (a spec bump, to test an upgrade). */
  version?: Partial<RuntimeVersion>;
  /** {@link MOCK_LIMITS} with these fields changed. */
  limits?: Partial<BlockLimits>;
  /** {@link MOCK_PROPERTIES} unless given. */
  properties?: ChainProperties;
}

/** A mock runtime's version. */
export const MOCK_VERSION: RuntimeVersion = {
  specName: "mock",
  implName: "mock",
  authoringVersion: 1,
  specVersion: 1,
  implVersion: 1,
  transactionVersion: 1,
  stateVersion: 1,
};

/** A mock runtime's block limits: two seconds of compute, 5 MiB, the measured base weights. */
export const MOCK_LIMITS: BlockLimits = {
  maxWeight: 2 * WEIGHT_PER_SECOND,
  normalRatioPercent: 75,
  maxLength: 5 * 1024 * 1024,
  extrinsicBaseWeight: EXTRINSIC_BASE_WEIGHT,
  blockExecutionWeight: BLOCK_EXECUTION_WEIGHT,
};

/** A mock runtime's chain properties: Substrate's generic prefix, a token of 12 decimals. */
export const MOCK_PROPERTIES: ChainProperties = {
  ss58Format: 42,
  tokenSymbol: "UNIT",
  tokenDecimals: 12,
};

/**
 * Fees as a test double: every extrinsic is free, nothing is withdrawn or
 * paid out. Give a mock the real payment API to test fees.
 */
export const NO_FEES: PaymentApi = {
  computeFee: () => 0n,
  withdrawFee: () => {},
  settleFee: () => {},
};

/**
 * A runtime of `spec.pallets`, indexed in order, for tests.
 *
 * @throws {TypeError} when two pallets share a name, or a migration chain is broken
 */
export function mockRuntime(spec: MockRuntimeSpec): Runtime {
  return new Runtime({
    version: { ...MOCK_VERSION, ...spec.version },
    pallets: spec.pallets.map((pallet, index) => ({ index, pallet })),
    system: spec.system,
    payment: spec.payment ?? NO_FEES,
    limits: { ...MOCK_LIMITS, ...spec.limits },
    properties: spec.properties ?? MOCK_PROPERTIES,
  });
}
