/**
 * `node.restart_to_finality`: with two of four local validators stopped
 * (finality halts; 6 s slots), the seconds from the second one's restart
 * (its process spawned) until the network finalizes a new block. Target:
 * under three slots.
 *
 * @module
 */
import { finalizedNumber, LocalValidators, until } from "../tests/_node.ts";
import type { BenchResult } from "./_result.ts";

const SLOT_S = 6;
const HALT_MS = 20_000;

/** Stops two validators, restarts them, and times the return of finality. */
export async function run(): Promise<BenchResult[]> {
  const bases = await Promise.all(
    LocalValidators.NAMES.map((n) => Deno.makeTempDir({ prefix: `sutantra-bench-rtf-${n}-` })),
  );
  let net: LocalValidators | undefined;
  try {
    net = await LocalValidators.start("local", bases);
    const alice = net.up[0];
    await until("finality", async () => (await finalizedNumber(alice)) >= 2 || undefined, 120_000);
    await Promise.all([net.kill(2), net.kill(3)]);
    await new Promise((r) => setTimeout(r, HALT_MS));
    const halted = await finalizedNumber(alice);
    await net.restart(2);
    const started = performance.now();
    const restart = net.restart(3);
    await until(
      "finality to return",
      async () => (await finalizedNumber(alice)) > halted || undefined,
      120_000,
    );
    const seconds = (performance.now() - started) / 1000;
    await restart;
    return [{
      name: "node.restart_to_finality",
      value: Math.round(seconds * 10) / 10,
      unit: "s",
      ceiling: 3 * SLOT_S,
      ratio: seconds / (3 * SLOT_S),
    }];
  } catch (e) {
    throw new Error(`node.restart_to_finality: ${(e as Error).message}\n${await net?.tails()}`);
  } finally {
    await net?.stop();
    await Promise.all(bases.map((b) => Deno.remove(b, { recursive: true })));
  }
}

if (import.meta.main) console.table(await run());
