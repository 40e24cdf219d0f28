/**
 * One `chainHead_v1_follow` subscription: the blocks it has reported and
 * pinned, the events it owes its client, and the operations (`body`,
 * `call`, `storage`) running against its pinned blocks.
 *
 * The subscription keeps its own view of the unfinalized tree (the blocks
 * it reported), so what it says in `finalized` (which blocks were
 * finalized, which pruned) is computed from what it told, never from a
 * chain that may have moved on. The chain is a {@link FollowedChain}: a
 * full node's block tree, or the finalized chain a light client proved.
 *
 * @module
 */
import { encodeHeader, type Header } from "../../../runtime/block/header.ts";
import { toHex, toHexRaw } from "../../../runtime/primitives/hex.ts";
import { RpcError } from "../error.ts";
import type { StorageItemJson, StorageQuery } from "../storage_query.ts";

/** The bounds a follow subscription keeps to. */
export interface FollowLimits {
  /** Follow subscriptions one connection may hold (the spec's floor is 2). */
  maxFollowsPerConnection: number;
  /**
   * Pinned blocks that are already finalized or pruned, past which the
   * subscription is stopped: the spec's advice, so that a stalled finality
   * (many unfinalized blocks) never stops a client that unpins as it should.
   */
  maxPinnedBlocks: number;
  /** Operations in progress at once; each storage item counts as one (the spec's floor is 16). */
  maxOperations: number;
  /** Storage items sent before a descendants query waits for `chainHead_v1_continue`. */
  storageItemsPerStep: number;
}

/** A block as a followed chain names it. */
export interface ChainBlock {
  hash: Uint8Array;
  hashHex: string;
  header: Header;
}

/** The chain a follow subscription reports. */
export interface FollowedChain {
  readonly finalized: ChainBlock;
  readonly best: ChainBlock;
  /** A block the chain still holds. */
  block(hash: Uint8Array): ChainBlock | undefined;
  /** Hears each new block, parents first. @returns the function that stops it */
  onImported(listener: (event: { block: ChainBlock }) => void): () => void;
  /** Hears each change of the best block. @returns the function that stops it */
  onBestChanged(listener: (event: { best: ChainBlock }) => void): () => void;
  /** Hears each newly finalized block in turn. @returns the function that stops it */
  onFinalized(listener: (block: ChainBlock) => void): () => void;
  /** Keeps a block readable until as many `unpin`s. */
  pin(hash: Uint8Array): void;
  unpin(hash: Uint8Array): void;
  /** A block's extrinsics, or `undefined` when they are not to be had. */
  body(hash: Uint8Array): Promise<Uint8Array[] | undefined>;
}

/**
 * The items of storage `queries` at a block, as they are read (a light
 * client's reads wait for proofs, so they may come asynchronously).
 */
export type StorageRead = (
  header: Header,
  queries: StorageQuery[],
  childTrie: boolean,
) => Iterator<StorageItemJson> | AsyncIterator<StorageItemJson>;

/** Runs a runtime API function at a block: the output bytes, or a throw saying why not. */
export type RuntimeCall = (
  header: Header,
  fn: string,
  params: Uint8Array,
) => Uint8Array | Promise<Uint8Array>;

/** The spec's `limitReached` answer to an operation that cannot start. */
export const LIMIT_REACHED = { result: "limitReached" } as const;

/** `-32801`: the block was never reported by this subscription, or was unpinned. */
export function invalidBlock(): RpcError {
  return new RpcError(-32801, "Invalid block hash: not pinned by this follow subscription");
}

interface Operation {
  id: string;
  slots: number;
  stopped: boolean;
  /** Set while a storage query waits for `chainHead_v1_continue`. */
  resume?: () => void;
}

