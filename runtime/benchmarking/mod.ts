/**
 * Benchmarks, declared beside each pallet as Substrate's `frame-benchmarking`
 * declares them: per call, per hook and per migration, the components its
 * cost grows with (relays, receipts, bytes, …) with their ranges, a `setup`
 * that builds the worst case for given component values, the real dispatch
 * to measure, and a `verify` that it did what it should.
 *
 * This module only declares and runs benchmarks; it never reads the clock
 * (the runtime stays pure). `deno task bench:weights` (bench/weights/) times
 * the dispatch over several component values, fits a linear model and writes
 * the pallet's `weights.ts`; a fast test runs every benchmark once at its
 * minimum and maximum so that a broken setup fails CI.
 *
 * @example
 * ```ts
 * import { defineBenchmarks, prepare } from "./mod.ts";
 * const benchmarks = defineBenchmarks({
 *   pallet: "System",
 *   benchmarks: {
 *     remark: {
 *       components: [{ name: "bytes", min: 0, max: 1024 }],
 *       params: ["bytes"],
 *       setup: (_ext, { bytes }) => ({
 *         call: "remark",
 *         origin: new Uint8Array(32),
 *         args: { remark: new Uint8Array(bytes) },
 *       }),
 *     },
 *   },
 * });
 * prepare(benchmarks, "remark", { bytes: 1024 }).run();
 * ```
 *
 * @module
 */
import { type Keypair, keypairFromSeed } from "../crypto/mod.ts";
import { DispatchError, ModuleError } from "../pallet/errors.ts";
import type { Origin } from "../pallet/origin.ts";
import { utf8 } from "../primitives/bytes.ts";
import { blake2_256 } from "../primitives/hashing.ts";
import { TestExt, type TestExternalities } from "../testing/mod.ts";

/** A size the cost of a call grows with, and the range it is benchmarked over. */
export interface Component {
  /** lowerCamel; a parameter of the weight function when listed in `params`. */
  name: string;
  min: number;
  /** The worst case the chain allows (a constant, a chain-spec bound). */
  max: number;
}

/** Component values, by name. */
export type Components = Record<string, number>;

/** Who a benchmarked call comes from: a signed account (its public key), the root, or none. */
export type BenchOrigin = Uint8Array | "root" | "none";

/**
 * What a benchmark measures: one of the pallet's calls, one of its hooks,
 * or its migration from a storage version.
 */
export type Dispatchable =
  | { call: string; origin: BenchOrigin; args: Record<string, unknown> }
  | { hook: "onInitialize" | "onFinalize" }
  | { migration: number };

/** One benchmark: the worst case of one call or hook for given component values. */
export interface Benchmark {
  /** The key in the pallet's `WEIGHTS` it measures; the benchmark's name unless said. */
  weight?: string;
  /** What its cost grows with; none for a fixed cost. */
  components?: Component[];
  /**
   * The components that are parameters of the weight function, in order (the
   * `WEIGHTS` entry is then `(a, b) => base + a·slopeA + b·slopeB`). The
   * others are priced at their `max`, so the weight covers the worst case.
   */
  params?: string[];
  /** What the weight covers, written above it in `weights.ts`. */
  docs?: string;
  /**
   * Builds the worst case for `c` on `ext` (fund accounts, register relays,
   * write storage directly where no call can) and says what to dispatch.
   * Not timed.
   */
  setup(ext: TestExternalities, c: Components): Dispatchable;
  /** Checks, after one dispatch, that it did the work measured. Throws if not. */
  verify?(ext: TestExternalities, c: Components): void;
}

/** A pallet's benchmarks: `pallets/<p>/benchmarking.ts` exports one as `benchmarks`. */
export interface PalletBenchmarks {
  /** The pallet's name in the runtime (`"Balances"`). */
  pallet: string;
  /** The chain to benchmark on (a mock runtime's, say); THE runtime's dev genesis unless said. */
  newExt?: () => TestExternalities;
  benchmarks: Record<string, Benchmark>;
}

/** Declares a pallet's benchmarks; the identity, for type checking and one place to read. */
export function defineBenchmarks(spec: PalletBenchmarks): PalletBenchmarks {
  return spec;
}

/** A benchmark set up for given components, ready to dispatch. */
export interface Prepared {
  ext: TestExternalities;
  /** The real dispatch, and nothing else: what the harness times. Throws loudly if it fails. */
  run(): void;
  /** The benchmark's `verify`, if any. */
  verify(): void;
}

