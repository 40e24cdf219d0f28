/**
 * state.read: storage reads a second in a state of 1M account pairs: with
 * every node in memory (`state.read.memory`, how the node held state
 * before it kept it in LevelDB), and from the node's database behind the
 * default 64 MiB trie cache, cold (`state.read.disk.cold`: the first read of
 * each of 20k keys after the database opens) and warm
 * (`state.read.disk.warm`: reads of those keys again, their nodes cached).
 *
 * @module
 */
import { Trie } from "../runtime/trie/mod.ts";
import { ChainDatabase } from "../node/db/mod.ts";
import { buildState, pickKeys, readRate, writeDiskState } from "./_account_state.ts";
import type { BenchResult } from "./_result.ts";

const SIZE = 1_000_000;
/** Distinct keys read: their nodes fit in the default cache. */
const HOT_KEYS = 20_000;
const WARM_READS = 200_000;

/** Reads a second in memory, and from disk cold and warm. */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  {
    const { trie, root, keys } = buildState(SIZE);
    const hot = pickKeys(keys, HOT_KEYS);
    readRate(trie, root, hot, HOT_KEYS); // warms the JIT and the decoded-node cache
    const rate = readRate(trie, root, hot, WARM_READS);
    results.push({ name: "state.read.memory", value: Math.round(rate), unit: "reads/s" });
  }
  const dir = await Deno.makeTempDir({ prefix: "sutantra-bench-state-read-" });
  try {
    const { root, keys } = await writeDiskState(dir, SIZE);
    const db = await ChainDatabase.open(dir);
    try {
      const trie = new Trie(db.trieNodes);
      const hot = pickKeys(keys, HOT_KEYS);
      const cold = readRate(trie, root, hot, HOT_KEYS);
      const warm = readRate(trie, root, hot, WARM_READS);
      results.push(
        { name: "state.read.disk.cold", value: Math.round(cold), unit: "reads/s" },
        { name: "state.read.disk.warm", value: Math.round(warm), unit: "reads/s" },
      );
    } finally {
      await db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return results;
}

if (import.meta.main) console.table(await run());
