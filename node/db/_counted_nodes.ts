/**
 * Trie nodes in LevelDB, each stored with how many references the kept
 * states make to it: a node is deleted when its count reaches zero.
 *
 * Value: `u32` count (little-endian) ++ the encoded node. Reads are
 * synchronous (`getSync`), so the trie reads through to disk without making
 * the runtime async.
 *
 * @module
 */
import type { TrieNodeStore } from "../../runtime/trie/mod.ts";
import { fromHex } from "../../runtime/primitives/hex.ts";
import type { Batch, Bytes, SubLevel } from "./_level.ts";

const COUNT_BYTES = 4;

/** The stored trie nodes with their reference counts. */
export class CountedNodes implements TrieNodeStore {
  readonly #level: SubLevel;

  /** Over an open sub-level. */
  constructor(level: SubLevel) {
    this.#level = level;
  }

  /** The sub-level, to iterate. */
  get level(): SubLevel {
    return this.#level;
  }

  /** The encoded node `hash`, read from disk, or `undefined` when not stored. */
  get(hash: Bytes): Bytes | undefined {
    return this.#level.getSync(hash)?.subarray(COUNT_BYTES);
  }

  /**
   * Adds to `batch` the writes that change counts by `delta` (raw hex hash
   * → change): a node whose count reaches zero is deleted; a node that was
   * not stored is written from `nodes`. All counts are checked before
   * anything is added, so a throw leaves the batch as it was.
   *
   * @throws {RangeError} when a count would go below zero or a new node's
   * bytes are missing: the journal and the nodes disagree (a bug or a
   * damaged database)
   */
  stage(batch: Batch, delta: Map<string, number>, nodes: Map<string, Bytes> = new Map()): void {
    const out: [Bytes, Bytes | null][] = [];
    for (const [hex, change] of delta) {
      if (change === 0) continue;
      const key = fromHex(hex);
      const stored = this.#level.getSync(key);
      const count = (stored === undefined ? 0 : readCount(stored)) + change;
      if (count < 0) throw new RangeError(`State node 0x${hex} would be referenced ${count} times`);
      if (count === 0) {
        out.push([key, null]);
        continue;
      }
      const node = stored?.subarray(COUNT_BYTES) ?? nodes.get(hex);
      if (node === undefined) throw new RangeError(`State node 0x${hex} is neither stored nor new`);
      const value = new Uint8Array(COUNT_BYTES + node.length);
      new DataView(value.buffer).setUint32(0, count, true);
      value.set(node, COUNT_BYTES);
      out.push([key, value]);
    }
    for (const [key, value] of out) {
      if (value === null) batch.del(key, { sublevel: this.#level });
      else batch.put(key, value, { sublevel: this.#level });
    }
  }
}

/** The count in a stored value. */
export function readCount(stored: Bytes): number {
  return new DataView(stored.buffer, stored.byteOffset, COUNT_BYTES).getUint32(0, true);
}
