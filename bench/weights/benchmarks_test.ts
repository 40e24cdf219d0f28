/**
 * Every declared benchmark (`pallets/<p>/benchmarking.ts`) runs once at its
 * components' minimum and once at their maximum, untimed, and verifies: a
 * broken setup or a dispatch that fails breaks this test, not the next
 * `deno task bench:weights`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Components, defineBenchmarks, prepare } from "../../runtime/benchmarking/mod.ts";
import { checkShape, discover, type Measured, weightEntries } from "./pallets.ts";

const pallets = await discover();

for (const { dir, spec } of pallets) {
  Deno.test(`benchmarks of pallets/${dir} set up and dispatch at min and max`, async () => {
    const measured: Measured[] = [];
    for (const [name, bench] of Object.entries(spec.benchmarks)) {
      const comps = bench.components ?? [];
      for (const end of ["min", "max"] as const) {
        const values: Components = Object.fromEntries(comps.map((c) => [c.name, c[end]]));
        const prepared = prepare(spec, name, values);
        prepared.run();
        prepared.verify();
      }
      // A fake measurement, so that the WEIGHTS it would write are checked for shape.
      const components = comps.map((c) => c.name);
      measured.push({
        name,
        bench,
        components,
        points: [],
        model: { base: 1, slopes: components.map(() => 1) },
      });
    }
    await checkShape(dir, weightEntries(measured));
  });
}

Deno.test("benchmarks are found for the pallets that declare them", () => {
  assert.ok(pallets.some((p) => p.dir === "template"));
});

Deno.test("a benchmark whose dispatch fails is an error, never a timing", () => {
  const broken = defineBenchmarks({
    pallet: "Template",
    benchmarks: {
      // No value stored: `causeError` fails early with NoneValue.
      causeError: { setup: () => ({ call: "causeError", origin: new Uint8Array(32), args: {} }) },
    },
  });
  assert.throws(
    () => prepare(broken, "causeError").run(),
    /Benchmark Template\.causeError\(\) failed to dispatch: Template\.NoneValue/,
  );
});
