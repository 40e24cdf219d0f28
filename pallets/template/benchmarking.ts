/**
 * Benchmarks of the template pallet: one per call and per hook, each in its
 * worst case. `deno task bench:weights --pallet template` times them and
 * writes `weights.ts`; the harness's test runs each once at its smallest and
 * largest components.
 *
 * @module
 */
import { account, defineBenchmarks, ensure } from "../../runtime/benchmarking/mod.ts";
import { template } from "./mod.ts";

const { storage } = template;

const caller = account("caller", 0).publicKey;

/** The template pallet's benchmarks. */
export const benchmarks = defineBenchmarks({
  pallet: "Template",
  benchmarks: {
    doSomething: {
      docs: "One write, one event.",
      setup: () => ({ call: "doSomething", origin: caller, args: { something: 42 } }),
      verify: (ext) => ensure(storage.Something.get(ext.state) === 42, "Something is not 42"),
    },
    causeError: {
      docs: "One read, one write (the increment, its worst case: it succeeds).",
      setup(ext) {
        storage.Something.set(ext.state, 7);
        return { call: "causeError", origin: caller, args: {} };
      },
      verify: (ext) => ensure(storage.Something.get(ext.state) === 8, "Something is not 8"),
    },
    claim: {
      docs: "One read, one write, one event.",
      setup: () => ({ call: "claim", origin: caller, args: { value: 7 } }),
      verify: (ext) => ensure(storage.Owners.contains(ext.state, 7), "7 is not owned"),
    },
    onFinalize: {
      docs: "The `onFinalize` hook in a block that touched the pallet: one read, two writes.",
      setup(ext) {
        storage.TouchedThisBlock.set(ext.state, true);
        return { hook: "onFinalize" };
      },
      verify: (ext) =>
        ensure(storage.LastTouched.get(ext.state) === ext.blockNumber, "LastTouched not set"),
    },
  },
});
