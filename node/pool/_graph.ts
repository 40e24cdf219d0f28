/**
 * The pool's two queues, joined by tags: a transaction is ready when every
 * tag it requires is provided by a ready transaction, future otherwise
 * (Substrate's `BasePool` with its `ReadyTransactions` and
 * `FutureTransactions`). Private to the pool: no validation, no statuses,
 * no limits — only who waits for whom.
 *
 * @module
 */

/** A transaction held by the pool, with what its last validation said. */
export interface PoolTx {
  readonly hash: Uint8Array;
  /** The hash in hex: the key of every map here. */
  readonly key: string;
  readonly bytes: Uint8Array;
  priority: bigint;
  /** Tags (hex) it needs other transactions to provide first. */
  requires: string[];
  /** Tags (hex) it provides. */
  provides: string[];
  /** The last best block number at which it may still sit in the pool. */
  validTill: bigint;
  propagate: boolean;
  /** Order of arrival, to break ties between equal priorities. */
  readonly insertion: number;
  queue: "ready" | "future";
}

/** Ready and future transactions and the tags between them. */
export class TxGraph {
  #txs = new Map<string, PoolTx>();
  /** Tag -> key of the transaction providing it (one at most: the pool refuses a second). */
  #provider = new Map<string, string>();
  /** Tag -> keys of the transactions requiring it. */
  #dependents = new Map<string, Set<string>>();
  #ready = 0;
  #bytes = 0;
  /** Keys whose queue may have changed since {@link takeTouched}. */
  #touched = new Set<string>();

  /** Transactions in the ready queue. */
  get readyCount(): number {
    return this.#ready;
  }

  /** Transactions in the future queue. */
  get futureCount(): number {
    return this.#txs.size - this.#ready;
  }

  /** Encoded bytes of all transactions. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The transaction with hash (hex) `key`. */
  get(key: string): PoolTx | undefined {
    return this.#txs.get(key);
  }

  /** Every transaction, in no particular order. */
  all(): PoolTx[] {
    return [...this.#txs.values()];
  }

  /** The transactions already providing one of `provides`. */
  conflicts(provides: string[]): PoolTx[] {
    const out = new Set<PoolTx>();
    for (const tag of provides) {
      const key = this.#provider.get(tag);
      if (key !== undefined) out.add(this.#txs.get(key)!);
    }
    return [...out];
  }

  /** Adds `tx` (its provides must not conflict) and promotes what it unlocks. */
  insert(tx: PoolTx): void {
    this.#txs.set(tx.key, tx);
    this.#bytes += tx.bytes.length;
    for (const tag of tx.provides) this.#provider.set(tag, tx.key);
    for (const tag of tx.requires) {
      let set = this.#dependents.get(tag);
      if (!set) this.#dependents.set(tag, set = new Set());
      set.add(tx.key);
    }
    tx.queue = "future";
    this.#touched.add(tx.key);
    if (this.#satisfied(tx)) this.#promote(tx);
  }

  /** Removes a transaction; ready ones that needed it fall back to future. */
  remove(key: string): PoolTx | undefined {
    const tx = this.#txs.get(key);
    if (!tx) return undefined;
    this.#txs.delete(key);
    this.#bytes -= tx.bytes.length;
    this.#touched.delete(key);
    for (const tag of tx.provides) {
      if (this.#provider.get(tag) === key) this.#provider.delete(tag);
    }
    for (const tag of tx.requires) {
      const set = this.#dependents.get(tag);
      set?.delete(key);
      if (set?.size === 0) this.#dependents.delete(tag);
    }
    if (tx.queue === "ready") {
      this.#ready--;
      for (const tag of tx.provides) this.#demoteDependents(tag);
    }
    return tx;
  }

  /** Empties the graph, returning what it held. */
  clear(): PoolTx[] {
    const all = this.all();
    this.#txs.clear();
    this.#provider.clear();
    this.#dependents.clear();
    this.#ready = 0;
    this.#bytes = 0;
    this.#touched.clear();
    return all;
  }

  /** Keys of transactions inserted or moved between queues since the last call. */
  takeTouched(): string[] {
    const out = [...this.#touched];
    this.#touched.clear();
    return out;
  }

  /**
   * Ready transactions best first: each after the ones providing its
   * requires, otherwise by priority (higher first), then by arrival —
   * Substrate's `BestIterator`.
   */
  readyOrder(): PoolTx[] {
    const waiting = new Map<string, number>();
    const heap = new TxHeap();
    for (const tx of this.#txs.values()) {
      if (tx.queue !== "ready") continue;
      if (tx.requires.length === 0) heap.push(tx);
      else waiting.set(tx.key, tx.requires.length);
    }
    const out: PoolTx[] = [];
    for (let tx = heap.pop(); tx; tx = heap.pop()) {
      out.push(tx);
      for (const tag of tx.provides) {
        for (const key of this.#dependents.get(tag) ?? []) {
          const left = waiting.get(key);
          if (left === undefined) continue;
          if (left === 1) {
            waiting.delete(key);
            heap.push(this.#txs.get(key)!);
          } else waiting.set(key, left - 1);
        }
      }
    }
    return out;
  }

  /**
   * The transaction to evict first from `queue`: the lowest priority, and
   * of equals the newest, so a full pool keeps what it accepted first.
   */
  worst(queue: "ready" | "future"): PoolTx | undefined {
    let worst: PoolTx | undefined;
    for (const tx of this.#txs.values()) {
      if (tx.queue !== queue) continue;
      if (
        !worst || tx.priority < worst.priority ||
        (tx.priority === worst.priority && tx.insertion > worst.insertion)
      ) worst = tx;
    }
    return worst;
  }

  #satisfied(tx: PoolTx): boolean {
    return tx.requires.every((tag) => {
      const key = this.#provider.get(tag);
      return key !== undefined && this.#txs.get(key)!.queue === "ready";
    });
  }

  #promote(first: PoolTx): void {
    const stack = [first];
    for (let tx = stack.pop(); tx; tx = stack.pop()) {
      if (tx.queue === "ready") continue;
      tx.queue = "ready";
      this.#ready++;
      this.#touched.add(tx.key);
      for (const tag of tx.provides) {
        for (const key of this.#dependents.get(tag) ?? []) {
          const dep = this.#txs.get(key)!;
          if (dep.queue === "future" && this.#satisfied(dep)) stack.push(dep);
        }
      }
    }
  }

  #demoteDependents(tag: string): void {
    const tags = [tag];
    for (let t = tags.pop(); t !== undefined; t = tags.pop()) {
      for (const key of this.#dependents.get(t) ?? []) {
        const dep = this.#txs.get(key)!;
        if (dep.queue !== "ready") continue;
        dep.queue = "future";
        this.#ready--;
        this.#touched.add(key);
        tags.push(...dep.provides);
      }
    }
  }
}

/** Higher priority first, then earlier arrival. */
function better(a: PoolTx, b: PoolTx): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.insertion < b.insertion;
}

/** A binary heap of transactions, best on top. */
class TxHeap {
  #items: PoolTx[] = [];

  push(tx: PoolTx): void {
    const items = this.#items;
    items.push(tx);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!better(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): PoolTx | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let best = i;
        if (l < items.length && better(items[l], items[best])) best = l;
        if (r < items.length && better(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}