/** What a follow needs from the RPC layer. */
export interface FollowInit {
  chain: FollowedChain;
  withRuntime: boolean;
  limits: FollowLimits;
  /** The runtime spec JSON as the events carry it. */
  runtimeSpec: () => unknown;
  storage: StorageRead;
  call?: RuntimeCall;
  /** Whether an operation's failure means its block's data is gone (`operationInaccessible`), not an error. */
  inaccessible?: (error: unknown) => boolean;
  emit: (event: unknown) => void;
  /** Ends the subscription on the server side (after a `stop` event). */
  close: () => void;
}

/** One follow subscription. */
export class Follow {
  readonly withRuntime: boolean;
  readonly #init: FollowInit;
  readonly #client: FollowedChain;
  /** Pinned blocks, by raw hex hash. */
  readonly #pinned = new Map<string, { hash: Uint8Array; header: Header }>();
  /** Reported blocks not yet finalized or pruned, by raw hex hash. */
  readonly #live = new Map<string, Header>();
  #finalized: { hex: string; header: Header };
  #best: string;
  readonly #operations = new Map<string, Operation>();
  #slotsInUse = 0;
  #nextOperation = 0;
  #stopped = false;
  #finalizing?: ChainBlock;
  readonly #unlisten: (() => void)[] = [];

