/**
 * The node's database: LevelDB with one sub-level per kind of record.
 *
 * - `headers`, `bodies`, `justifications`: by block hash.
 * - `canonical`: finalized block number (4 bytes, big-endian) → hash.
 * - `unfinalized`: the hashes of the blocks above the finalized one (what a
 *   restart reads back, instead of every header).
 * - `state`, `refs`: trie nodes by hash, and their reference counts (`CountedNodes`).
 * - `journal`: per block still above the oldest kept state, how its state
 *   changed the references (what pruning it, or discarding it, undoes).
 * - `meta`: the format version, the genesis hash, the best and finalized
 *   heads, what has been pruned, and small records such as the voter's.
 *
 * Every change is one atomic batch, so a node killed at any moment finds
 * either all of a block or none of it; finality and what it prunes are one
 * batch synced to disk. A block's batch is written behind the import (the
 * next block executes while LevelDB writes it), in order; every read, and
 * finality, waits for the writes before it.
 *
 * Counts follow one rule: a node's count is how often
 * it occurs in the oldest kept state, plus how often each finalized block
 * above it added it; what unfinalized blocks added is counted in memory
 * (and rebuilt from their journals at a start). Finalizing a block adds its
 * references; pruning the oldest state applies the next canonical block's
 * removals; a discarded fork's additions are simply never counted. A node
 * no kept state uses is deleted; a node some kept state uses never is.
 *
 * @module
 */
import type { Level } from "level";
import type { NodeRefChanges, TrieNodeStore } from "../../runtime/trie/mod.ts";
import { toHex, toHexRaw } from "../../runtime/primitives/hex.ts";
import { CountedNodes } from "./_counted_nodes.ts";
import { decodeJournal, encodeJournal } from "./_journal.ts";
import { type Batch, type Bytes, level, type SubLevel, sublevel } from "./_level.ts";
import { DEFAULT_PRUNING, type KeepBlocks, oldestKept, type Pruning } from "./pruning.ts";
import { WritesBehind } from "./_writes_behind.ts";

/** Names of the records in the `meta` sub-level. */
export type MetaKey =
  | "version"
  | "genesis"
  | "best"
  | "finalized"
  | "statePruning"
  | "stateBase"
  | "bodiesBase"
  | "authoritySets"
  | "finality";

/** The layout this code reads and writes. */
const FORMAT_VERSION = 2;

/**
 * Block batches that may be on their way to disk at once, while the import
 * goes on; past it an import waits for the oldest.
 */
const MAX_WRITES_BEHIND = 32;

/** A block to write: its header and body (SCALE), and how its state changed the trie. */
export interface BlockRecord {
  hash: Bytes;
  header: Bytes;
  body: Bytes;
  /** New trie nodes (raw hex hash → encoded node), as `Trie.commit` returns them. */
  nodes: Map<string, Bytes>;
  /** The references its state added and dropped, as `Trie.commit` returns them. */
  refs: NodeRefChanges;
}

/** A finalization to write. */
export interface FinalityRecord {
  /** The newly finalized blocks, in ascending order. */
  finalized: { number: number; hash: Bytes }[];
  /**
   * The blocks that left the tree because they are on no chain with the
   * finalized one: their state goes now, their header and body with
   * {@link ChainDatabase.deleteBlocks} once nobody reads them.
   */
  discarded: Bytes[];
  /** The justification of the last finalized block, if any. */
  justification?: Bytes;
  meta: Partial<Record<MetaKey, Bytes>>;
}

/** Options of {@link ChainDatabase.open}. */
export interface ChainDatabaseOptions {
  /** What to keep of finalized history (default: 256 states, every body). */
  pruning?: Pruning;
}

/** The node's LevelDB database. */
export class ChainDatabase {
  readonly #db: Level<Bytes, Bytes>;
  readonly #headers: SubLevel;
  readonly #bodies: SubLevel;
  readonly #justifications: SubLevel;
  readonly #canonical: SubLevel;
  readonly #unfinalized: SubLevel;
  readonly #journal: SubLevel;
  readonly #meta: SubLevel;
  readonly #nodes: CountedNodes;
  readonly #pruning: Pruning;
  readonly #behind = new WritesBehind(MAX_WRITES_BEHIND);
  #stateBase = 0;
  #bodiesBase = 0;

