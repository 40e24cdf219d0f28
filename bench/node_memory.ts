/**
 * `node.memory`: resident memory (VmRSS) of an idle dev node after 1,000
 * blocks. A real node process (`--chain dev --alice --seal manual`, on a
 * temporary base path) authors the blocks one `engine_createBlock` call at a
 * time (each finalized by the node's own finality gadget), then idles for
 * three seconds before its RSS is read from `/proc/<pid>/status`.
 *
 * Also reported: `node.memory.start`, the same reading once the node answers
 * RPC, before any block, so that growth per block can be told from the
 * runtime's baseline.
 *
 * @module
 */
import { NodeProcess } from "../tests/_node.ts";
import { rssBytes } from "./_proc.ts";
import type { BenchResult } from "./_result.ts";

const BLOCKS = 1_000;
const IDLE_MS = 3_000;
const MIB = 1024 * 1024;

/** Runs the node, authors the blocks, and reports its resident memory at start and at the end. */
export async function run(): Promise<BenchResult[]> {
  const basePath = await Deno.makeTempDir({ prefix: "sutantra-bench-memory-" });
  const node = new NodeProcess([
    "--chain",
    "dev",
    "--alice",
    "--seal",
    "manual",
    "--base-path",
    basePath,
  ]);
  try {
    await node.ready();
    await idle();
    const start = await rssBytes(node.pid);
    for (let i = 0; i < BLOCKS; i++) await node.rpc("engine_createBlock", [true, true]);
    const best = await node.rpc<{ number: string }>("chain_getHeader");
    if (Number(best.number) !== BLOCKS) {
      throw new Error(`The node is at block ${Number(best.number)}, not ${BLOCKS}`);
    }
    await idle();
    const end = await rssBytes(node.pid);
    return [
      { name: "node.memory.start", value: round(start / MIB), unit: "MiB" },
      { name: "node.memory", value: round(end / MIB), unit: "MiB" },
    ];
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${node.output.slice(-2000)}`);
  } finally {
    await node.stop();
    await Deno.remove(basePath, { recursive: true });
  }
}

function idle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, IDLE_MS));
}

function round(mib: number): number {
  return Number(mib.toFixed(1));
}

if (import.meta.main) console.table(await run());
