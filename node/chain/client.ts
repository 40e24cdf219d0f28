/**
 * The chain client: the block tree over the database, block import through
 * the executive, the fork choice, finalization, and state at any known block.
 *
 * Imports and finalizations run one at a time, in the order they are asked
 * for; each is written to the database in one atomic batch before anyone
 * hears of it.
 *
 * @module
 */
import {
  type Block,
  blockHash,
  decodeBody,
  decodeHeader,
  encodeBody,
  encodeHeader,
  type Header,
} from "../../runtime/block/header.ts";
import { verifyMulti } from "../../runtime/crypto/mod.ts";
import { BlockError, Executive, type SealedState } from "../../runtime/executive/executive.ts";
import { runtime } from "../../runtime/mod.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { Trie } from "../../runtime/trie/mod.ts";
import { toHex, toHexRaw } from "../../runtime/primitives/hex.ts";
import type { ChainSpec } from "../../chain-spec/spec.ts";
import { specGenesis } from "../../chain-spec/genesis.ts";
import type { ChainDatabase } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import {
  applyWithVerifiedSignatures,
  SignatureVerifierPool,
  VerifiedSignatures,
} from "../verify/mod.ts";
import { BlockTree, type Route, type TreeBlock } from "./_tree.ts";
import { ImportError, StateDiscardedError } from "./errors.ts";

/** Checks a block's consensus seal before it is executed. */
export interface SealVerifier {
  /**
   * @throws {ImportError} IMPORT_ERROR_BAD_SEAL (or another code) when the
   * header is not a valid child of `parent` for consensus
   */
  verify(header: Header, parent: TreeBlock, parentState: StateReader): void;
}

/** A block that was imported. */
export interface ImportedBlock {
  block: TreeBlock;
  /** Whether it became the best block, and how the best chain moved. */
  route?: Route;
}

/**
 * The best block moved: by an import that made a new block best, or by a
 * finalization that left the old best block off the finalized chain (a
 * re-org nobody imported a block for).
 */
export interface BestChange {
  /** The new best block. */
  best: TreeBlock;
  /** How the best chain moved from the old best block to the new one. */
  route: Route;
  cause: "import" | "finality";
}

/** Options of {@link ChainClient.open}. */
export interface ChainClientInit {
  db: ChainDatabase;
  spec: ChainSpec;
  /** Checks seals of imported blocks (none: every parent-child block is accepted). */
  sealVerifier?: SealVerifier;
  /** Worker threads verifying signatures during import (default: cores − 1). */
  verifierThreads?: number;
  /** Bytes of decoded trie nodes kept in memory (default 64 MiB); the rest is read from disk. */
  trieCacheBytes?: number;
  /** Told how long each imported block took (seconds); never changes a result. */
  metrics?: { importSeconds: { observe(seconds: number): void } };
  /** Where a listener's failure is logged (default: the console). */
  log?: Pick<Logger, "error">;
}

type Listener<T> = (value: T) => void;

/** What each kind of listener hears. */
interface ChainEvents {
  imported: ImportedBlock;
  bestChanged: BestChange;
  finalized: TreeBlock;
}