/** Sets up benchmark `name` of `spec` for components `c` (each defaults to its max). */
export function prepare(spec: PalletBenchmarks, name: string, c: Components = {}): Prepared {
  const bench = spec.benchmarks[name];
  if (!bench) throw new TypeError(`Unknown benchmark: ${spec.pallet}.${name}`);
  const values: Components = {};
  for (const comp of bench.components ?? []) {
    const v = c[comp.name] ?? comp.max;
    if (!Number.isInteger(v) || v < comp.min || v > comp.max) {
      throw new RangeError(
        `Cannot set up ${spec.pallet}.${name}: ${comp.name} = ${v} is outside ${comp.min}..${comp.max}`,
      );
    }
    values[comp.name] = v;
  }
  const ext = spec.newExt?.() ?? new TestExt();
  const what = bench.setup(ext, values);
  const label = `${spec.pallet}.${name}(${
    Object.entries(values).map(([k, v]) => `${k}=${v}`).join(", ")
  })`;
  const { runtime } = ext;
  const pallet = runtime.pallet(spec.pallet).pallet;
  let body: () => void;
  if ("call" in what) {
    // Decoded once here, as the executive decodes before dispatch: only the dispatch is timed.
    const { spec: callSpec, args } = runtime.decodeCall(
      runtime.encodeCall({ pallet: spec.pallet, call: what.call, args: what.args }),
    );
    const origin: Origin = what.origin === "root"
      ? { kind: "root" }
      : what.origin === "none"
      ? { kind: "none" }
      : { kind: "signed", who: what.origin };
    const ctx = ext.executive.context(ext.state, () => ({ tag: "ApplyExtrinsic", value: 1 }));
    body = () => ext.state.transaction(() => callSpec.dispatch(ctx, origin, args));
  } else if ("migration" in what) {
    const step = pallet.migrations?.find((m) => m.from === what.migration);
    if (!step) {
      throw new TypeError(
        `Cannot set up ${label}: ${spec.pallet} has no migration from v${what.migration}`,
      );
    }
    const ctx = ext.executive.context(ext.state, () => ({ tag: "Initialization" }));
    body = () => void step.migrate(ctx);
  } else {
    const hook = pallet.hooks?.[what.hook];
    if (!hook) throw new TypeError(`Cannot set up ${label}: ${spec.pallet} has no ${what.hook}`);
    const phase = what.hook === "onInitialize" ? "Initialization" : "Finalization";
    const ctx = ext.executive.context(ext.state, () => ({ tag: phase, value: null }));
    body = () => void hook(ctx, ext.blockNumber);
  }
  return {
    ext,
    run() {
      try {
        body();
      } catch (e) {
        // Never time an early error: a benchmark whose dispatch fails is a broken benchmark.
        const error = e instanceof ModuleError
          ? `${e.pallet}.${e.error}`
          : e instanceof DispatchError
          ? e.kind
          : String(e);
        throw new Error(`Benchmark ${label} failed to dispatch: ${error}`, { cause: e });
      }
    },
    verify() {
      try {
        bench.verify?.(ext, values);
      } catch (e) {
        throw new Error(`Benchmark ${label} failed to verify: ${(e as Error).message}`, {
          cause: e,
        });
      }
    },
  };
}

/**
 * A deterministic benchmark account (frame-benchmarking's `account(name,
 * index, seed)`): distinct names and indices give distinct keys.
 */
export function account(name: string, index: number): Keypair {
  return keypairFromSeed(blake2_256(utf8(`sutantra-bench:${name}:${index}`)));
}

/** Sets `who`'s free balance to `amount` (root's `forceSetBalance`); throws if it fails. */
export function fund(ext: TestExternalities, who: Uint8Array, amount: bigint): void {
  ok(
    ext.apply("Balances", "forceSetBalance", {
      who: { tag: "Id", value: who },
      newFree: amount,
    }, "root"),
    "Balances.forceSetBalance",
  );
}

/** Fails a setup step loudly: throws unless `result` is ok. */
export function ok(result: { ok: boolean; error?: string }, what: string): void {
  if (!result.ok) throw new Error(`Benchmark setup: ${what} failed: ${result.error}`);
}

/** Throws `message` unless `cond`: for `verify`. */
export function ensure(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/** Whether the open block has an event `pallet.name`: for `verify`. */
export function hasEvent(ext: TestExternalities, pallet: string, name: string): boolean {
  return ext.events().some((e) => e.pallet === pallet && e.name === name);
}
