/**
 * `finality.sim`: GRANDPA rounds per second of wall-clock time in the
 * network simulator, with N = 4, 16 and 64 honest voters on a synchronous
 * network (no loss, every message within T): what one core spends running
 * N voters' rounds (vote counting, GHOSTs, estimates, messages), with no
 * signatures and no I/O.
 *
 * @module
 */
import type { Scenario } from "../node/consensus/finality/sim/scenario.ts";
import { simulate } from "../node/consensus/finality/sim/simulation.ts";
import type { BenchResult } from "./_result.ts";

/** Simulated time per run: enough rounds to average over, little enough for N = 64. */
const SIMULATED_MS: Record<number, number> = { 4: 120_000, 16: 60_000, 64: 20_000 };

/** Runs the simulator at each size and reports rounds per second. */
export function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const voters of [4, 16, 64]) {
    const scenario: Scenario = {
      seed: voters,
      voters,
      byzantine: 0,
      misbehaviour: "withhold",
      gossipMs: 100,
      slotMs: 600,
      gst: 0,
      afterGstMs: SIMULATED_MS[voters],
      loss: 0,
      maxDelayMs: 100,
      partitions: [],
      crashes: [],
      // A full mesh: every voter hears every other directly.
      links: [...Array(voters).keys()].map((a) => [...Array(voters).keys()].filter((b) => b !== a)),
    };
    const started = performance.now();
    const result = simulate(scenario);
    const seconds = (performance.now() - started) / 1000;
    if (result.violations.length) throw new Error(`finality.sim: ${result.violations[0]}`);
    results.push({
      name: `finality.sim.rounds_per_s.n${voters}`,
      value: Math.round(result.rounds / seconds),
      unit: "rounds/s",
    });
  }
  return Promise.resolve(results);
}

if (import.meta.main) console.table(await run());
