/**
 * The finality simulator by hand: runs many seeds (or one, to replay a
 * failure) and prints what each found.
 *
 * ```sh
 * deno task sim:finality --seeds 100000        # seeds 0 … 99999
 * deno task sim:finality --seed 1234 --verbose # replay one
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { scenarioOf } from "./scenario.ts";
import { simulate } from "./simulation.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seeds: { type: "string", default: "1000" },
    from: { type: "string", default: "0" },
    seed: { type: "string" },
    "max-voters": { type: "string", default: "7" },
    verbose: { type: "boolean", default: false },
  },
});

const maxVoters = Number(values["max-voters"]);
const seeds = values.seed !== undefined
  ? [Number(values.seed)]
  : [...Array(Number(values.seeds)).keys()].map((i) => i + Number(values.from));
const started = performance.now();
let failed = 0;
let slowest = 0;
for (const seed of seeds) {
  const scenario = scenarioOf(seed, { maxVoters });
  const result = simulate(scenario);
  slowest = Math.max(slowest, result.roundsToFinality);
  if (values.verbose) console.log(JSON.stringify({ scenario, result }));
  if (result.violations.length) {
    failed++;
    console.log(`seed ${seed} FAILED: ${result.violations.join("; ")}`);
    console.log(
      `  replay: deno task sim:finality --seed ${seed} --max-voters ${maxVoters} --verbose`,
    );
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `${seeds.length} seeds, ${failed} failed, at most ${slowest} rounds from gst to finality, ` +
    `${seconds.toFixed(1)} s`,
);
if (failed) Deno.exit(1);
