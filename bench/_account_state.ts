/**
 * Account-like states for the state benchmarks: keys are 48 bytes like
 * `twox128(pallet) ++ twox128(item) ++ blake2_128(id)` (one shared 32-byte
 * prefix, then 16 random bytes); values are 80 bytes like an AccountInfo,
 * so stored as hashed-value nodes. A state is built in memory, or written
 * into the node's database as a genesis state and opened as the node opens
 * it, the trie reading LevelDB through its byte-bounded cache. The
 * benchmarks read the same random keys of it ({@link pickKeys},
 * {@link readRate}).
 *
 * @module
 */
import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie, type TrieCommit } from "../runtime/trie/mod.ts";
import { ChainDatabase } from "../node/db/mod.ts";

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

/** `count` of `keys` drawn at random (with repeats), the same on every run. */
export function pickKeys(keys: Uint8Array[], count: number): Uint8Array[] {
  const picks = randomBytes(count * 4, 4242);
  return Array.from({ length: count }, (_, i) => {
    const n = picks[4 * i] | (picks[4 * i + 1] << 8) | (picks[4 * i + 2] << 16);
    return keys[n % keys.length];
  });
}

/** Reads a second of `reads` reads cycling through `keys`; throws if a key is missing. */
export function readRate(trie: Trie, root: Uint8Array, keys: Uint8Array[], reads: number): number {
  const t0 = performance.now();
  for (let i = 0; i < reads; i++) {
    if (trie.get(root, keys[i % keys.length]) === undefined) {
      throw new Error(`Key ${i % keys.length} is missing from the state`);
    }
  }
  return reads / ((performance.now() - t0) / 1000);
}

const EMPTY = new Uint8Array();

/**
 * Writes a state of `size` account pairs into a new database at `path` and
 * closes it; resolves with the state's root and keys.
 */
export async function writeDiskState(
  path: string,
  size: number,
): Promise<{ root: Uint8Array; keys: Uint8Array[] }> {
  const keys = accountKeys(size, 12345);
  const values = accountValues(size, 777);
  const { root, nodes, refs } = new Trie(new MemoryNodeStore()).commit(
    EMPTY_TRIE_ROOT,
    keys.map((key, i) => [key, values[i]] as const),
  );
  const db = await ChainDatabase.open(path);
  try {
    await db.commitGenesis({ hash: root, header: EMPTY, body: EMPTY, nodes, refs });
  } finally {
    await db.close();
  }
  return { root, keys };
}

/**
 * Stores a changed state as a block on top of the database's state, so the
 * next change reads it from disk.
 */
export async function storeCommit(db: ChainDatabase, commit: TrieCommit): Promise<void> {
  await db.commitBlock({
    hash: commit.root,
    header: EMPTY,
    body: EMPTY,
    nodes: commit.nodes,
    refs: commit.refs,
  });
}
