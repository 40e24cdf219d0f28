/**
 * The overlay: buffered writes over a read-only state, with nested
 * transactions.
 *
 * Each extrinsic's dispatch runs in a transaction that is rolled back when the
 * dispatch fails; events live in state too, so they roll back with it. Undo is
 * a journal per open transaction (the value each key had when the
 * transaction first touched it), so a rollback costs the keys it touched, not
 * the size of the overlay.
 *
 * @module
 */
import { readCompact, Reader, writeCompact, Writer } from "../codec/types.ts";
import { byteString, fromByteString } from "../primitives/bytes.ts";

/** Read access to a state: the trie at some root, or another overlay. */
export interface StateReader {
  /** The value at `key`; `id`, if given, is `byteString(key)`, which saves an overlay building it. */
  get(key: Uint8Array, id?: string): Uint8Array | undefined;
  /** Pairs whose key starts with `prefix`, in key order, strictly after `startAfter` if given. */
  entries(prefix: Uint8Array, startAfter?: Uint8Array): Iterable<[Uint8Array, Uint8Array]>;
}

/** A storage key with its overlay id (`byteString` of the bytes), made once and kept. */
export interface StorageKey {
  readonly bytes: Uint8Array;
  readonly id: string;
}

/** A {@link StorageKey} for `bytes`, which must not change afterwards. */
export function storageKey(bytes: Uint8Array): StorageKey {
  return { bytes, id: byteString(bytes) };
}

/** The empty state: genesis is built over it. */
export const EMPTY_STATE: StateReader = {
  get: () => undefined,
  entries: () => [],
};

/** A key's pending value: bytes, a deletion, or items appended to an encoded `Vec`. */
type Entry =
  | { kind: "value"; value: Uint8Array | null }
  | { kind: "append"; base: Uint8Array | undefined; items: Uint8Array[] };

/** How to restore a key on rollback: its entry before the transaction, and for appends its length then. */
type Undo = { entry: Entry | undefined; items: number };

/**
 * Buffered writes over a {@link StateReader}, with nested transactions. The
 * backend must not change under the overlay (a trie at a fixed root): reads
 * from it are cached.
 */
export class Overlay implements StateReader {
  readonly #backend: StateReader;
  readonly #entries = new Map<string, Entry>();
  readonly #journal: Map<string, Undo>[] = [];
  // PERF: parameters (fees, the existential deposit) are read by every
  // extrinsic; a trie lookup each time costs more than the rest of the read.
  readonly #backendReads = new Map<string, Uint8Array | undefined>();

  constructor(backend: StateReader) {
    this.#backend = backend;
  }

  /** Number of open transactions. */
  get depth(): number {
    return this.#journal.length;
  }

