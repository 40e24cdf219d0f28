/**
 * GRANDPA under a thousand adversarial schedules: for seeds drawn by
 * fast-check, N ≤ 7 voters (fewer than a third Byzantine) on a lossy,
 * partitioned, crashing network that turns synchronous at `gst`. No seed
 * may break safety, make an honest voter contradict itself, or leave an
 * honest voter without finality after `gst`. A failure names its seed and
 * the command that replays it; `deno task sim:finality --seeds 100000`
 * runs the long campaign.
 */
import fc from "fast-check";
import { scenarioOf } from "./scenario.ts";
import { simulate } from "./simulation.ts";

function check(seed: number, limits = {}): void {
  const result = simulate(scenarioOf(seed, limits));
  if (result.violations.length) {
    throw new Error(
      `seed ${seed}: ${result.violations.join("; ")}\n` +
        `  replay: deno task sim:finality --seed ${seed} --verbose`,
    );
  }
}

Deno.test("safety, no self-slashing and liveness hold over 1,000 seeded runs", () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => check(seed)), {
    numRuns: 1000,
    endOnFailure: true,
  });
});

Deno.test("seeds that once broke the voter stay fixed", () => {
  // Each stalled or split the voters before its fix (see the commit log).
  const seeds = [253, 294, 732, 734, 891, 920, 981, 1603, 4320, 58436, 81049, 87623, 2030749640];
  for (const seed of seeds) {
    check(seed);
  }
});
