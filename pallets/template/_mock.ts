/**
 * The template's mock runtime, as FRAME's `mock.rs`: System and Template,
 * nothing else. The pallet needs nothing from any other pallet, so there is
 * nothing to stand in for; fees are the harness's `NO_FEES` double. Its
 * tests run on this, whether or not the pallet is in THE runtime.
 *
 * @module
 */
import {
  mockRuntime,
  TestExternalities,
  type TestExternalitiesOptions,
} from "../../runtime/testing/mod.ts";
import { system, systemApi } from "../system/mod.ts";
import { template } from "./mod.ts";

/** System at index 0, Template at 1. */
export const runtime = mockRuntime({ pallets: [system, template], system: systemApi });

/**
 * A fresh chain of the mock runtime (FRAME's `new_test_ext()`), with
 * genesis configs in chain-spec JSON (`{ template: { something: 7 } }`).
 */
export function newTestExt(
  genesis: Record<string, unknown> = {},
  options?: TestExternalitiesOptions,
): TestExternalities {
  return new TestExternalities(runtime, genesis, options);
}
