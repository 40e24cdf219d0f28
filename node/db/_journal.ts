/**
 * The journal record of a block: how its state changed the references to
 * stored trie nodes (`NodeRefChanges`), kept until the block's state can no
 * longer be needed to prune, or to undo, it.
 *
 * Layout: `u32 n` then `n` × (32-byte hash, `u32` count) for the added
 * references, then the same for the removed ones; integers little-endian.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { NodeRefChanges } from "../../runtime/trie/mod.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";

const HASH = 32;
const ENTRY = HASH + 4;

/** Encodes a block's reference changes. */
export function encodeJournal(refs: NodeRefChanges): Uint8Array {
  const out = new Uint8Array(8 + ENTRY * (refs.added.size + refs.removed.size));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const counts of [refs.added, refs.removed]) {
    view.setUint32(at, counts.size, true);
    at += 4;
    for (const [hash, count] of counts) {
      out.set(Buffer.from(hash, "hex"), at);
      view.setUint32(at + HASH, count, true);
      at += ENTRY;
    }
  }
  return out;
}

/**
 * Decodes a journal record.
 *
 * @throws {RangeError} when the bytes are not one (a damaged database)
 */
export function decodeJournal(bytes: Uint8Array): NodeRefChanges {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const read = (): Map<string, number> => {
    if (at + 4 > bytes.length) throw new RangeError("Damaged state journal record: truncated");
    const n = view.getUint32(at, true);
    at += 4;
    if (at + n * ENTRY > bytes.length) {
      throw new RangeError("Damaged state journal record: truncated");
    }
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++, at += ENTRY) {
      counts.set(toHexRaw(bytes.subarray(at, at + HASH)), view.getUint32(at + HASH, true));
    }
    return counts;
  };
  const added = read();
  const removed = read();
  if (at !== bytes.length) throw new RangeError("Damaged state journal record: trailing bytes");
  return { added, removed };
}
