/**
 * state.root: cost per changed key of committing a batch of 1,000 changed
 * account-like pairs into tries of 10k, 100k and 1M pairs, and the 1M/10k
 * ratio (target <= 2: cost grows with depth, not with state size): with
 * the trie in memory, and (`state.root.disk.*`) in the node's LevelDB
 * behind the default 64 MiB trie cache, each changed state stored as a
 * block before the next change reads it.
 *
 * The states are `_account_state.ts`'s (48-byte keys, 80-byte values). The
 * batch updates 1,000 random existing keys, as a block of transfers does.
 *
 * @module
 */
import { Trie, type TrieCommit } from "../runtime/trie/mod.ts";
import { ChainDatabase } from "../node/db/mod.ts";
import {
  accountValues,
  buildState,
  randomBytes,
  storeCommit,
  writeDiskState,
} from "./_account_state.ts";
import type { BenchResult } from "./_result.ts";

const BATCH = 1000;
const ROUNDS = 5;
const SIZES = [["10k", 10_000], ["100k", 100_000], ["1M", 1_000_000]] as const;

/** A state to change, and how a change is kept so the next one builds on it. */
interface ChangingState {
  trie: Trie;
  root: Uint8Array;
  keys: Uint8Array[];
  keep(commit: TrieCommit): Promise<void> | void;
}

/** Median µs per changed key of committing `BATCH` updates of existing keys into `state`. */
async function measure(state: ChangingState): Promise<number> {
  const size = state.keys.length;
  let root = state.root;
  const times: number[] = [];
  for (let r = 0; r < ROUNDS + 1; r++) {
    const picks = randomBytes(BATCH * 4, 99 + r);
    const values = accountValues(BATCH, 1000 + r);
    const changes = Array.from({ length: BATCH }, (_, i) => {
      const n = (picks[4 * i] | (picks[4 * i + 1] << 8) | (picks[4 * i + 2] << 16)) % size;
      return [state.keys[n], values[i]] as const;
    });
    const t0 = performance.now();
    const out = state.trie.commit(root, changes);
    const dt = performance.now() - t0;
    await state.keep(out);
    root = out.root;
    if (r > 0) times.push(dt); // the first round warms the JIT
  }
  times.sort((a, b) => a - b);
  return (times[times.length >> 1] * 1000) / BATCH;
}

/** The cost per changed key with the state in memory (`state.root.*`) and on disk (`state.root.disk.*`). */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const memory: Record<string, number> = {};
  for (const [label, size] of SIZES) {
    const state = buildState(size);
    memory[label] = await measure({ ...state, keep: (out) => state.store.insert(out.nodes) });
    results.push({ name: `state.root.${label}`, value: round(memory[label]), unit: "µs/key" });
    results.push({ name: `state.root.build.${label}`, value: round(state.buildMs), unit: "ms" });
  }
  results.push(ratioResult("state.root.ratio_1M_10k", memory));

  const disk: Record<string, number> = {};
  const dir = await Deno.makeTempDir({ prefix: "sutantra-bench-state-root-" });
  try {
    for (const [label, size] of SIZES) {
      const path = `${dir}/${label}`;
      const { root, keys } = await writeDiskState(path, size);
      const db = await ChainDatabase.open(path);
      try {
        const trie = new Trie(db.trieNodes);
        disk[label] = await measure({ trie, root, keys, keep: (out) => storeCommit(db, out) });
      } finally {
        await db.close();
      }
      results.push({ name: `state.root.disk.${label}`, value: round(disk[label]), unit: "µs/key" });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  results.push(ratioResult("state.root.disk.ratio_1M_10k", disk));
  return results;
}

/** The 1M/10k ratio of `perKey` (target at most 2: cost grows with depth, not with state size). */
function ratioResult(name: string, perKey: Record<string, number>): BenchResult {
  const ratio = perKey["1M"] / perKey["10k"];
  return { name, value: round(ratio), unit: "x", ceiling: 2, ratio: round(ratio / 2) };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (import.meta.main) console.table(await run());
