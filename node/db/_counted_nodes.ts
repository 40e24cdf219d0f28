/**
 * Trie nodes in LevelDB with how many references the finalized states kept
 * make to each, so that a node nobody uses can be deleted.
 *
 * Two key spaces: `state` (hash → encoded node) and `refs` (hash → `u32`
 * count, little-endian). A node's count covers the oldest kept state and the
 * finalized blocks above it; what the unfinalized blocks add is counted in
 * memory only (`pending`), so that importing a block writes its new nodes
 * without reading anything: counts change only when blocks are finalized,
 * pruned or discarded. A node is deleted when its count is zero and no
 * unfinalized block added it.
 *
 * Reads are synchronous (`getSync`), so the trie reads through to disk
 * without making the runtime async. The nodes of blocks whose batch is
 * still being written are read from memory until it lands.
 *
 * @module
 */
import type { Level } from "level";
import type { TrieNodeStore } from "../../runtime/trie/mod.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import type { Batch, Bytes, SubLevel } from "./_level.ts";

/** The stored trie nodes with their reference counts. */
export class CountedNodes implements TrieNodeStore {
  readonly #db: Level<Bytes, Bytes>;
  readonly #state: Prefixed;
  readonly #refs: Prefixed;
  /** References added by unfinalized blocks, by raw hex hash. */
  readonly #pending = new Map<string, number>();
  /** The new nodes of blocks staged but not yet written, by raw hex hash. */
  readonly #unwritten = new Set<Map<string, Bytes>>();

  /**
   * Over `state` and `refs`, open sub-levels of `db`.
   *
   * PERF: reads and writes go to `db` with the sub-level's prefix put in
   * front of the hash here: a sub-level's own key encoding costs more than
   * the read.
   */
  constructor(db: Level<Bytes, Bytes>, state: SubLevel, refs: SubLevel) {
    this.#db = db;
    this.#state = new Prefixed(state);
    this.#refs = new Prefixed(refs);
  }

  /** The encoded node `hash`, read from disk (or a batch on its way there), or `undefined`. */
  get(hash: Bytes): Bytes | undefined {
    if (this.#unwritten.size > 0) {
      const hex = toHexRaw(hash);
      for (const nodes of this.#unwritten) {
        const node = nodes.get(hex);
        if (node) return node;
      }
    }
    return this.#db.getSync(this.#state.key(hash));
  }

  /** The sub-level of nodes, to iterate. */
  get level(): SubLevel {
    return this.#state.level;
  }

  /**
   * Adds the nodes of an unfinalized block to `batch`, counts its
   * references as pending, and serves its nodes from memory until
   * {@link written} says the batch landed, or {@link unstage} that it did not.
   */
  stageBlock(batch: Batch, nodes: Map<string, Bytes>, added: Map<string, number>): void {
    for (const [hex, node] of nodes) batch.put(this.#state.keyOfHex(hex), node);
    addTo(this.#pending, added, 1);
    this.#unwritten.add(nodes);
  }

  /** The batch {@link stageBlock} put `nodes` in has landed: they are read from disk now. */
  written(nodes: Map<string, Bytes>): void {
    this.#unwritten.delete(nodes);
  }

  /** Takes back what {@link stageBlock} did, for a batch that was not written. */
  unstage(nodes: Map<string, Bytes>, added: Map<string, number>): void {
    this.#unwritten.delete(nodes);
    addTo(this.#pending, added, -1);
  }

  /** Counts the references of unfinalized blocks read back after a restart. */
  restorePending(added: Map<string, number>): void {
    addTo(this.#pending, added, 1);
  }

  /**
   * Adds to `batch` a change of counts by `delta` (raw hex hash → change),
   * with `leaving` the pending references of blocks that stop being
   * unfinalized in the same batch (finalized or discarded). Nodes left
   * with no count and no pending reference are deleted. The pending counts
   * change at once: write the batch, or the store is wrong until a restart.
   *
   * @throws {RangeError} when a count would go below zero (the journal and
   * the counts disagree: a bug or a damaged database), before changing anything
   */
  stageCounts(batch: Batch, delta: Map<string, number>, leaving: Map<string, number>): void {
    const counts: [string, Bytes, number][] = [];
    for (const [hex, change] of delta) {
      const key = this.#refs.keyOfHex(hex);
      const stored = this.#db.getSync(key);
      const count = (stored === undefined ? 0 : readCount(stored)) + change;
      if (count < 0) throw new RangeError(`State node 0x${hex} would be referenced ${count} times`);
      counts.push([hex, key, count]);
    }
    addTo(this.#pending, leaving, -1);
    const checked = new Set<string>();
    for (const [hex, key, count] of counts) {
      checked.add(hex);
      if (count > 0) batch.put(key, writeCount(count));
      else {
        batch.del(key);
        if (!this.#pending.has(hex)) batch.del(this.#state.keyOfHex(hex));
      }
    }
    // A discarded block's new nodes that no finalized state counts.
    for (const hex of leaving.keys()) {
      if (checked.has(hex) || this.#pending.has(hex)) continue;
      if (this.#db.getSync(this.#refs.keyOfHex(hex)) === undefined) {
        batch.del(this.#state.keyOfHex(hex));
      }
    }
  }
}

/** Keys of one sub-level, built here (see the constructor's PERF note). */
class Prefixed {
  readonly #prefix: Bytes;

  constructor(readonly level: SubLevel) {
    this.#prefix = new TextEncoder().encode(level.prefix);
  }

  key(hash: Bytes): Bytes {
    const key = new Uint8Array(this.#prefix.length + hash.length);
    key.set(this.#prefix);
    key.set(hash, this.#prefix.length);
    return key;
  }

  /** The key of the 32-byte hash written as 64 lower-case hex digits. */
  keyOfHex(hex: string): Bytes {
    const at = this.#prefix.length;
    const key = new Uint8Array(at + (hex.length >> 1));
    key.set(this.#prefix);
    for (let i = 0; i < hex.length; i += 2) {
      key[at + (i >> 1)] = (NIBBLE[hex.charCodeAt(i)] << 4) | NIBBLE[hex.charCodeAt(i + 1)];
    }
    return key;
  }
}

/** Nibble values of the character codes of lower-case hex digits. */
const NIBBLE = new Uint8Array(128);
for (let i = 0; i < 16; i++) NIBBLE["0123456789abcdef".charCodeAt(i)] = i;

function addTo(into: Map<string, number>, counts: Map<string, number>, sign: 1 | -1): void {
  for (const [hex, n] of counts) {
    const total = (into.get(hex) ?? 0) + sign * n;
    if (total > 0) into.set(hex, total);
    else into.delete(hex);
  }
}

function readCount(stored: Bytes): number {
  return new DataView(stored.buffer, stored.byteOffset, 4).getUint32(0, true);
}

function writeCount(count: number): Bytes {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, count, true);
  return bytes;
}
