/**
 * The transaction pool: validates against the best block, holds ready and
 * future transactions joined by the tags the runtime gives them, replaces
 * by priority, evicts on limits, and keeps up with the chain as blocks are
 * imported, retracted and finalized — Substrate's graph pool in one place.
 *
 * @module
 */
import { blockHash, type Header } from "../../runtime/block/header.ts";
import {
  type Executive,
  nonceTag,
  type ValidTransaction,
} from "../../runtime/executive/executive.ts";
import { TransactionValidityError } from "../../runtime/executive/validity.ts";
import { validateTransactionAt } from "../../runtime/api/mod.ts";
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import { fromHex, toHex, toHexRaw } from "../../runtime/primitives/hex.ts";
import { BanList } from "./_ban.ts";
import { type PoolTx, TxGraph } from "./_graph.ts";
import { Watchers } from "./_watchers.ts";
import {
  alreadyImportedError,
  bannedError,
  immediatelyDroppedError,
  PoolError,
  PoolErrorCode,
  tooLowPriorityError,
  validityPoolError,
} from "./errors.ts";
import type { TxStatus, TxStatusListener } from "./status.ts";

/** How much the pool holds; past a limit the lowest priority goes first, futures before ready. */
export interface PoolLimits {
  /** Ready transactions (Substrate's default: 8192). */
  maxReady?: number;
  /** Future transactions (Substrate's default: 512). */
  maxFuture?: number;
  /** Encoded bytes of all transactions, ready and future (default 21 MiB: 20 ready + 1 future). */
  maxBytes?: number;
}

/** Options of a {@link TransactionPool}. */
export interface TransactionPoolInit {
  /** Validates transactions against a block's state. */
  executive: Executive;
  limits?: PoolLimits;
  /** How long a hash stays banned (default 30 minutes, as Substrate). */
  banMs?: number;
  /** The clock for bans, in milliseconds (injectable for tests). */
  now?: () => number;
}

/** What {@link TransactionPool.submit} accepted, and into which queue. */
export interface SubmitResult {
  hash: Uint8Array;
  status: "ready" | "future";
}

/** A transaction as the pool holds it. */
export interface PoolTransaction {
  hash: Uint8Array;
  bytes: Uint8Array;
  priority: bigint;
  requires: Uint8Array[];
  provides: Uint8Array[];
  /** The last best block number at which it may stay in the pool. */
  validTill: bigint;
  /** Whether it may be gossiped. */
  propagate: boolean;
}

/** Hears each transaction that becomes ready and may be gossiped. */
export type ImportListener = (hash: Uint8Array, bytes: Uint8Array) => void;

/** Sizes of the pool, for the informant and `/metrics`. */
export interface PoolStatus {
  ready: number;
  future: number;
  bytes: number;
}

/** Substrate's defaults (`sc-transaction-pool` `Options::default`). */
export const DEFAULT_LIMITS: Required<PoolLimits> = {
  maxReady: 8192,
  maxFuture: 512,
  maxBytes: 21 * 1024 * 1024,
};

/** Bans last half an hour, as Substrate's `PoolRotator`. */
export const DEFAULT_BAN_MS = 30 * 60 * 1000;

/** Blocks a transaction may sit in an unfinalized block before its watch ends (Substrate's value). */
export const FINALITY_TIMEOUT_BLOCKS = 512;

/**
 * The node's transaction pool. Every method is synchronous; statuses reach
 * watchers once the pool is consistent again, before the method returns.
 *
 * @example
 * ```ts
 * import { TransactionPool } from "./pool.ts";
 * import { dev, TestExt } from "../../runtime/testing/mod.ts";
 * const ext = new TestExt();
 * const pool = new TransactionPool({ executive: ext.executive });
 * const tx = ext.signed("System", "remark", { remark: new Uint8Array([1]) }, dev.alice);
 * const { status } = pool.submit(tx, ext.parent);
 * if (status !== "ready" || pool.pending().length !== 1) throw new Error("not ready");
 * ```
 */
export class TransactionPool {
  readonly #executive: Executive;
  readonly #limits: Required<PoolLimits>;
  readonly #bans: BanList;
  readonly #graph = new TxGraph();
  readonly #watchers = new Watchers();
  readonly #importListeners = new Set<ImportListener>();
  #imports: PoolTx[] = [];
  #insertions = 0;
  /** The queue each transaction's watchers last heard. */
  readonly #reported = new Map<string, "ready" | "future">();
  /** Transactions already handed to the import listeners. */
  readonly #announced = new Set<string>();
  readonly #broadcasts = new Map<string, string[]>();
  /** Transactions that left the pool for a block not yet finalized. */
  readonly #inBlock = new Map<string, { blockHash: Uint8Array; number: number }>();
  /** Transactions of retracted blocks, validated again at the next best block. */
  readonly #resubmit = new Map<string, Uint8Array>();

