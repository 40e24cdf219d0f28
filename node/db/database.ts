/**
 * The node's database: LevelDB with one sub-level per kind of record.
 *
 * - `headers`, `bodies`, `justifications`: by block hash.
 * - `canonical`: finalized block number (4 bytes, big-endian) → hash.
 * - `trie`: state trie nodes by hash.
 * - `meta`: the genesis hash, the best and finalized heads, and small records
 *   such as authority sets.
 *
 * A block is written in one atomic batch with its trie nodes (and with the
 * best head when it becomes best), so a node killed at any moment finds either
 * all of a block or none of it. Finality is one batch too: the finalized head,
 * the canonical index of every newly finalized block and the justification.
 *
 * The trie nodes of the state are also held in memory (the trie reads them
 * synchronously): they are loaded when the database opens and added as blocks
 * are committed. LevelDB is the durable copy.
 *
 * @module
 */
import { Level } from "level";
import type { TrieNodeStore } from "../../runtime/trie/mod.ts";
import { MemoryNodeStore } from "../../runtime/trie/mod.ts";
import { fromHex, toHexRaw } from "../../runtime/primitives/hex.ts";

type Bytes = Uint8Array;
const BYTES = { keyEncoding: "view", valueEncoding: "view" } as const;

function sublevel(db: Level<Bytes, Bytes>, name: string) {
  return db.sublevel<Bytes, Bytes>(name, BYTES);
}

type SubLevel = ReturnType<typeof sublevel>;

/** Names of the records in the `meta` sub-level. */
export type MetaKey = "genesis" | "best" | "finalized" | "authoritySets" | "finality";

/** A block to write: its header and body (SCALE), and the trie nodes its state added. */
export interface BlockRecord {
  hash: Bytes;
  header: Bytes;
  body: Bytes;
  /** New trie nodes (raw hex hash → encoded node), as `Trie.commit` returns them. */
  nodes: Map<string, Bytes>;
}

/** The node's LevelDB database. */
export class ChainDatabase {
  readonly #db: Level<Bytes, Bytes>;
  readonly #headers: SubLevel;
  readonly #bodies: SubLevel;
  readonly #justifications: SubLevel;
  readonly #canonical: SubLevel;
  readonly #trie: SubLevel;
  readonly #meta: SubLevel;
  readonly #nodes = new MemoryNodeStore();

  private constructor(db: Level<Bytes, Bytes>) {
    this.#db = db;
    const sub = (name: string) => sublevel(db, name);
    this.#headers = sub("headers");
    this.#bodies = sub("bodies");
    this.#justifications = sub("justifications");
    this.#canonical = sub("canonical");
    this.#trie = sub("trie");
    this.#meta = sub("meta");
  }

  /**
   * Opens (creating if needed) the database in directory `path` and loads the
   * state trie nodes into memory.
   *
   * @throws {Error} when the directory cannot be opened (another node holds its lock)
   */
  static async open(path: string): Promise<ChainDatabase> {
    const db = new Level<Bytes, Bytes>(path, BYTES);
    try {
      await db.open();
    } catch (e) {
      const cause = (e as { cause?: Error }).cause;
      throw new Error(`Cannot open the database at ${path}: ${cause?.message ?? e}`);
    }
    const database = new ChainDatabase(db);
    const loaded = new Map<string, Bytes>();
    for await (const [hash, node] of database.#trie.iterator()) {
      loaded.set(toHexRaw(hash), copy(node));
    }
    database.#nodes.insert(loaded);
    return database;
  }

  /** The state trie nodes (all of them, in memory). */
  get trieNodes(): TrieNodeStore {
    return this.#nodes;
  }

  /** Writes a block, its trie nodes and the extra meta records in one atomic batch. */
  async commitBlock(block: BlockRecord, meta: Partial<Record<MetaKey, Bytes>> = {}): Promise<void> {
    const batch = this.#db.batch();
    batch.put(block.hash, block.header, { sublevel: this.#headers });
    batch.put(block.hash, block.body, { sublevel: this.#bodies });
    for (const [hash, node] of block.nodes) {
      batch.put(fromHex(hash), node, { sublevel: this.#trie });
    }
    this.#putMeta(batch, meta);
    await batch.write();
    this.#nodes.insert(block.nodes);
  }

  /**
   * Records newly finalized blocks (in ascending order) with the
   * justification of the last, and the meta records given, in one batch,
   * synced to disk before it resolves: finality is never lost on a crash.
   */
  async commitFinality(
    finalized: { number: number; hash: Bytes }[],
    justification: Bytes | undefined,
    meta: Partial<Record<MetaKey, Bytes>>,
  ): Promise<void> {
    const batch = this.#db.batch();
    for (const { number, hash } of finalized) {
      batch.put(numberKey(number), hash, { sublevel: this.#canonical });
    }
    const last = finalized.at(-1);
    if (last && justification) {
      batch.put(last.hash, justification, { sublevel: this.#justifications });
    }
    this.#putMeta(batch, meta);
    await batch.write({ sync: true });
  }

  /**
   * Writes meta records in one batch; with `sync`, the write reaches the
   * disk before this resolves (the finality voter's record must, before any
   * vote it holds leaves the node).
   */
  async putMeta(
    meta: Partial<Record<MetaKey, Bytes>>,
    options: { sync?: boolean } = {},
  ): Promise<void> {
    const batch = this.#db.batch();
    this.#putMeta(batch, meta);
    await batch.write({ sync: options.sync ?? false });
  }

  /** A meta record, if written. */
  getMeta(key: MetaKey): Promise<Bytes | undefined> {
    return this.#get(this.#meta, utf8(key));
  }

  /** The SCALE header of block `hash`, if stored. */
  getHeader(hash: Bytes): Promise<Bytes | undefined> {
    return this.#get(this.#headers, hash);
  }

  /** The SCALE body of block `hash`, if stored. */
  getBody(hash: Bytes): Promise<Bytes | undefined> {
    return this.#get(this.#bodies, hash);
  }

  /** The justification that finalized block `hash`, if it has one. */
  getJustification(hash: Bytes): Promise<Bytes | undefined> {
    return this.#get(this.#justifications, hash);
  }

  /** The hash of finalized block `number`, if it is finalized. */
  getCanonicalHash(number: number): Promise<Bytes | undefined> {
    return this.#get(this.#canonical, numberKey(number));
  }

  /** Every stored header, as `[hash, SCALE header]` (to rebuild the block tree at start). */
  async *headers(): AsyncGenerator<[Bytes, Bytes]> {
    for await (const [hash, header] of this.#headers.iterator()) yield [copy(hash), copy(header)];
  }

  /** Closes the database. */
  close(): Promise<void> {
    return this.#db.close();
  }

  #putMeta(batch: ReturnType<Level<Bytes, Bytes>["batch"]>, meta: Partial<Record<MetaKey, Bytes>>) {
    for (const [key, value] of Object.entries(meta)) {
      batch.put(utf8(key), value, { sublevel: this.#meta });
    }
  }

  async #get(level: SubLevel, key: Bytes): Promise<Bytes | undefined> {
    const value = await level.get(key);
    return value === undefined ? undefined : copy(value);
  }
}

/** Big-endian, so that LevelDB orders canonical entries by number. */
function numberKey(number: number): Bytes {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setUint32(0, number);
  return key;
}

function utf8(text: string): Bytes {
  return new TextEncoder().encode(text);
}

/** A plain `Uint8Array` that owns its buffer (LevelDB hands out Node `Buffer`s from a shared pool). */
function copy(bytes: Bytes): Bytes {
  return Uint8Array.prototype.slice.call(bytes);
}