  private constructor(db: Level<Bytes, Bytes>, pruning: Pruning) {
    this.#db = db;
    const sub = (name: string) => sublevel(db, name);
    this.#headers = sub("headers");
    this.#bodies = sub("bodies");
    this.#justifications = sub("justifications");
    this.#canonical = sub("canonical");
    this.#unfinalized = sub("unfinalized");
    this.#journal = sub("journal");
    this.#meta = sub("meta");
    this.#nodes = new CountedNodes(db, sub("state"), sub("refs"));
    this.#pruning = pruning;
  }

  /**
   * Opens (creating if needed) the database in directory `path`.
   *
   * @throws {Error} when the directory cannot be opened (another node holds
   * its lock), was written by an older node, or keeps states in a way that
   * `options.pruning` cannot continue (archive and pruned do not mix)
   */
  static async open(path: string, options: ChainDatabaseOptions = {}): Promise<ChainDatabase> {
    const db = level(path);
    try {
      await db.open();
    } catch (e) {
      const cause = (e as { cause?: Error }).cause;
      throw new Error(`Cannot open the database at ${path}: ${cause?.message ?? e}`);
    }
    const pruning = options.pruning ?? DEFAULT_PRUNING;
    const database = new ChainDatabase(db, pruning);
    try {
      await database.#checkFormat(path);
      for await (const hash of database.#unfinalized.keys()) {
        database.#nodes.restorePending((await database.#journalOf(hash)).added);
      }
    } catch (e) {
      await db.close();
      throw e;
    }
    return database;
  }

  async #checkFormat(path: string): Promise<void> {
    const genesis = await this.getMeta("genesis");
    const version = await this.getMeta("version");
    if (genesis && version?.[0] !== FORMAT_VERSION) {
      throw new Error(
        `The database at ${path} has format ${version?.[0] ?? 1}, this node reads ` +
          `${FORMAT_VERSION}: purge it (purge-chain) and sync again`,
      );
    }
    const stored = await this.getMeta("statePruning");
    const kept = stored && decodeKeep(stored);
    if (kept !== undefined && (kept === "archive") !== (this.#pruning.states === "archive")) {
      throw new Error(
        `The database at ${path} was made with --state-pruning ${kept}; ` +
          `it cannot switch to ${this.#pruning.states} ` +
          `(archive and pruned states do not mix): keep the old setting or purge-chain`,
      );
    }
    this.#stateBase = decodeNumber(await this.getMeta("stateBase"));
    this.#bodiesBase = decodeNumber(await this.getMeta("bodiesBase"));
  }

  /** The state trie nodes, read from disk (cache them above). */
  get trieNodes(): TrieNodeStore {
    return this.#nodes;
  }

  /** The lowest block number whose state is kept (states below it are discarded). */
  get stateBase(): number {
    return this.#stateBase;
  }

  /** What this database keeps of finalized history. */
  get pruning(): Pruning {
    return this.#pruning;
  }