/** The node's view of the chain. */
export class ChainClient {
  readonly executive: Executive;
  readonly genesisHash: Uint8Array;
  readonly #db: ChainDatabase;
  readonly #tree: BlockTree;
  readonly #verified: VerifiedSignatures;
  readonly #pool: SignatureVerifierPool;
  readonly #sealVerifier?: SealVerifier;
  readonly #metrics?: ChainClientInit["metrics"];
  readonly #log: Pick<Logger, "error">;
  #best: TreeBlock;
  #finalized: TreeBlock;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #pins = new Map<string, number>();
  /** Discarded blocks kept while pinned, by raw hex hash. */
  readonly #doomed = new Map<string, TreeBlock>();
  readonly #listeners: { [K in keyof ChainEvents]: Set<Listener<ChainEvents[K]>> } = {
    imported: new Set(),
    bestChanged: new Set(),
    finalized: new Set(),
  };

  private constructor(
    init: ChainClientInit,
    executive: Executive,
    verified: VerifiedSignatures,
    genesisHash: Uint8Array,
    tree: BlockTree,
    best: TreeBlock,
    finalized: TreeBlock,
  ) {
    this.#db = init.db;
    this.#sealVerifier = init.sealVerifier;
    this.#metrics = init.metrics;
    this.#log = init.log ?? { error: (message) => console.error(message) };
    this.executive = executive;
    this.#verified = verified;
    this.#pool = new SignatureVerifierPool(init.verifierThreads);
    this.genesisHash = genesisHash;
    this.#tree = tree;
    this.#best = best;
    this.#finalized = finalized;
  }

  /**
   * Opens the chain in `db`: writes genesis from `spec` into an empty
   * database, or checks that the database holds this chain and picks up
   * where it left off.
   *
   * @throws {Error} when the database holds another chain
   */
  static async open(init: ChainClientInit): Promise<ChainClient> {
    const { db, spec } = init;
    const verified = new VerifiedSignatures(verifyMulti);
    const trie = new Trie(db.trieNodes, { cacheBytes: init.trieCacheBytes });
    const executive = new Executive(runtime, trie, verified.verify);
    const genesis = specGenesis(spec, executive);
    const stored = await db.getMeta("genesis");
    if (!stored) await writeGenesis(db, genesis);
    else if (toHex(stored) !== toHex(genesis.hash)) {
      throw new Error(
        `The database holds another chain (genesis ${toHex(stored)}, ` +
          `the spec's is ${toHex(genesis.hash)}): use another --base-path or purge-chain`,
      );
    }
    // The finalized block and those above it: what the tree holds, and all a start reads.
    const tree = new BlockTree();
    const finalizedHash = (await db.getMeta("finalized"))!;
    const finalized = tree.add(finalizedHash, decodeHeader((await db.getHeader(finalizedHash))!));
    for await (const [hash, header] of db.unfinalizedHeaders()) {
      tree.add(hash, decodeHeader(header));
    }
    const best = tree.get((await db.getMeta("best"))!) ?? finalized;
    return new ChainClient(
      init,
      executive,
      verified,
      genesis.hash,
      tree,
      tree.best(finalized, best),
      finalized,
    );
  }

  /** The best block. */
  get best(): TreeBlock {
    return this.#best;
  }

  /** The last finalized block. */
  get finalized(): TreeBlock {
    return this.#finalized;
  }

  /** A block above the last finalized one (or that one), if known. */
  block(hash: Uint8Array | string): TreeBlock | undefined {
    return this.#tree.get(hash);
  }

  /**
   * The known blocks at height `number` from the last finalized one up:
   * every fork's, best chain or not (the finalized block alone at its height).
   */
  blocksAt(number: number): TreeBlock[] {
    return this.#tree.atHeight(number);
  }

  /**
   * The best block on a chain containing `block` (a block of the tree): the
   * best block itself when it does, else the highest descendant of `block`.
   */
  bestContaining(block: TreeBlock): TreeBlock {
    if (this.#tree.descendsFrom(this.#best, block)) return this.#best;
    return this.#tree.best(block, block);
  }

  /** The header of any stored block. */
  async header(hash: Uint8Array): Promise<Header | undefined> {
    const known = this.#tree.get(hash);
    if (known) return known.header;
    const bytes = await this.#db.getHeader(hash);
    return bytes && decodeHeader(bytes);
  }

  /** The extrinsics of any stored block. */
  async body(hash: Uint8Array): Promise<Uint8Array[] | undefined> {
    const bytes = await this.#db.getBody(hash);
    return bytes && decodeBody(bytes);
  }

  /** The justification that finalized block `hash`, if it has one. */
  justification(hash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#db.getJustification(hash);
  }

  /** The hash of block `number` on the best chain (finalized or not). */
  async hashAt(number: number): Promise<Uint8Array | undefined> {
    if (number <= this.#finalized.header.number) return await this.#db.getCanonicalHash(number);
    return this.#tree.ancestorAt(this.#best, number)?.hash;
  }

  /**
   * The state after block `header`.
   *
   * @throws {StateDiscardedError} when the block is older than the oldest
   * state kept (`--state-pruning`)
   */
  stateAt(header: Header): StateReader {
    if (header.number < this.#db.stateBase) throw new StateDiscardedError(blockHash(header));
    return this.executive.stateAt(header.stateRoot);
  }

  /**
   * Calls `listener` for every imported block (and how the best chain moved
   * when it became best). A listener that throws is logged; the import stands.
   */
  onImported(listener: Listener<ImportedBlock>): () => void {
    this.#listeners.imported.add(listener);
    return () => this.#listeners.imported.delete(listener);
  }

  /**
   * Calls `listener` for every move of the best block, in order: after the
   * import that caused it, or before the finalized listeners hear of the
   * finalization that caused it. What follows the best chain (the pool, new
   * head subscriptions) listens here: finality can re-org too.
   */
  onBestChanged(listener: Listener<BestChange>): () => void {
    this.#listeners.bestChanged.add(listener);
    return () => this.#listeners.bestChanged.delete(listener);
  }

  /** Calls `listener` for every newly finalized block, in order (a throw is logged). */
  onFinalized(listener: Listener<TreeBlock>): () => void {
    this.#listeners.finalized.add(listener);
    return () => this.#listeners.finalized.delete(listener);
  }

  /**
   * Verifies, executes and stores a block from elsewhere. A block already
   * known is not imported again (`undefined`).
   *
   * @throws {ImportError} when the block is not valid here
   */
  importBlock(block: Block): Promise<ImportedBlock | undefined> {
    return this.#serial(async () => {
      const hash = blockHash(block.header);
      if (this.#tree.get(hash)) return undefined;
      const started = performance.now();
      const parent = this.#parentOf(block.header, hash);
      this.#sealVerifier?.verify(block.header, parent, this.stateAt(parent.header));
      const sealed = await this.#execute(parent, block);
      const imported = await this.#store(hash, block.header, sealed);
      this.#metrics?.importSeconds.observe((performance.now() - started) / 1000);
      return imported;
    });
  }

  /**
   * Stores a block this node built and sealed: its state was computed while
   * building, so it is not executed again. Unlike an imported block it is
   * written before anyone hears of it: a validator killed after sending it
   * must not restart without it and seal another block in the same slot.
   */
  importOwnBlock(header: Header, built: SealedState): Promise<ImportedBlock> {
    return this.#serial(() => {
      const hash = blockHash(header);
      this.#parentOf(header, hash);
      return this.#store(hash, header, built, { written: true });
    });
  }

  /**
   * Finalizes `hash` and every unfinalized ancestor, storing the
   * justification with it. Finalizing the finalized block again is a no-op.
   * When the best block does not descend from `hash`, the best becomes the
   * highest descendant of `hash` and {@link onBestChanged} hears the re-org.
   *
   * @throws {ImportError} IMPORT_ERROR_NOT_DESCENDANT when `hash` is unknown or not above the finalized block
   */
  finalize(hash: Uint8Array, justification?: Uint8Array): Promise<void> {
    return this.#serial(async () => {
      const block = this.#tree.get(hash);
      if (block?.hashHex === this.#finalized.hashHex) return;
      if (!block || !this.#tree.descendsFrom(block, this.#finalized)) {
        throw new ImportError("IMPORT_ERROR_NOT_DESCENDANT", { hash: toHex(hash) });
      }
      const newly = this.#tree.route(this.#finalized, block).enacted;
      const best = this.bestContaining(block);
      // Routed before pruning: the retracted blocks leave the tree with it.
      const moved = best.hashHex === this.#best.hashHex ? undefined : {
        best,
        route: this.#tree.route(this.#best, best),
        cause: "finality" as const,
      };
      const onChain = new Set([this.#finalized, ...newly].map((b) => b.hashHex));
      const discarded = this.#tree.outside(block).filter((b) => !onChain.has(b.hashHex));
      await this.#db.commitFinality({
        finalized: newly.map((b) => ({ number: b.header.number, hash: b.hash })),
        discarded: discarded.map((b) => b.hash),
        justification,
        meta: moved ? { finalized: block.hash, best: best.hash } : { finalized: block.hash },
      });
      this.#finalized = block;
      this.#best = best;
      this.#tree.prune(block);
      const heard = [
        moved ? this.#emit("bestChanged", moved) : undefined,
        ...newly.map((b) => this.#emit("finalized", b)),
      ];
      // Listeners may still read what the re-org retracted: its blocks go once they are done.
      void Promise.all(heard).then(() => this.#release(discarded));
    });
  }

  /** Stops the signature workers. The database is the caller's to close. */
  close(): Promise<void> {
    return this.#serial(() => {
      this.#pool.close();
      return Promise.resolve();
    });
  }

  #parentOf(header: Header, hash: Uint8Array): TreeBlock {
    if (header.number <= this.#finalized.header.number) {
      throw new ImportError("IMPORT_ERROR_BELOW_FINALIZED", {
        number: header.number,
        finalized: this.#finalized.header.number,
      });
    }
    const parent = this.#tree.get(header.parentHash);
    if (!parent) {
      throw new ImportError("IMPORT_ERROR_UNKNOWN_PARENT", {
        hash: toHex(hash),
        parent: toHex(header.parentHash),
      });
    }
    return parent;
  }

  async #execute(parent: TreeBlock, block: Block): Promise<SealedState> {
    try {
      const run = this.executive.importBlock(parent.header, block);
      await applyWithVerifiedSignatures(
        {
          count: block.extrinsics.length,
          signatureCheck: (i) => run.signatureCheck(i),
          apply: (i) => run.apply(i),
        },
        this.#pool,
        this.#verified,
      );
      return run.finish();
    } catch (e) {
      if (!(e instanceof BlockError)) throw e;
      throw new ImportError("IMPORT_ERROR_EXECUTION", { reason: e.message, code: e.code });
    }
  }

  async #store(
    hash: Uint8Array,
    header: Header,
    state: SealedState,
    options: { written?: boolean } = {},
  ): Promise<ImportedBlock> {
    const added = this.#tree.add(hash, header);
    // The tree holds only the finalized block and its descendants, so a block
    // higher than the best is on a chain that contains the finalized one.
    const isBest = header.number > this.#best.header.number;
    try {
      await this.#db.commitBlock(
        {
          hash,
          header: encodeHeader(header),
          body: encodeBody(state.extrinsics),
          nodes: state.nodes,
          refs: state.refs,
        },
        isBest ? { best: hash } : {},
      );
      if (options.written) await this.#db.flush();
    } catch (e) {
      this.#tree.remove(added);
      throw e;
    }
    const imported: ImportedBlock = { block: added };
    if (isBest) {
      imported.route = this.#tree.route(this.#best, added);
      this.#best = added;
    }
    this.#emit("imported", imported);
    if (imported.route) {
      this.#emit("bestChanged", { best: added, route: imported.route, cause: "import" });
    }
    return imported;
  }

  /**
   * Tells every listener of `kind`; resolves once the async ones settle.
   * The change is already stored: a listener's throw (or rejection) is
   * logged and neither undoes it nor keeps the other listeners from hearing it.
   */
  #emit<K extends keyof ChainEvents>(kind: K, value: ChainEvents[K]): Promise<unknown> {
    const fail = (e: unknown) =>
      this.#log.error(`chain: a listener of ${kind} failed: ${(e as Error)?.stack ?? e}`);
    const pending: Promise<unknown>[] = [];
    for (const listener of this.#listeners[kind]) {
      try {
        const result: unknown = listener(value);
        if (result instanceof Promise) pending.push(result.catch(fail));
      } catch (e) {
        fail(e);
      }
    }
    return Promise.all(pending);
  }

  /**
   * Keeps block `hash` readable (header and body) even if finality discards
   * its fork, until as many `unpin` calls: for whoever told others of it
   * (a `chainHead_v1_follow` subscription) and may be asked for it later.
   */
  pin(hash: Uint8Array): void {
    const id = toHexRaw(hash);
    this.#pins.set(id, (this.#pins.get(id) ?? 0) + 1);
  }

  /** Undoes one `pin`; a discarded block whose last pin goes is deleted. */
  unpin(hash: Uint8Array): void {
    const id = toHexRaw(hash);
    const left = (this.#pins.get(id) ?? 0) - 1;
    if (left > 0) return void this.#pins.set(id, left);
    this.#pins.delete(id);
    const doomed = this.#doomed.get(id);
    if (doomed) this.#release([doomed]);
  }

  /** Deletes discarded blocks nobody pins; the pinned ones wait for their last `unpin`. */
  #release(blocks: TreeBlock[]): void {
    const free = blocks.filter((b) => {
      const pinned = this.#pins.has(b.hashHex);
      if (pinned) this.#doomed.set(b.hashHex, b);
      else this.#doomed.delete(b.hashHex);
      return !pinned;
    });
    if (free.length === 0) return;
    // Left behind by a failure, a discarded block is only unused bytes: nothing reads it.
    this.#db.deleteBlocks(free.map((b) => b.hash)).catch((e) =>
      this.#log.error(`chain: deleting discarded blocks failed: ${e}`)
    );
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }
}

function writeGenesis(db: ChainDatabase, genesis: SealedState): Promise<void> {
  return db.commitGenesis({
    hash: genesis.hash,
    header: encodeHeader(genesis.header),
    body: encodeBody([]),
    nodes: genesis.nodes,
    refs: genesis.refs,
  });
}
