/**
 * The pallet benchmarks of `deno task bench:weights`: finds every
 * `pallets/<p>/benchmarking.ts`, times each benchmark's dispatch over several
 * values of each component, fits `base + Σ slope · component`, and renders
 * the pallet's `weights.ts`.
 *
 * How a benchmark is timed: for each component, `steps` values from its min
 * to its max while the others stay at their max (as frame-benchmarking
 * does); at each point the benchmark is set up once, then dispatched
 * `repeats` times, each in a storage transaction rolled back afterwards so
 * that every repeat starts from the same worst case. What is timed is the
 * dispatch and what its writes cost the block's state root: the trie commit
 * of the block's changes after the dispatch, less that of the changes
 * before it (frame-benchmarking prices the same work as database reads and
 * writes). Untimed dispatches first warm up (the first benchmark of a run
 * longer, while the JIT settles) and run `verify`. A point's figure is the
 * median of its repeats.
 *
 * @module
 */
import {
  type Benchmark,
  type Components,
  type PalletBenchmarks,
  prepare,
} from "../../runtime/benchmarking/mod.ts";
import type { Weight } from "../../runtime/pallet/pallet.ts";
import { fitLinear, type LinearModel, median, type Point } from "./_fit.ts";

const PICOS_PER_MS = 1_000_000_000;
/** Untimed dispatches before a point's timed ones. */
const WARM_UPS = 3;
/** Untimed dispatches before the first point of a run: until the JIT has compiled the hot paths. */
const FIRST_WARM_UPS = 200;
let warmedUp = false;

/** A pallet folder with benchmarks. */
export interface PalletDir {
  /** The folder's name under `pallets/` (`"qos-rewards"`). */
  dir: string;
  spec: PalletBenchmarks;
}

/**
 * Every `pallets/<p>/benchmarking.ts`, in folder order, optionally only the
 * folders named in `only`. Adding a pallet's benchmarks is adding that one file.
 */