  /**
   * Writes genesis, finalized and best, in one batch synced to disk; until
   * it lands the database is empty (`genesis` meta is what `open` looks for).
   */
  async commitGenesis(genesis: BlockRecord): Promise<void> {
    const batch = this.#db.batch();
    this.#nodes.stageBlock(batch, genesis.nodes, genesis.refs.added);
    this.#nodes.stageCounts(batch, genesis.refs.added, genesis.refs.added);
    batch.put(genesis.hash, genesis.header, { sublevel: this.#headers });
    batch.put(genesis.hash, genesis.body, { sublevel: this.#bodies });
    batch.put(encodeNumber(0), genesis.hash, { sublevel: this.#canonical });
    this.#putMeta(batch, {
      version: new Uint8Array([FORMAT_VERSION]),
      statePruning: encodeKeep(this.#pruning.states),
      genesis: genesis.hash,
      best: genesis.hash,
      finalized: genesis.hash,
    });
    await batch.write({ sync: true });
  }

  /**
   * Writes a block above the finalized one, its trie nodes and the meta
   * records given, in one batch. The batch is written behind: this resolves
   * as soon as every read sees the block (at once, unless the disk is
   * `MAX_WRITES_BEHIND` blocks behind); the next synced write
   * (`commitFinality`) or {@link close} has it on disk.
   *
   * @throws {Error} "A block write failed: ..." when an earlier block's
   * batch could not be written: the database lacks a block the node has
   */
  async commitBlock(block: BlockRecord, meta: Partial<Record<MetaKey, Bytes>> = {}): Promise<void> {
    this.#behind.check();
    const batch = this.#db.batch();
    this.#nodes.stageBlock(batch, block.nodes, block.refs.added);
    batch.put(block.hash, block.header, { sublevel: this.#headers });
    batch.put(block.hash, block.body, { sublevel: this.#bodies });
    batch.put(block.hash, encodeJournal(block.refs), { sublevel: this.#journal });
    batch.put(block.hash, EMPTY, { sublevel: this.#unfinalized });
    this.#putMeta(batch, meta);
    await this.#behind.push(() => batch.write(), (error) => {
      if (error) this.#nodes.unstage(block.nodes, block.refs.added);
      else this.#nodes.written(block.nodes);
    });
  }

  /**
   * Resolves once every block batch given so far has been written (handed
   * to LevelDB: a kill of the process no longer loses it).
   *
   * @throws {Error} "A block write failed: ..." when one was not
   */
  flush(): Promise<void> {
    return this.#behind.drain();
  }

  /**
   * Records a finalization in one batch, synced to disk before it resolves
   * (finality is never lost on a crash): the canonical index of every newly
   * finalized block, the justification, the meta records given, the
   * discarded forks (the nodes only they used), and the
   * states and bodies that fell out of what is kept.
   */
  async commitFinality(record: FinalityRecord): Promise<void> {
    await this.#behind.drain();
    const batch = this.#db.batch();
    const delta = new Map<string, number>();
    const leaving = new Map<string, number>();
    const add = (into: Map<string, number>, counts: Map<string, number>, sign: 1 | -1) => {
      for (const [hash, n] of counts) into.set(hash, (into.get(hash) ?? 0) + sign * n);
    };
    const canonical = new Map<number, Bytes>();
    for (const { number, hash } of record.finalized) {
      canonical.set(number, hash);
      const { added } = await this.#journalOf(hash);
      add(delta, added, 1);
      add(leaving, added, 1);
      batch.put(encodeNumber(number), hash, { sublevel: this.#canonical });
      batch.del(hash, { sublevel: this.#unfinalized });
      // An archive never prunes: a finalized block's journal is of no more use.
      if (this.#pruning.states === "archive") batch.del(hash, { sublevel: this.#journal });
    }
    for (const hash of record.discarded) {
      add(leaving, (await this.#journalOf(hash)).added, 1);
      batch.del(hash, { sublevel: this.#journal });
      batch.del(hash, { sublevel: this.#unfinalized });
    }
    const last = record.finalized.at(-1);
    const hashAt = async (n: number) => canonical.get(n) ?? await this.getCanonicalHash(n);
    const stateBase = Math.max(
      this.#stateBase,
      oldestKept(this.#pruning.states, last?.number ?? 0),
    );
    for (let n = this.#stateBase + 1; n <= stateBase; n++) {
      const hash = (await hashAt(n))!;
      add(delta, (await this.#journalOf(hash)).removed, -1);
      batch.del(hash, { sublevel: this.#journal });
    }
    const bodiesBase = Math.max(
      this.#bodiesBase,
      oldestKept(this.#pruning.blocks, last?.number ?? 0),
    );
    for (let n = this.#bodiesBase; n < bodiesBase; n++) {
      batch.del((await hashAt(n))!, { sublevel: this.#bodies });
    }
    if (last && record.justification) {
      batch.put(last.hash, record.justification, { sublevel: this.#justifications });
    }
    this.#nodes.stageCounts(batch, delta, leaving);
    this.#putMeta(batch, {
      ...record.meta,
      stateBase: encodeNumber(stateBase),
      bodiesBase: encodeNumber(bodiesBase),
    });
    await batch.write({ sync: true });
    this.#stateBase = stateBase;
    this.#bodiesBase = bodiesBase;
  }

  /** Deletes the headers and bodies of discarded blocks. */
  async deleteBlocks(hashes: Bytes[]): Promise<void> {
    await this.#behind.settled();
    const batch = this.#db.batch();
    for (const hash of hashes) {
      batch.del(hash, { sublevel: this.#headers });
      batch.del(hash, { sublevel: this.#bodies });
    }
    await batch.write();
  }

  async #journalOf(hash: Bytes): Promise<NodeRefChanges> {
    const bytes = await this.#get(this.#journal, hash);
    if (!bytes) throw new RangeError(`The state journal of block ${toHex(hash)} is missing`);
    return decodeJournal(bytes);
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
    await this.#behind.settled();
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

  /** The SCALE body of block `hash`, if stored (not after `--blocks-pruning` dropped it). */
  getBody(hash: Bytes): Promise<Bytes | undefined> {
    return this.#get(this.#bodies, hash);
  }

  /** The justification that finalized block `hash`, if it has one. */
  getJustification(hash: Bytes): Promise<Bytes | undefined> {
    return this.#get(this.#justifications, hash);
  }

  /** The hash of finalized block `number`, if it is finalized. */
  getCanonicalHash(number: number): Promise<Bytes | undefined> {
    return this.#get(this.#canonical, encodeNumber(number));
  }

  /** The blocks above the finalized one, as `[hash, SCALE header]` (to rebuild the block tree). */
  async *unfinalizedHeaders(): AsyncGenerator<[Bytes, Bytes]> {
    await this.#behind.settled();
    for await (const hash of this.#unfinalized.keys()) {
      const header = await this.getHeader(hash);
      if (!header) {
        throw new RangeError(`The header of unfinalized block ${toHex(hash)} is missing`);
      }
      yield [copy(hash), header];
    }
  }

  /** The raw hex hash of every stored trie node (for checks and statistics). */
  async *stateNodes(): AsyncGenerator<string> {
    await this.#behind.settled();
    for await (const hash of this.#nodes.level.keys()) yield toHexRaw(hash);
  }

  /** Closes the database once the block writes still on their way have landed. */
  async close(): Promise<void> {
    await this.#behind.settled();
    await this.#db.close();
  }

  #putMeta(batch: Batch, meta: Partial<Record<MetaKey, Bytes>>) {
    for (const [key, value] of Object.entries(meta)) {
      batch.put(utf8(key), value, { sublevel: this.#meta });
    }
  }

  async #get(level: SubLevel, key: Bytes): Promise<Bytes | undefined> {
    await this.#behind.settled();
    const value = await level.get(key);
    return value === undefined ? undefined : copy(value);
  }
}

const EMPTY = new Uint8Array();
/** How `statePruning` meta spells "archive". */
const ARCHIVE = 0xffff_ffff;

function encodeKeep(keep: KeepBlocks): Bytes {
  return encodeNumber(keep === "archive" ? ARCHIVE : keep);
}

function decodeKeep(bytes: Bytes): KeepBlocks {
  const n = decodeNumber(bytes);
  return n === ARCHIVE ? "archive" : n;
}

/** Big-endian, so that LevelDB orders canonical entries by number. */
function encodeNumber(number: number): Bytes {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, number);
  return bytes;
}

function decodeNumber(bytes: Bytes | undefined): number {
  return bytes ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) : 0;
}

function utf8(text: string): Bytes {
  return new TextEncoder().encode(text);
}

/** A plain `Uint8Array` that owns its buffer (LevelDB hands out Node `Buffer`s from a shared pool). */
function copy(bytes: Bytes): Bytes {
  return new Uint8Array(bytes);
}
