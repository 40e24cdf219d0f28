/**
 * `node.finality`: p95 finality lag, in blocks, on a four-validator local
 * chain over loopback (Alice, Bob, Charlie and Dave as real node processes),
 * sampled on every node twice a second for two minutes once all four are up.
 * Target: ≤ 2.
 *
 * @module
 */
import { NodeProcess } from "../tests/_node.ts";
import type { BenchResult } from "./_result.ts";

const VALIDATORS = ["alice", "bob", "charlie", "dave"];
const DURATION_MS = 120_000;
const SAMPLE_MS = 500;
const TARGET = 2;

/** Runs the four validators and reports the 95th percentile of best − finalized. */
export async function run(): Promise<BenchResult[]> {
  const bases = await Promise.all(
    VALIDATORS.map((n) => Deno.makeTempDir({ prefix: `sutantra-bench-finality-${n}-` })),
  );
  const nodes: NodeProcess[] = [];
  const start = (i: number, bootnodes: string[]) =>
    new NodeProcess([
      "--chain",
      "local",
      `--${VALIDATORS[i]}`,
      "--base-path",
      bases[i],
      "--listen-addr",
      "/ip4/127.0.0.1/tcp/0",
      ...bootnodes.flatMap((b) => ["--bootnodes", b]),
    ]);
  try {
    nodes.push(start(0, []));
    await nodes[0].ready();
    const boot = (await nodes[0].rpc<string[]>("system_localListenAddresses"))[0];
    for (let i = 1; i < VALIDATORS.length; i++) nodes.push(start(i, [boot]));
    await Promise.all(nodes.map((n) => n.ready()));
    const lags: number[] = [];
    const until = Date.now() + DURATION_MS;
    while (Date.now() < until) {
      for (const node of nodes) lags.push(await lagOf(node));
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
    const best = Math.max(
      ...await Promise.all(
        nodes.map(async (n) => Number((await n.rpc<{ number: string }>("chain_getHeader")).number)),
      ),
    );
    if (best < 10) throw new Error(`Only ${best} blocks in two minutes: the network did not run`);
    lags.sort((a, b) => a - b);
    const p95 = lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.95))];
    return [{
      name: "node.finality.p95_lag",
      value: p95,
      unit: "blocks",
      ceiling: TARGET,
      ratio: p95 / TARGET,
    }];
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n${nodes.map((n) => n.output.slice(-1500)).join("\n")}`,
    );
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await Promise.all(bases.map((b) => Deno.remove(b, { recursive: true })));
  }
}

async function lagOf(node: NodeProcess): Promise<number> {
  const best = await node.rpc<{ number: string }>("chain_getHeader");
  const finalized = await node.rpc<{ number: string }>("chain_getHeader", [
    await node.rpc<string>("chain_getFinalizedHead"),
  ]);
  return Number(best.number) - Number(finalized.number);
}

if (import.meta.main) console.table(await run());