export async function discover(only?: string[]): Promise<PalletDir[]> {
  const root = new URL("../../pallets/", import.meta.url);
  const dirs: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (!entry.isDirectory || (only && !only.includes(entry.name))) continue;
    try {
      await Deno.stat(new URL(`${entry.name}/benchmarking.ts`, root));
      dirs.push(entry.name);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const missing = (only ?? []).filter((d) => !dirs.includes(d));
  if (missing.length) {
    throw new TypeError(`No benchmarks for: ${missing.join(", ")} (pallets/<p>/benchmarking.ts)`);
  }
  dirs.sort();
  const out: PalletDir[] = [];
  for (const dir of dirs) {
    const mod = await import(new URL(`${dir}/benchmarking.ts`, root).href);
    if (!mod.benchmarks) {
      throw new TypeError(`pallets/${dir}/benchmarking.ts exports no benchmarks`);
    }
    out.push({ dir, spec: mod.benchmarks as PalletBenchmarks });
  }
  return out;
}

/** How to measure. */
export interface MeasureOptions {
  /** Values of each component, from min to max. */
  steps: number;
  /** Timed dispatches per point. */
  repeats: number;
}

/** One benchmark's measurement. */
export interface Measured {
  name: string;
  bench: Benchmark;
  /** Component names, the order of `Point.x` and `model.slopes`. */
  components: string[];
  /** Per point: component values and the median time, in picoseconds. */
  points: Point[];
  model: LinearModel;
}

/** The component values a benchmark is measured at: each swept, the others at max. */
export function pointsOf(bench: Benchmark, steps: number): Components[] {
  const comps = bench.components ?? [];
  const max: Components = Object.fromEntries(comps.map((c) => [c.name, c.max]));
  const seen = new Set<string>();
  const out: Components[] = [];
  const add = (c: Components) => {
    const key = JSON.stringify(c);
    if (!seen.has(key)) seen.add(key), out.push(c);
  };
  if (!comps.length) add({});
  for (const comp of comps) {
    for (let i = 0; i < steps; i++) {
      const v = comp.min + Math.round((comp.max - comp.min) * i / Math.max(1, steps - 1));
      add({ ...max, [comp.name]: v });
    }
  }
  return out;
}

/** Times one benchmark (see the module docs). */
export function measure(spec: PalletBenchmarks, name: string, opts: MeasureOptions): Measured {
  const bench = spec.benchmarks[name];
  const components = (bench.components ?? []).map((c) => c.name);
  const points: Point[] = [];
  for (const values of pointsOf(bench, opts.steps)) {
    const prepared = prepare(spec, name, values);
    const { state, executive, parent } = prepared.ext;
    const commitMs = () => {
      const start = performance.now();
      executive.trie.commit(parent.stateRoot, state.changesSoFar());
      return performance.now() - start;
    };
    const warmUps = warmedUp ? WARM_UPS : FIRST_WARM_UPS;
    warmedUp = true;
    for (let w = 0; w < warmUps; w++) {
      state.startTransaction();
      prepared.run();
      if (w === 0) prepared.verify();
      state.rollbackTransaction();
    }
    const before = median(Array.from({ length: WARM_UPS }, commitMs));
    const times: number[] = [];
    for (let r = 0; r < opts.repeats; r++) {
      state.startTransaction();
      const start = performance.now();
      prepared.run();
      const dispatched = performance.now() - start;
      const written = Math.max(0, commitMs() - before);
      times.push((dispatched + written) * PICOS_PER_MS);
      state.rollbackTransaction();
    }
    points.push({ x: components.map((c) => values[c]), y: median(times) });
  }
  return { name, bench, components, points, model: fitLinear(points) };
}

/** A `WEIGHTS` entry: a fixed weight, or `base + Σ slope · param`. */
export interface WeightEntry {
  key: string;
  params: string[];
  base: Weight;
  slopes: Weight[];
  docs?: string;
  /** The benchmarks it is the worst of. */
  from: string[];
}

/**
 * The `WEIGHTS` entries of measured benchmarks: each benchmark's model with
 * its non-parameter components priced at their max, its base raised until
 * no measured point lies above it, rounded up to whole
 * picoseconds, negative slopes (noise) at 0; where several benchmarks share
 * a key (`forceTransfer` priced as `transferAllowDeath`), the greatest
 * base and slopes.
 */
export function weightEntries(measured: Measured[]): WeightEntry[] {
  const byKey = new Map<string, WeightEntry>();
  for (const m of measured) {
    const key = m.bench.weight ?? m.name;
    const params = m.bench.params ?? [];
    const unknown = params.filter((p) => !m.components.includes(p));
    if (unknown.length) throw new TypeError(`${m.name}: params ${unknown} are not components`);
    let base = m.model.base;
    const slopes = params.map(() => 0);
    m.components.forEach((c, i) => {
      const slope = Math.max(0, m.model.slopes[i]);
      const p = params.indexOf(c);
      if (p >= 0) slopes[p] = slope;
      else base += slope * m.bench.components!.find((x) => x.name === c)!.max;
    });
    // A weight is an upper bound: never below what any point measured (the fit
    // may pass under a point, the one at the components' max included).
    for (const point of m.points) {
      const predicted = params.reduce(
        (sum, p, i) => sum + slopes[i] * point.x[m.components.indexOf(p)],
        base,
      );
      if (point.y > predicted) base += point.y - predicted;
    }
    const entry: WeightEntry = {
      key,
      params,
      base: Math.max(0, Math.ceil(base)),
      slopes: slopes.map(Math.ceil),
      docs: m.bench.docs,
      from: [m.name],
    };
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, entry);
      continue;
    }
    if (prev.params.join() !== params.join()) {
      throw new TypeError(`${key}: benchmarks ${prev.from} and ${m.name} disagree on params`);
    }
    prev.base = Math.max(prev.base, entry.base);
    prev.slopes = prev.slopes.map((s, i) => Math.max(s, entry.slopes[i]));
    prev.docs ??= entry.docs;
    prev.from.push(m.name);
  }
  return [...byKey.values()];
}

/**
 * Throws unless `entries` have the shape of the pallet's current `WEIGHTS`
 * (the same keys; functions of as many components), so that pallet code
 * needs no change. A pallet without a `weights.ts` yet has no shape to keep.
 */