  constructor(init: TransactionPoolInit) {
    this.#executive = init.executive;
    this.#limits = { ...DEFAULT_LIMITS, ...stripUndefined(init.limits ?? {}) };
    this.#bans = new BanList(init.banMs ?? DEFAULT_BAN_MS, init.now ?? Date.now);
  }

  /**
   * Validates `bytes` against the state of `best` and adds it to the ready
   * or future queue.
   *
   * @throws {PoolError} 1010 invalid (and banned), 1011 unknown validity,
   * 1012 banned, 1013 already in the pool, 1014 priority too low to replace
   * the holder of its tag, 1016 the pool is full
   */
  submit(bytes: Uint8Array, best: Header): SubmitResult {
    try {
      const hash = extrinsicHash(bytes);
      const key = toHexRaw(hash);
      if (this.#bans.isBanned(key)) throw bannedError();
      if (this.#graph.get(key)) throw alreadyImportedError(toHex(hash));
      const tx = this.#entry(hash, key, bytes, this.#validate(key, bytes, best), best.number);
      const conflicts = this.#graph.conflicts(tx.provides);
      const strongest = conflicts.reduce((m, c) => c.priority > m ? c.priority : m, -1n);
      if (strongest >= tx.priority) throw tooLowPriorityError(strongest, tx.priority);
      for (const old of conflicts) {
        this.#graph.remove(old.key);
        this.#end(old, { type: "usurped", by: hash });
      }
      this.#graph.insert(tx);
      this.#settle();
      if (!this.#graph.get(key)) throw immediatelyDroppedError();
      return { hash, status: tx.queue };
    } finally {
      this.#flush();
    }
  }

  /** Ready transactions in an order valid for a block: dependencies first, then best priority. */
  ready(): PoolTransaction[] {
    return this.#graph.readyOrder().map(view);
  }

  /**
   * The account's next nonce: `onChain` (its nonce at the best block), then
   * past every nonce its ready transactions already take
   * (`system_accountNextIndex`).
   */
  nextNonce(account: Uint8Array, onChain: number): number {
    const taken = new Set(this.ready().flatMap((tx) => tx.provides.map(toHexRaw)));
    let nonce = onChain;
    while (taken.has(toHexRaw(nonceTag(account, nonce)))) nonce++;
    return nonce;
  }

  /** Encoded ready transactions, in {@link ready} order (`author_pendingExtrinsics`). */
  pending(): Uint8Array[] {
    return this.#graph.readyOrder().map((tx) => tx.bytes);
  }

  /** Counts and bytes held. */
  status(): PoolStatus {
    const g = this.#graph;
    return { ready: g.readyCount, future: g.futureCount, bytes: g.bytes };
  }

  /** Whether a transaction (by hash) is in the ready or future queue. */
  has(hash: Uint8Array): boolean {
    return this.#graph.get(toHexRaw(hash)) !== undefined;
  }

  /**
   * Follows a transaction's statuses. The current one (`future` or `ready`,
   * a `broadcast` already made, or `inBlock`) is delivered at once, then
   * each change until a terminal status.
   *
   * @returns a function that stops the watch
   * @throws {RangeError} when the pool does not know the transaction
   */
  watch(hash: Uint8Array, listener: TxStatusListener): () => void {
    const key = toHexRaw(hash);
    const tx = this.#graph.get(key);
    const inBlock = this.#inBlock.get(key);
    if (!tx && !inBlock && !this.#resubmit.has(key)) {
      throw new RangeError(`Cannot watch transaction: ${toHex(hash)} is not in the pool`);
    }
    const replay: TxStatus[] = [];
    if (tx) {
      replay.push({ type: this.#reported.get(key) ?? tx.queue });
      const peers = this.#broadcasts.get(key);
      if (peers) replay.push({ type: "broadcast", peers });
    } else if (inBlock) {
      replay.push({ type: "inBlock", blockHash: inBlock.blockHash });
    }
    const stop = this.#watchers.add(key, listener, replay);
    this.#flush();
    return stop;
  }

  /**
   * Calls `listener` for each transaction that becomes ready and may be
   * propagated, so the network can gossip it.
   *
   * @returns a function that removes the listener
   */
  onImported(listener: ImportListener): () => void {
    this.#importListeners.add(listener);
    return () => this.#importListeners.delete(listener);
  }

  /** Tells the watchers of `hash` that the network gossiped it to `peers`. */
  markBroadcast(hash: Uint8Array, peers: string[]): void {
    const key = toHexRaw(hash);
    if (!this.#graph.get(key)) return;
    this.#broadcasts.set(key, [...peers]);
    this.#watchers.emit(key, { type: "broadcast", peers: [...peers] });
    this.#flush();
  }

  /**
   * Removes transactions by hash, banning them (`author_removeExtrinsic`);
   * their watchers hear `invalid`.
   *
   * @returns the hashes that were in the pool
   */
  remove(hashes: Uint8Array[]): Uint8Array[] {
    const removed: Uint8Array[] = [];
    for (const hash of hashes) {
      const tx = this.#graph.remove(toHexRaw(hash));
      if (!tx) continue;
      this.#end(tx, { type: "invalid" });
      removed.push(tx.hash);
    }
    this.#settle();
    this.#flush();
    return removed;
  }

  /**
   * A new best block: `included` (extrinsic hashes of `best`) leave the
   * pool as `inBlock` and are banned, so gossip cannot bring them back;
   * transactions of retracted blocks are validated again; every other
   * transaction is validated against `best` — now invalid ones are removed
   * and banned, expired ones dropped — and the queues are rebuilt.
   *
   * After a jump of several blocks, call it for each block in order (the
   * inclusion is reported with the hash of the block given).
   */
  onNewBest(best: Header, included: Uint8Array[]): void {
    try {
      const hash = blockHash(best);
      for (const h of included) {
        const key = toHexRaw(h);
        const tx = this.#graph.remove(key);
        if (tx) this.#leave(key);
        if (tx || this.#inBlock.has(key) || this.#resubmit.has(key)) {
          this.#inBlock.set(key, { blockHash: hash, number: best.number });
          this.#watchers.emit(key, { type: "inBlock", blockHash: hash });
        }
        this.#resubmit.delete(key);
        this.#bans.ban(key);
      }
      this.#revalidate(best);
      this.#settle();
      for (const [key, block] of this.#inBlock) {
        if (best.number < block.number + FINALITY_TIMEOUT_BLOCKS) continue;
        this.#inBlock.delete(key);
        this.#watchers.emit(key, { type: "finalityTimeout", blockHash: block.blockHash });
      }
      this.#bans.sweep();
    } finally {
      this.#flush();
    }
  }

  /**
   * A block left the best chain in a re-org: its pool transactions hear
   * `retracted`, and all its `extrinsics` are validated again at the next
   * {@link onNewBest} (call this for every retracted block first).
   */
  onRetracted(retracted: Uint8Array, extrinsics: Uint8Array[]): void {
    const hex = toHexRaw(retracted);
    for (const bytes of extrinsics) {
      const key = toHexRaw(extrinsicHash(bytes));
      const block = this.#inBlock.get(key);
      if (block && toHexRaw(block.blockHash) === hex) {
        this.#inBlock.delete(key);
        this.#watchers.emit(key, { type: "retracted", blockHash: block.blockHash });
      }
      this.#resubmit.set(key, bytes);
    }
    this.#flush();
  }

  /** Blocks were finalized: transactions included in them hear `finalized`. */
  onFinalized(blockHashes: Uint8Array[]): void {
    const finalized = new Set(blockHashes.map(toHexRaw));
    for (const [key, block] of this.#inBlock) {
      if (!finalized.has(toHexRaw(block.blockHash))) continue;
      this.#inBlock.delete(key);
      this.#watchers.emit(key, { type: "finalized", blockHash: block.blockHash });
    }
    this.#flush();
  }

  /** Validity at `best`; an invalid transaction is banned. */
  #validate(key: string, bytes: Uint8Array, best: Header): ValidTransaction {
    try {
      return validateTransactionAt({ executive: this.#executive }, best, bytes);
    } catch (e) {
      if (!(e instanceof TransactionValidityError)) throw e;
      if (e.kind === "Invalid") this.#bans.ban(key);
      throw validityPoolError(e);
    }
  }

  #entry(
    hash: Uint8Array,
    key: string,
    bytes: Uint8Array,
    validity: ValidTransaction,
    at: number,
  ): PoolTx {
    const tx: PoolTx = {
      hash,
      key,
      bytes,
      priority: 0n,
      requires: [],
      provides: [],
      validTill: 0n,
      propagate: true,
      insertion: this.#insertions++,
      queue: "future",
    };
    update(tx, validity, at);
    return tx;
  }

  /**
   * Validates every transaction against `best` (and those of retracted
   * blocks), then rebuilds the queues from the survivors, best priority
   * first so that of two holders of one tag the better stays.
   */
  #revalidate(best: Header): void {
    const survivors: PoolTx[] = [];
    const expired: PoolTx[] = [];
    const invalid: PoolTx[] = [];
    // Validate before clearing anything: an unexpected error (a state node
    // missing) must leave the pool as it was.
    for (const tx of this.#graph.all()) {
      if (BigInt(best.number) >= tx.validTill) {
        expired.push(tx);
        continue;
      }
      try {
        update(
          tx,
          validateTransactionAt({ executive: this.#executive }, best, tx.bytes),
          best.number,
        );
        survivors.push(tx);
      } catch (e) {
        if (!(e instanceof TransactionValidityError)) throw e;
        // Unknown validity may change with the next block: keep the old verdict.
        if (e.kind === "Invalid") invalid.push(tx);
        else survivors.push(tx);
      }
    }
    for (const [key, bytes] of this.#resubmit) {
      this.#resubmit.delete(key);
      this.#bans.unban(key);
      if (this.#graph.get(key)) continue;
      const hash = fromHex(key);
      try {
        survivors.push(
          this.#entry(hash, key, bytes, this.#validate(key, bytes, best), best.number),
        );
      } catch (e) {
        if (!(e instanceof PoolError)) throw e;
        // Invalid now (and banned by #validate), or of unknown validity (an inherent).
        const invalid = e.code === PoolErrorCode.InvalidTransaction;
        this.#watchers.emit(key, { type: invalid ? "invalid" : "dropped" });
      }
    }
    this.#graph.clear();
    for (const tx of expired) this.#end(tx, { type: "dropped" });
    for (const tx of invalid) this.#end(tx, { type: "invalid" });
    survivors.sort((a, b) =>
      a.priority !== b.priority ? (a.priority > b.priority ? -1 : 1) : a.insertion - b.insertion
    );
    for (const tx of survivors) {
      const holder = this.#graph.conflicts(tx.provides)[0];
      if (holder) this.#end(tx, { type: "usurped", by: holder.hash });
      else this.#graph.insert(tx);
    }
  }

  /** Enforces the limits, then tells watchers and import listeners what moved. */
  #settle(): void {
    const g = this.#graph;
    const l = this.#limits;
    for (;;) {
      const overBytes = g.bytes > l.maxBytes;
      const queue = g.futureCount > l.maxFuture || (overBytes && g.futureCount > 0)
        ? "future"
        : g.readyCount > l.maxReady || overBytes
        ? "ready"
        : undefined;
      const worst = queue && g.worst(queue);
      if (!worst) break;
      g.remove(worst.key);
      this.#end(worst, { type: "dropped" });
    }
    for (const key of g.takeTouched()) {
      const tx = g.get(key);
      if (!tx || this.#reported.get(key) === tx.queue) continue;
      this.#reported.set(key, tx.queue);
      this.#watchers.emit(key, { type: tx.queue });
      if (tx.queue === "ready" && tx.propagate && !this.#announced.has(key)) {
        this.#announced.add(key);
        this.#imports.push(tx);
      }
    }
  }

  /** A transaction left the pool for good: tell its watchers; ban it unless it was usurped. */
  #end(tx: PoolTx, status: TxStatus): void {
    this.#leave(tx.key);
    if (status.type !== "usurped") this.#bans.ban(tx.key);
    this.#watchers.emit(tx.key, status);
  }

  #leave(key: string): void {
    this.#reported.delete(key);
    this.#announced.delete(key);
    this.#broadcasts.delete(key);
  }

  #flush(): void {
    this.#watchers.flush();
    const imports = this.#imports;
    this.#imports = [];
    for (const tx of imports) {
      if (!this.#graph.get(tx.key)) continue;
      for (const listener of [...this.#importListeners]) {
        try {
          listener(tx.hash, tx.bytes);
        } catch {
          // As for watchers: a listener's bug does not undo the import.
        }
      }
    }
  }
}

function update(tx: PoolTx, validity: ValidTransaction, at: number): void {
  tx.priority = validity.priority;
  tx.requires = [...new Set(validity.requires.map(toHexRaw))];
  tx.provides = [...new Set(validity.provides.map(toHexRaw))];
  tx.validTill = BigInt(at) + validity.longevity;
  tx.propagate = validity.propagate;
}

function view(tx: PoolTx): PoolTransaction {
  return {
    hash: tx.hash,
    bytes: tx.bytes,
    priority: tx.priority,
    requires: tx.requires.map(fromHex),
    provides: tx.provides.map(fromHex),
    validTill: tx.validTill,
    propagate: tx.propagate,
  };
}

function stripUndefined(limits: PoolLimits): PoolLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}
