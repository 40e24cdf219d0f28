/**
 * `light.follow`: what a light client costs to keep up with a chain whose
 * sets change every era (`ERA_LENGTH` blocks), syncing block by block, each
 * finalized block's finality proof (its header and its set's justification)
 * decoded and checked with `verifyNative` by the real {@link LightClient}.
 * The client runs in a process of its own (`_light_follower.ts`), twice:
 * - over 1,000 blocks of sets of 100 validators (staking's default
 *   `ValidatorCount`): the CPU of one block's `sync()`, and that as a
 *   share of a core at one block per 6 s slot; target < 5%;
 * - over 10,000 blocks of sets of 4 (the local testnet's): its resident
 *   memory's growth over the idle process (after setup, before the first
 *   block), target < 50 MiB, and the heap it keeps a block (after a GC,
 *   from the 1,000th block to the last): 0 when nothing grows with the chain.
 *
 * @module
 */
import { ERA_LENGTH, SLOT_MS } from "../chain-spec/presets.ts";
import type { FollowReport } from "./_light_follower.ts";
import type { BenchResult } from "./_result.ts";

/** The CPU run: a realistic set, short. */
const CPU_RUN = { blocks: 1_000, setSize: 100 };
/** The memory run: long, its sets small so that making its chain is quick. */
const MEMORY_RUN = { blocks: 10_000, setSize: 4 };
const CORE_TARGET_PERCENT = 5;
const MEMORY_TARGET_MIB = 50;
const MIB = 1024 * 1024;

/** Follows the two synthetic chains and reports CPU and memory. */
export async function run(): Promise<BenchResult[]> {
  const cpu = await follow(CPU_RUN);
  const memory = await follow(MEMORY_RUN);
  const core = (cpu.syncUs / 1000 / SLOT_MS) * 100;
  const growth = (memory.rssAfter - memory.rssIdle) / MIB;
  const cpuNote = "sets of 100, verifyNative (node:crypto ed25519)";
  const memoryNote = `sets of 4, over an idle ${round(memory.rssIdle / MIB)} MiB`;
  return [
    { name: "light.follow.cpu", value: round(cpu.syncUs), unit: "µs/block", note: cpuNote },
    {
      name: "light.follow.core_at_6s",
      value: round(core, 1000),
      unit: "% of a core",
      ceiling: CORE_TARGET_PERCENT,
      ratio: round(core / CORE_TARGET_PERCENT, 1000),
      note: cpuNote,
    },
    {
      name: "light.follow.memory.10k",
      value: round(growth),
      unit: "MiB",
      ceiling: MEMORY_TARGET_MIB,
      ratio: round(growth / MEMORY_TARGET_MIB, 1000),
      note: memoryNote,
    },
    {
      name: "light.follow.retained",
      // The follower reads the heap after a tenth of the blocks and after all.
      value: round((memory.heapAfter - memory.heapTenth) / (MEMORY_RUN.blocks * 0.9)),
      unit: "bytes/block",
      note: "heap after GC, from block 1,000 to 10,000",
    },
  ];
}

/** Runs the follower over `blocks` blocks of sets of `setSize`. */
async function follow(
  { blocks, setSize }: { blocks: number; setSize: number },
): Promise<FollowReport> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--v8-flags=--expose-gc",
      new URL("./_light_follower.ts", import.meta.url).pathname,
      String(blocks),
      String(setSize),
      String(ERA_LENGTH),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`The light follower failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

function round(x: number, by = 10): number {
  return Math.round(x * by) / by;
}

if (import.meta.main) console.table(await run());