  /** Reports the current chain (`initialized`, `newBlock`s, `bestBlockChanged`) and follows it. */
  constructor(init: FollowInit) {
    this.#init = init;
    this.#client = init.chain;
    this.withRuntime = init.withRuntime;
    const client = init.chain;
    const finalized = client.finalized;
    this.#finalized = { hex: finalized.hashHex, header: finalized.header };
    this.#best = ""; // so that the current best is announced after the blocks, even the finalized one
    this.#pin(finalized.hash, finalized.header);
    init.emit({
      event: "initialized",
      finalizedBlockHashes: [toHex(finalized.hash)],
      ...(init.withRuntime ? { finalizedBlockRuntime: init.runtimeSpec() } : {}),
    });
    const chain: ChainBlock[] = [];
    for (let at = client.best; at.hashHex !== finalized.hashHex;) {
      chain.push(at);
      const parent = client.block(at.header.parentHash);
      if (!parent) break;
      at = parent;
    }
    for (const block of chain.reverse()) this.#onBlock(block);
    this.#onBest(client.best);
    this.#unlisten.push(
      client.onImported(({ block }) => this.#onBlock(block)),
      client.onBestChanged(({ best }) => this.#onBest(best)),
      client.onFinalized((block) => this.#onFinalized(block)),
    );
  }

  /** The SCALE header of a pinned block. @throws {RpcError} -32801 when not pinned */
  header(hash: Uint8Array): string {
    return toHex(encodeHeader(this.#pinnedHeader(hash)));
  }

  /** Starts reading a pinned block's body. */
  body(hash: Uint8Array): unknown {
    this.#pinnedHeader(hash);
    return this.#start(1, async (op) => {
      const body = await this.#client.body(hash);
      if (op.stopped) return;
      if (!body) return this.#event(op, "operationInaccessible");
      this.#event(op, "operationBodyDone", { value: body.map(toHex) });
    });
  }

  /** Starts a runtime API call at a pinned block. */
  call(hash: Uint8Array, fn: string, params: Uint8Array): unknown {
    const header = this.#pinnedHeader(hash);
    if (!this.withRuntime) {
      throw new RpcError(-32802, "The follow subscription was started with withRuntime false");
    }
    const call = this.#init.call;
    return this.#start(1, async (op) => {
      if (!call) {
        return this.#event(op, "operationError", {
          error: "Runtime API calls are not available on this node",
        });
      }
      let output: Uint8Array;
      try {
        output = await call(header, fn, params);
      } catch (e) {
        return this.#event(op, "operationError", { error: (e as Error).message });
      }
      this.#event(op, "operationCallDone", { output: toHex(output) });
    });
  }

  /**
   * Starts a storage query at a pinned block; items past the free operation
   * slots are discarded. A query into a child trie (`childTrie`) is the
   * storage reader's to answer (Sutantra's state has none).
   */
  storage(hash: Uint8Array, queries: StorageQuery[], childTrie = false): unknown {
    const header = this.#pinnedHeader(hash);
    const free = this.#init.limits.maxOperations - this.#slotsInUse;
    const taken = queries.slice(0, Math.max(0, free));
    const discardedItems = queries.length - taken.length;
    const paged = taken.some((q) => q.type.startsWith("descendants"));
    const perStep = this.#init.limits.storageItemsPerStep;
    const started = this.#start(taken.length, async (op) => {
      const items = this.#init.storage(header, taken, childTrie);
      let next = await items.next();
      while (!next.done) {
        const batch = [];
        while (!next.done && (!paged || batch.length < perStep)) {
          batch.push(next.value);
          next = await items.next();
          if (op.stopped) return;
        }
        this.#event(op, "operationStorageItems", { items: batch }, false);
        if (next.done) break;
        this.#event(op, "operationWaitingForContinue", {}, false);
        await new Promise<void>((resolve) => op.resume = resolve);
        if (op.stopped) return;
      }
      this.#event(op, "operationStorageDone");
    });
    return "operationId" in started ? { ...started, discardedItems } : started;
  }

  /**
   * Resumes a storage query waiting for it. Unknown (or finished)
   * operations are ignored.
   *
   * @throws {RpcError} -32803 when the operation is not waiting
   */
  continue(operationId: string): null {
    const op = this.#operations.get(operationId);
    if (!op) return null;
    if (!op.resume) {
      throw new RpcError(-32803, "Invalid continue: the operation is not waiting for continue");
    }
    const resume = op.resume;
    op.resume = undefined;
    resume();
    return null;
  }

  /** Stops an operation; it sends nothing more. */
  stopOperation(operationId: string): null {
    const op = this.#operations.get(operationId);
    if (op) this.#end(op);
    return null;
  }

  /**
   * Unpins blocks, all or none.
   *
   * @throws {RpcError} -32804 for a repeated hash, -32801 for one not pinned
   */
  unpin(hashes: Uint8Array[]): null {
    const ids = hashes.map(toHexRaw);
    if (new Set(ids).size !== ids.length) {
      throw new RpcError(-32804, "Invalid unpin: duplicate hashes");
    }
    if (ids.some((id) => !this.#pinned.has(id))) throw invalidBlock();
    for (const id of ids) {
      this.#client.unpin(this.#pinned.get(id)!.hash);
      this.#pinned.delete(id);
    }
    return null;
  }

  /** Ends the subscription: listeners, pins and operations (the client unfollowed or went away). */
  dispose(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const unlisten of this.#unlisten.splice(0)) unlisten();
    for (const op of [...this.#operations.values()]) this.#end(op);
    for (const { hash } of this.#pinned.values()) this.#client.unpin(hash);
    this.#pinned.clear();
    this.#live.clear();
  }

  /** How many blocks are pinned. */
  get pinnedCount(): number {
    return this.#pinned.size;
  }

  #pinnedHeader(hash: Uint8Array): Header {
    const pinned = this.#pinned.get(toHexRaw(hash));
    if (!pinned) throw invalidBlock();
    return pinned.header;
  }

  #pin(hash: Uint8Array, header: Header): void {
    const id = toHexRaw(hash);
    if (this.#pinned.has(id)) return;
    this.#client.pin(hash);
    this.#pinned.set(id, { hash, header });
  }

  #onBlock(block: ChainBlock): void {
    if (this.#stopped || this.#live.has(block.hashHex)) return;
    const parent = toHexRaw(block.header.parentHash);
    // A block whose parent this subscription never reported (a fork older
    // than the subscription) cannot be reported in order: it is left out.
    if (parent !== this.#finalized.hex && !this.#live.has(parent)) return;
    this.#live.set(block.hashHex, block.header);
    this.#pin(block.hash, block.header);
    this.#init.emit({
      event: "newBlock",
      blockHash: toHex(block.hash),
      parentBlockHash: toHex(block.header.parentHash),
      // The runtime is native code: it never changes between a block and its parent.
      ...(this.withRuntime ? { newRuntime: null } : {}),
    });
  }

  #onBest(best: ChainBlock): void {
    if (this.#stopped || best.hashHex === this.#best) return;
    if (best.hashHex !== this.#finalized.hex && !this.#live.has(best.hashHex)) return;
    this.#best = best.hashHex;
    this.#init.emit({ event: "bestBlockChanged", bestBlockHash: toHex(best.hash) });
  }

  /**
   * The client tells of each newly finalized block in turn, in one go: they
   * are gathered into one `finalized` event for the newest.
   */
  #onFinalized(block: ChainBlock): void {
    const first = this.#finalizing === undefined;
    this.#finalizing = block;
    if (first) {
      queueMicrotask(() => {
        const newest = this.#finalizing!;
        this.#finalizing = undefined;
        this.#finalize(newest);
      });
    }
  }

  #finalize(block: ChainBlock): void {
    if (this.#stopped || block.hashHex === this.#finalized.hex) return;
    if (!this.#live.has(block.hashHex)) return this.stop();
    const finalized: string[] = [];
    for (let at = block.hashHex; at !== this.#finalized.hex;) {
      finalized.push(at);
      at = toHexRaw(this.#live.get(at)!.parentHash);
    }
    finalized.reverse();
    for (const id of finalized) this.#live.delete(id);
    const number = block.header.number;
    const pruned = [...this.#live.keys()].filter((id) => {
      let at = id;
      let header = this.#live.get(at);
      while (header && header.number > number) {
        at = toHexRaw(header.parentHash);
        header = this.#live.get(at);
      }
      return at !== block.hashHex;
    });
    for (const id of pruned) this.#live.delete(id);
    this.#finalized = { hex: block.hashHex, header: block.header };
    this.#init.emit({
      event: "finalized",
      finalizedBlockHashes: finalized.map((id) => `0x${id}`),
      prunedBlockHashes: pruned.map((id) => `0x${id}`),
    });
    let settled = 0;
    for (const id of this.#pinned.keys()) if (!this.#live.has(id)) settled++;
    if (settled > this.#init.limits.maxPinnedBlocks) this.stop();
  }

  /** Sends `stop` and ends the subscription. */
  stop(): void {
    if (this.#stopped) return;
    this.#init.emit({ event: "stop" });
    this.dispose();
    this.#init.close();
  }

  /** Starts an operation taking `slots` slots, or answers `limitReached`. */
  #start(
    slots: number,
    work: (op: Operation) => Promise<void>,
  ): { result: "started"; operationId: string } | typeof LIMIT_REACHED {
    if (
      this.#stopped || slots === 0 ||
      this.#slotsInUse + slots > this.#init.limits.maxOperations
    ) return LIMIT_REACHED;
    const op: Operation = { id: String(this.#nextOperation++), slots, stopped: false };
    this.#operations.set(op.id, op);
    this.#slotsInUse += slots;
    // A macrotask later: the answer with the operation id goes out before its events.
    setTimeout(() => {
      if (op.stopped) return;
      work(op).catch((e) => {
        if (op.stopped) return;
        if (this.#init.inaccessible?.(e)) this.#event(op, "operationInaccessible");
        else this.#event(op, "operationError", { error: String((e as Error)?.message ?? e) });
      }).finally(() => this.#end(op));
    }, 0);
    return { result: "started", operationId: op.id };
  }

  /** Sends an operation event; a final one (the default) ends the operation. */
  #event(op: Operation, event: string, fields: object = {}, final = true): void {
    if (op.stopped) return;
    this.#init.emit({ event, operationId: op.id, ...fields });
    if (final) this.#end(op);
  }

  #end(op: Operation): void {
    if (!this.#operations.delete(op.id)) return;
    op.stopped = true;
    this.#slotsInUse -= op.slots;
    const resume = op.resume;
    op.resume = undefined;
    resume?.();
  }
}
