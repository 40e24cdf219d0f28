/**
 * `node.finality`: p95 finality lag, in blocks, on a four-validator local
 * chain (6 s slots) over loopback, with Alice, Bob, Charlie and Dave as real
 * node processes, sampled on every validator that is up twice a second for
 * two minutes once all four finalize:
 * - `none`: no faults; target ≤ 2;
 * - `vote_loss`: every node drops 10% of the GRANDPA messages it receives
 *   (a benchmark-only wrapper, `_lossy_node.ts`); target ≤ 4;
 * - `restarts`: one validator SIGKILLed and restarted every 30 s, in turn;
 *   target ≤ 4.
 *
 * @module
 */
import { finalizedNumber, LocalValidators, type NodeProcess, until } from "../tests/_node.ts";
import type { BenchResult } from "./_result.ts";

const DURATION_MS = 120_000;
const SAMPLE_MS = 500;
const RESTART_EVERY_MS = 30_000;

interface Scenario {
  name: string;
  target: number;
  entry?: URL;
  restarts?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: "none", target: 2 },
  { name: "vote_loss", target: 4, entry: new URL("./_lossy_node.ts", import.meta.url) },
  { name: "restarts", target: 4, restarts: true },
];

/** Runs each scenario and reports the 95th percentile of best − finalized. */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const scenario of SCENARIOS) {
    const p95 = await measure(scenario);
    results.push({
      name: `node.finality.p95_lag.${scenario.name}`,
      value: p95,
      unit: "blocks",
      ceiling: scenario.target,
      ratio: p95 / scenario.target,
    });
  }
  return results;
}

async function measure(scenario: Scenario): Promise<number> {
  const bases = await Promise.all(
    LocalValidators.NAMES.map((n) => Deno.makeTempDir({ prefix: `sutantra-bench-fin-${n}-` })),
  );
  let net: LocalValidators | undefined;
  try {
    net = await LocalValidators.start("local", bases, scenario.entry);
    const validators = net;
    await until("finality on all four", async () => {
      const heights = await Promise.all(validators.up.map(finalizedNumber));
      return heights.every((h) => h >= 2) || undefined;
    }, 120_000);
    const lags: number[] = [];
    const started = Date.now();
    let restarted = 0;
    while (Date.now() - started < DURATION_MS) {
      if (scenario.restarts && Date.now() - started >= (restarted + 1) * RESTART_EVERY_MS) {
        const victim = restarted++ % 4;
        await net.kill(victim);
        void net.restart(victim);
      }
      for (const node of net.up) {
        const lag = await lagOf(node).catch(() => undefined);
        if (lag !== undefined) lags.push(lag);
      }
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
    lags.sort((a, b) => a - b);
    return lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.95))];
  } catch (e) {
    throw new Error(
      `node.finality (${scenario.name}): ${(e as Error).message}\n${await net?.tails()}`,
    );
  } finally {
    await net?.stop();
    await Promise.all(bases.map((b) => Deno.remove(b, { recursive: true })));
  }
}

async function lagOf(node: NodeProcess): Promise<number> {
  const best = await node.rpc<{ number: string }>("chain_getHeader");
  return Number(best.number) - await finalizedNumber(node);
}

if (import.meta.main) console.table(await run());
