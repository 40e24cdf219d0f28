/**
 * The LevelDB types the database's parts share: byte keys and values,
 * sub-levels and chained batches.
 *
 * @module
 */
import { Level } from "level";

/** Keys and values are bytes. */
export type Bytes = Uint8Array;

/** Byte keys and byte values, as every sub-level stores them. */
export const BYTES = { keyEncoding: "view", valueEncoding: "view" } as const;

/** Opens LevelDB at `path` (not yet open). */
export function level(path: string): Level<Bytes, Bytes> {
  return new Level<Bytes, Bytes>(path, BYTES);
}

/** The sub-level `name` of `db`. */
export function sublevel(db: Level<Bytes, Bytes>, name: string) {
  return db.sublevel<Bytes, Bytes>(name, BYTES);
}

/** A sub-level of byte keys and values. */
export type SubLevel = ReturnType<typeof sublevel>;

/** A chained batch: writes that land together or not at all. */
export type Batch = ReturnType<Level<Bytes, Bytes>["batch"]>;
