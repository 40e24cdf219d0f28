/**
 * THE runtime on the dev chain's genesis, for tests that need every pallet
 * (fees, staking, the runtime APIs): `new TestExt()`.
 *
 * This is the one module of the framework's harness that reaches up, to the
 * composition (`runtime/mod.ts`) and the chain specs' presets; a pallet's
 * own tests run on a mock runtime instead (`mock_runtime.ts`). It belongs
 * with the composition once the framework and the composition part.
 *
 * @module
 */
import { runtimeGenesis } from "../../chain-spec/presets.ts";
import { timestamp } from "../../pallets/timestamp/mod.ts";
import { runtime } from "../mod.ts";
import type { SignatureVerifier } from "../executive/runtime.ts";
import { TestExternalities } from "./externalities.ts";

/** Milliseconds of the first block's timestamp (any fixed value: tests are deterministic). */
export const GENESIS_TIME_MS = 1_700_000_000_000n;

/** The dev chain's slot: block `n` is stamped `GENESIS_TIME_MS + n · 6 s`. */
const BLOCK_TIME_MS = 6000n;

/** THE runtime's chain in memory, from the dev genesis; each block starts with its timestamp. */
export class TestExt extends TestExternalities {
  /**
   * A chain from the dev genesis, with per-pallet config overrides
   * (chain-spec JSON), verifying signatures natively unless told otherwise.
   */
  constructor(
    overrides: Record<string, unknown> = {},
    options: { verify?: SignatureVerifier } = {},
  ) {
    super(runtime, { ...runtimeGenesis(["Alice"]), ...overrides }, {
      verify: options.verify,
      inherents: (n) => [timestamp.calls.set({ now: GENESIS_TIME_MS + BigInt(n) * BLOCK_TIME_MS })],
    });
  }
}
