/**
 * A small durable map for the relay's own records (vouchers, receipts): one
 * LevelDB sub-level, held in memory as well, values in SCALE.
 *
 * Reads are synchronous, from memory. A write shows in memory at once and
 * its promise settles once it is synced to disk (a power loss keeps it: the
 * relay acknowledges a voucher only then); writes made while another is on
 * its way are coalesced into the next single batch, so many viewers paying
 * at once cost one synced LevelDB write each round, not one each.
 *
 * @module
 */
import { Level } from "level";
import { decode, encode, type Type } from "../../../runtime/codec/types.ts";
import { toHexRaw } from "../../../runtime/primitives/hex.ts";

type Bytes = Uint8Array;
const BYTES = { keyEncoding: "view", valueEncoding: "view" } as const;

/** The relay's LevelDB, with byte keys and values. */
export type RelayDb = Level<Bytes, Bytes>;

/** Opens (creating if needed) the relay's LevelDB in directory `path`. */
export async function openRelayDb(path: string): Promise<RelayDb> {
  const db = new Level<Bytes, Bytes>(path, BYTES);
  await db.open();
  return db;
}

function sublevel(db: RelayDb, name: string) {
  return db.sublevel<Bytes, Bytes>(name, BYTES);
}

type SubLevel = ReturnType<typeof sublevel>;

/**
 * Records a store kept in an older format, in their own sub-level: how to
 * read them and turn them into the current format.
 */
export interface LegacyRecords<L, T> {
  /** The sub-level they were kept in. */
  name: string;
  type: Type<L>;
  upgrade(old: L): T;
}
type Op = { type: "put"; key: Bytes; value: Bytes } | { type: "del"; key: Bytes };

/** Records of one kind, by byte key, in memory and in one sub-level. */
export class RecordStore<T> {
  readonly #root: RelayDb;
  readonly #db: SubLevel;
  readonly #type: Type<T>;
  readonly #memory = new Map<string, { key: Bytes; value: T }>();
  readonly #pending = new Map<string, Op>();
  /** The batch that will write what is pending, once the one before it is written. */
  #next: Promise<void> | undefined;
  #written: Promise<void> = Promise.resolve();

  private constructor(root: RelayDb, db: SubLevel, type: Type<T>) {
    this.#root = root;
    this.#db = db;
    this.#type = type;
  }

  /**
   * Opens sub-level `name` of `db` and loads its records into memory; the
   * records of `legacy`, an older format's sub-level, are upgraded into it
   * first, in one synced batch that also deletes them there.
   */
  static async open<T, L = never>(
    db: RelayDb,
    name: string,
    type: Type<T>,
    legacy?: LegacyRecords<L, T>,
  ): Promise<RecordStore<T>> {
    const store = new RecordStore(db, sublevel(db, name), type);
    if (legacy) await store.#upgrade(legacy);
    for await (const [key, value] of store.#db.iterator()) {
      store.#memory.set(toHexRaw(key), { key, value: decode(type, value, name) });
    }
    return store;
  }

  async #upgrade<L>(legacy: LegacyRecords<L, T>): Promise<void> {
    const old = sublevel(this.#root, legacy.name);
    const batch = this.#root.batch();
    for await (const [key, value] of old.iterator()) {
      const record = legacy.upgrade(decode(legacy.type, value, legacy.name));
      batch.put(key, encode(this.#type, record), { sublevel: this.#db });
      batch.del(key, { sublevel: old });
    }
    if (batch.length) await batch.write({ sync: true });
    else await batch.close();
  }

  /** The record under `key`, if any. */
  get(key: Bytes): T | undefined {
    return this.#memory.get(toHexRaw(key))?.value;
  }

  /** Every record with its key. */
  entries(): IterableIterator<{ key: Bytes; value: T }> {
    return this.#memory.values();
  }

  /** Stores `value` under `key`: visible at once, synced to disk when the promise resolves. */
  put(key: Bytes, value: T): Promise<void> {
    const id = toHexRaw(key);
    this.#memory.set(id, { key, value });
    this.#pending.set(id, { type: "put", key, value: encode(this.#type, value) });
    return this.#schedule();
  }

  /** Removes the record under `key`: gone at once, from disk when the promise resolves. */
  delete(key: Bytes): Promise<void> {
    const id = toHexRaw(key);
    this.#memory.delete(id);
    this.#pending.set(id, { type: "del", key });
    return this.#schedule();
  }

  #schedule(): Promise<void> {
    if (!this.#next) {
      const next = this.#written.then(() => this.#flush());
      this.#next = next;
      this.#written = next.catch(() => {});
    }
    return this.#next;
  }

  #flush(): Promise<void> {
    this.#next = undefined;
    const batch = this.#root.batch();
    for (const op of this.#pending.values()) {
      if (op.type === "put") batch.put(op.key, op.value, { sublevel: this.#db });
      else batch.del(op.key, { sublevel: this.#db });
    }
    this.#pending.clear();
    return batch.write({ sync: true });
  }
}