export async function checkShape(dir: string, entries: WeightEntry[]): Promise<void> {
  const url = new URL(`../../pallets/${dir}/weights.ts`, import.meta.url);
  let current: Record<string, unknown>;
  try {
    current = (await import(url.href)).WEIGHTS;
  } catch (e) {
    if (e instanceof TypeError && /Module not found/.test(e.message)) return;
    throw e;
  }
  const problems: string[] = [];
  const keys = new Set(entries.map((e) => e.key));
  for (const key of Object.keys(current)) {
    if (!keys.has(key)) problems.push(`${key} has no benchmark`);
  }
  for (const e of entries) {
    const old = current[e.key];
    if (old === undefined) problems.push(`${e.key} is not in WEIGHTS`);
    else if (typeof old === "number" && e.params.length) {
      problems.push(`${e.key} is fixed, the benchmark gives it params ${e.params}`);
    } else if (typeof old === "function" && old.length !== e.params.length) {
      problems.push(`${e.key} takes ${old.length} components, the benchmark ${e.params.length}`);
    }
  }
  if (problems.length) {
    throw new TypeError(`pallets/${dir}/weights.ts would change shape: ${problems.join("; ")}`);
  }
}

/** Where and how the figures were measured, for the header. */
export interface Provenance {
  /** `2025-01-31` */
  when: string;
  /** `2 cores, linux/x86_64, Deno 2.9.6` */
  where: string;
  opts: MeasureOptions;
}

const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "_");
const micros = (w: number) => (w / 1_000_000).toFixed(1);
const perUnit = (w: number) => w >= 1_000_000 ? `${micros(w)} µs` : `${(w / 1000).toFixed(1)} ns`;

/** `text` as a doc comment indented by `indent`, wrapped at 100 columns. */
function docComment(text: string, indent: string): string {
  const width = 100 - indent.length - 3;
  if (text.length <= width - 4) return `${indent}/** ${text} */\n`;
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) lines.push(line), line = word;
    else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}\n`).join("")}${indent} */\n`;
}

/** The text of a pallet's `weights.ts` for `entries`. */
export function renderWeights(
  spec: PalletBenchmarks,
  entries: WeightEntry[],
  p: Provenance,
): string {
  const lines = entries.map((e) => {
    const figure = e.params.length
      ? `${micros(e.base)} µs + ${
        e.params.map((n, i) => `${perUnit(e.slopes[i])} × ${n}`).join(" + ")
      }`
      : `${micros(e.base)} µs`;
    const doc = docComment(`${e.docs ? `${e.docs} ` : ""}Measured: ${figure}.`, "  ");
    const terms = [
      ...(e.base ? [grouped(e.base)] : []),
      ...e.params.map((n, i) => `${n} * ${grouped(e.slopes[i])}`),
    ];
    const signature = `(${e.params.map((n) => `${n}: number`).join(", ")}): Weight =>`;
    const oneLine = `  ${e.key}: ${signature} ${terms.join(" + ")},`;
    const value = !e.params.length
      ? `  ${e.key}: ${grouped(e.base)} as Weight,`
      : oneLine.length <= 100
      ? oneLine
      : `  ${e.key}: ${signature}\n    ${terms.join(" + ")},`;
    return `${doc}${value}\n`;
  });
  return `/**
 * Weights of the ${spec.pallet} pallet's calls and hooks, in picoseconds of
 * reference time, without the \`ExtrinsicBaseWeight\` every extrinsic adds.
 *
 * Generated by \`deno task bench:weights\` from \`benchmarking.ts\`. Do not edit
 * by hand: change the benchmark and measure again.
 *
 * - When: ${p.when}.
 * - Where: ${p.where}.
 * - How: for each benchmark, the median of ${p.opts.repeats} timed dispatches at
 *   ${p.opts.steps} values of each component (the others at their maximum),
 *   fitted by least squares (weighted by 1 / time²) to base + Σ slope ×
 *   component, rounded up; a component that is no parameter is priced at
 *   its maximum, and a fixed weight is at least the time measured there.
 *
 * @module
 */
import type { Weight } from "../../runtime/pallet/pallet.ts";

/** Per-call and per-hook weights. */
export const WEIGHTS = {
${lines.join("")}};
`;
}
