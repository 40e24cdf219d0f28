/**
 * state.root: cost per changed key of committing a batch of 1,000 changed
 * account-like pairs into tries of 10k, 100k and 1M pairs, and the 1M/10k
 * ratio (target <= 2: cost grows with depth, not with state size).
 *
 * Keys are 48 bytes like `twox128(pallet) ++ twox128(item) ++ blake2_128(id)`
 * (one shared 32-byte prefix, then 16 random bytes); values are 80 bytes like
 * an AccountInfo, so stored as hashed-value nodes. The batch updates 1,000
 * random existing keys, as a block of transfers does.
 *
 * @module
 */
import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie } from "../runtime/trie/mod.ts";
import type { BenchResult } from "./_result.ts";

export const KEY_LENGTH = 48;
export const VALUE_LENGTH = 80;

/** Deterministic pseudo-random bytes (xorshift32): key material without hashing cost. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

/** `count` account-like keys: a shared 32-byte prefix ++ 16 random bytes. */
export function accountKeys(count: number, seed: number): Uint8Array[] {
  const material = randomBytes(count * 16, seed);
  const prefix = randomBytes(32, 7);
  const all = new Uint8Array(count * KEY_LENGTH);
  const keys: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * KEY_LENGTH;
    all.set(prefix, at);
    all.set(material.subarray(i * 16, i * 16 + 16), at + 32);
    keys.push(all.subarray(at, at + KEY_LENGTH));
  }
  return keys;
}

/** An 80-byte value for `i` (views into one buffer: the trie copies what it keeps). */
export function accountValues(count: number, seed: number): Uint8Array[] {
  const all = randomBytes(count * VALUE_LENGTH, seed);
  return Array.from(
    { length: count },
    (_, i) => all.subarray(i * VALUE_LENGTH, (i + 1) * VALUE_LENGTH),
  );
}

/** A trie holding `size` account pairs, built with one commit. */
export function buildState(size: number): {
  trie: Trie;
  store: MemoryNodeStore;
  root: Uint8Array;
  keys: Uint8Array[];
  buildMs: number;
} {
  const keys = accountKeys(size, 12345);
  const values = accountValues(size, 777);
  const store = new MemoryNodeStore();
  const trie = new Trie(store);
  const t0 = performance.now();
  const { root, nodes } = trie.commit(EMPTY_TRIE_ROOT, keys.map((k, i) => [k, values[i]] as const));
  store.insert(nodes);
  return { trie, store, root, keys, buildMs: performance.now() - t0 };
}

const BATCH = 1000;
const ROUNDS = 5;

/** Median µs per changed key of committing `BATCH` updates of existing keys into a `size`-pair trie. */
function measure(size: number): { usPerKey: number; buildMs: number } {
  const state = buildState(size);
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
    state.store.insert(out.nodes);
    root = out.root;
    if (r > 0) times.push(dt); // the first round warms the JIT
  }
  times.sort((a, b) => a - b);
  return { usPerKey: (times[times.length >> 1] * 1000) / BATCH, buildMs: state.buildMs };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const perSize: Record<string, number> = {};
  for (const [label, size] of [["10k", 10_000], ["100k", 100_000], ["1M", 1_000_000]] as const) {
    const { usPerKey, buildMs } = measure(size);
    perSize[label] = usPerKey;
    results.push({ name: `state.root.${label}`, value: round(usPerKey), unit: "µs/key" });
    results.push({ name: `state.root.build.${label}`, value: round(buildMs), unit: "ms" });
    await Promise.resolve();
  }
  const ratio = perSize["1M"] / perSize["10k"];
  results.push({
    name: "state.root.ratio_1M_10k",
    value: round(ratio),
    unit: "x",
    ceiling: 2,
    ratio: round(ratio / 2),
  });
  return results;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (import.meta.main) console.table(await run());
