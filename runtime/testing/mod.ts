/**
 * The shared test harness: a chain in memory (`TestExternalities`) over a
 * mock runtime of the pallet under test (`mockRuntime`) or over THE runtime
 * on the dev genesis (`TestExt`); calls applied typed or by names; and
 * assertions on storage and events — Substrate's `new_test_ext()`,
 * `assert_noop!` and `System::assert_last_event`.
 *
 * @example
 * ```ts
 * import { assertLastEvent, dev, TestExt } from "./mod.ts";
 * import { balances } from "../../pallets/balances/mod.ts";
 * const ext = new TestExt();
 * const dest = { tag: "Id" as const, value: dev.bob.publicKey };
 * const result = ext.apply(balances.calls.transferKeepAlive({ dest, value: 1_000n }), dev.alice);
 * if (!result.ok) throw new Error(result.error);
 * assertLastEvent(
 *   ext,
 *   balances.events.Transfer({ from: dev.alice.publicKey, to: dev.bob.publicKey, amount: 1_000n }),
 * );
 * ```
 *
 * @module
 */
export { dev } from "./accounts.ts";
export {
  type Caller,
  type CallInput,
  type CallResult,
  type SignOptions,
  TestExternalities,
  type TestExternalitiesOptions,
} from "./externalities.ts";
export {
  MOCK_LIMITS,
  MOCK_PROPERTIES,
  MOCK_VERSION,
  mockRuntime,
  type MockRuntimeSpec,
  NO_FEES,
} from "./mock_runtime.ts";
export {
  assertEvent,
  assertLastEvent,
  assertNoop,
  type ExpectedError,
  thrownBy,
} from "./assertions.ts";
export { GENESIS_TIME_MS, TestExt } from "./dev_chain.ts";