  get(key: Uint8Array, id = byteString(key)): Uint8Array | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return this.#readBackend(id, key);
    if (entry.kind === "value") return entry.value ?? undefined;
    return materialize(entry.base, entry.items);
  }

  #readBackend(id: string, key: Uint8Array): Uint8Array | undefined {
    if (this.#backendReads.has(id)) return this.#backendReads.get(id);
    const value = this.#backend.get(key);
    this.#backendReads.set(id, value);
    return value;
  }

  /** Writes `value` at `key` (`id`: see {@link StateReader.get}). */
  set(key: Uint8Array, value: Uint8Array, id = byteString(key)): void {
    this.#write(id, { kind: "value", value });
  }

  /** Deletes `key` (`id`: see {@link StateReader.get}). */
  delete(key: Uint8Array, id = byteString(key)): void {
    this.#write(id, { kind: "value", value: null });
  }

  /**
   * Appends one SCALE-encoded item to the `Vec` stored at `key` without
   * decoding it: the length prefix is rewritten when the value is read.
   */
  append(key: Uint8Array, item: Uint8Array, id = byteString(key)): void {
    const entry = this.#entries.get(id);
    if (entry?.kind === "append") {
      this.#record(id, entry);
      entry.items.push(item);
      return;
    }
    const base = entry ? entry.value ?? undefined : this.#readBackend(id, key);
    this.#write(id, { kind: "append", base, items: [item] });
  }

  /** Deletes every key that starts with `prefix`, in the overlay and below it. */
  clearPrefix(prefix: Uint8Array): void {
    for (const [key] of [...this.entries(prefix)]) this.delete(key);
  }

  *entries(prefix: Uint8Array, startAfter?: Uint8Array): Generator<[Uint8Array, Uint8Array]> {
    const prefixId = byteString(prefix);
    const afterId = startAfter ? byteString(startAfter) : undefined;
    const mine = [...this.#entries.keys()]
      .filter((k) => k.startsWith(prefixId) && (afterId === undefined || k > afterId))
      .sort();
    let i = 0;
    const own = (id: string): [Uint8Array, Uint8Array] | undefined => {
      const key = fromByteString(id);
      const value = this.get(key);
      return value === undefined ? undefined : [key, value];
    };
    for (const [key, value] of this.#backend.entries(prefix, startAfter)) {
      const id = byteString(key);
      for (; i < mine.length && mine[i] <= id; i++) {
        const pair = own(mine[i]);
        if (pair) yield pair;
      }
      if (i === 0 || mine[i - 1] !== id) yield [key, value];
    }
    for (; i < mine.length; i++) {
      const pair = own(mine[i]);
      if (pair) yield pair;
    }
  }

  /** Opens a nested transaction. */
  startTransaction(): void {
    this.#journal.push(new Map());
  }

  /** Keeps the writes of the innermost transaction. */
  commitTransaction(): void {
    const top = this.#journal.pop();
    if (!top) throw new RangeError("Cannot commit: no open transaction");
    const parent = this.#journal.at(-1);
    if (!parent) return;
    for (const [key, undo] of top) if (!parent.has(key)) parent.set(key, undo);
  }

  /** Undoes every write of the innermost transaction. */
  rollbackTransaction(): void {
    const top = this.#journal.pop();
    if (!top) throw new RangeError("Cannot roll back: no open transaction");
    for (const [key, undo] of top) {
      if (undo.entry === undefined) {
        this.#entries.delete(key);
        continue;
      }
      if (undo.entry.kind === "append") undo.entry.items.length = undo.items;
      this.#entries.set(key, undo.entry);
    }
  }

  /** Runs `fn` in a transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: () => T): T {
    this.startTransaction();
    try {
      const result = fn();
      this.commitTransaction();
      return result;
    } catch (e) {
      this.rollbackTransaction();
      throw e;
    }
  }

  /** Every pending write in key order; `null` deletes. */
  changes(): [Uint8Array, Uint8Array | null][] {
    if (this.#journal.length) throw new RangeError("Cannot take changes: a transaction is open");
    return this.changesSoFar();
  }

  /**
   * Every pending write in key order, those of open transactions included
   * (the state as it would be if they committed): what a benchmark prices
   * before rolling its dispatch back.
   */
  changesSoFar(): [Uint8Array, Uint8Array | null][] {
    return [...this.#entries.keys()].sort().map((id) => {
      const entry = this.#entries.get(id)!;
      const value = entry.kind === "value" ? entry.value : materialize(entry.base, entry.items);
      return [fromByteString(id), value];
    });
  }

  #record(id: string, current: Entry | undefined): void {
    const top = this.#journal.at(-1);
    if (!top || top.has(id)) return;
    top.set(id, {
      entry: current,
      items: current?.kind === "append" ? current.items.length : 0,
    });
  }

  #write(id: string, entry: Entry): void {
    this.#record(id, this.#entries.get(id));
    this.#entries.set(id, entry);
  }
}

/** `Vec` bytes from an existing encoded `Vec` (or none) and appended items. */
function materialize(base: Uint8Array | undefined, items: Uint8Array[]): Uint8Array {
  let count = 0;
  let body: Uint8Array = new Uint8Array(0);
  if (base && base.length) {
    const r = new Reader(base);
    count = Number(readCompact(r, 0xffffffffn));
    body = base.subarray(r.pos);
  }
  // PERF: sized up front, so a block's events (megabytes) are copied once.
  const w = new Writer();
  writeCompact(w, count + items.length);
  const prefix = w.finish();
  let size = prefix.length + body.length;
  for (const item of items) size += item.length;
  const out = new Uint8Array(size);
  out.set(prefix);
  out.set(body, prefix.length);
  let at = prefix.length + body.length;
  for (const item of items) {
    out.set(item, at);
    at += item.length;
  }
  return out;
}
