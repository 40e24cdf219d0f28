/**
 * Authoring: when this node's key owns a slot, it builds on the best block,
 * seals and imports the block, and hands it on (to gossip).
 *
 * Three ways to decide when: `slots` (every slot boundary, as a validator
 * does), `instant` (a block as soon as a transaction is ready) and `manual`
 * (only when asked, e.g. by `engine_createBlock`). Instant and manual blocks
 * take the next slot this key owns that is after the parent's, so their
 * timestamps may run ahead of the clock: they are for development chains.
 *
 * @module
 */
import type { Keypair } from "../../runtime/crypto/mod.ts";
import { IMMORTAL } from "../../runtime/extrinsic/era.ts";
import { signExtrinsic } from "../../runtime/extrinsic/extrinsic.ts";
import { runtime } from "../../runtime/mod.ts";
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import { slotOf } from "../../pallets/authorship/mod.ts";
import type { ChainClient, ImportedBlock, TreeBlock } from "../chain/mod.ts";
import { slotAt, slotAuthor } from "./aura.ts";
import { type Proposal, proposeBlock, type TransactionSource } from "./proposer.ts";

/** When blocks are made. */
export type SealMode = "slots" | "instant" | "manual";

/** What the author needs. */
export interface AuthorInit {
  client: ChainClient;
  /** This node's session key. */
  key: Keypair;
  transactions: TransactionSource;
  slotDurationMs: number;
  now?: () => number;
  /** Told of every block this node authored, once imported. */
  onAuthored?: (proposal: Proposal, imported: ImportedBlock) => void;
  /** Told of every slot this key owned in which it authored no block, and why (slot authoring). */
  onSlotMissed?: (slot: bigint, reason: string) => void;
  /**
   * TEST ONLY: also seal a second, different block for every slot (with a
   * signed remark), so that tests can see equivocation reported and slashed.
   */
  equivocate?: boolean;
}

/** Builds blocks in the slots this node's key owns. */
export class BlockAuthor {
  readonly #init: AuthorInit;
  readonly #now: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #building: Promise<unknown> = Promise.resolve();

  constructor(init: AuthorInit) {
    this.#init = init;
    this.#now = init.now ?? Date.now;
  }

  /** Authors at every slot this key owns until {@link stop}. */
  startSlots(): void {
    const { slotDurationMs } = this.#init;
    let last: bigint | undefined;
    const tick = () => {
      const now = this.#now();
      const slot = slotAt(now, slotDurationMs);
      // A timer that fired late (a stalled event loop, a suspended machine) skipped slots.
      const skippedFrom = last === undefined ? slot : bigMax(last + 1n, slot - MAX_SKIPPED_SLOTS);
      for (let skipped = skippedFrom; skipped < slot; skipped++) {
        this.#serial(() => this.#missIfOwned(skipped, "the node was too busy to start it"));
      }
      last = slot;
      this.#serial(() => this.#authorIn(slot, now + slotDurationMs / 3));
      const next = (Number(slot) + 1) * slotDurationMs;
      this.#timer = setTimeout(tick, Math.max(0, next - this.#now()));
    };
    const now = this.#now();
    this.#timer = setTimeout(
      tick,
      (Number(slotAt(now, slotDurationMs)) + 1) * slotDurationMs - now,
    );
  }

  /**
   * Authors one block now, in the first slot after the parent's (and not
   * before the clock's) that this key owns (instant and manual seal).
   */
  authorNow(): Promise<ImportedBlock | undefined> {
    return this.#serial(() => {
      const { client, slotDurationMs } = this.#init;
      const parent = client.best;
      const state = client.stateAt(parent.header);
      const after = slotOf(parent.header.digest) ?? -1n;
      let slot = slotAt(this.#now(), slotDurationMs);
      if (slot <= after) slot = after + 1n;
      for (let i = 0; i < 10_000; i++, slot++) {
        const owner = slotAuthor(state, slot);
        if (!owner) return Promise.resolve(undefined);
        if (equalBytes(owner, this.#init.key.publicKey)) return this.#author(parent, slot);
      }
      return Promise.resolve(undefined);
    });
  }

  /** Stops slot authoring (a block being built is finished first). */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#building;
  }

  async #authorIn(slot: bigint, deadlineMs: number): Promise<ImportedBlock | undefined> {
    const parent = this.#init.client.best;
    if (!this.#owns(parent, slot)) return undefined;
    const parentSlot = slotOf(parent.header.digest) ?? -1n;
    if (parentSlot >= slot) {
      return this.#missed(slot, `the best block is already in slot ${parentSlot}`);
    }
    if (this.#now() >= Number(slot + 1n) * this.#init.slotDurationMs) {
      return this.#missed(slot, "it ended before the block before it was done");
    }
    try {
      return await this.#author(parent, slot, deadlineMs);
    } catch (e) {
      this.#missed(slot, `building failed: ${(e as Error)?.message ?? e}`);
      throw e;
    }
  }

  /** A slot passed unseen: tells whether this key owned it. */
  #missIfOwned(slot: bigint, reason: string): Promise<undefined> {
    if (this.#owns(this.#init.client.best, slot)) this.#missed(slot, reason);
    return Promise.resolve(undefined);
  }

  #owns(parent: TreeBlock, slot: bigint): boolean {
    const owner = slotAuthor(this.#init.client.stateAt(parent.header), slot);
    return owner !== undefined && equalBytes(owner, this.#init.key.publicKey);
  }

  #missed(slot: bigint, reason: string): undefined {
    this.#init.onSlotMissed?.(slot, reason);
    return undefined;
  }

  async #author(parent: TreeBlock, slot: bigint, deadlineMs?: number): Promise<ImportedBlock> {
    const { client, key, transactions, slotDurationMs } = this.#init;
    const propose = (source: TransactionSource) =>
      proposeBlock({
        client,
        parent,
        slot,
        // The slot's start: consecutive slots are a full slot apart, above the minimum period.
        timestampMs: slot * BigInt(slotDurationMs),
        author: key,
        transactions: source,
        deadlineMs,
        now: this.#now,
      });
    const proposal = propose(transactions);
    const imported = await client.importOwnBlock(proposal.header, proposal.built);
    this.#init.onAuthored?.(proposal, imported);
    if (this.#init.equivocate) {
      const remark = remarkBy(client, parent, key);
      const twin = propose({ ready: () => [{ hash: new Uint8Array(32), bytes: remark }] });
      this.#init.onAuthored?.(twin, await client.importOwnBlock(twin.header, twin.built));
    }
    return imported;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#building.then(task, task);
    this.#building = run.catch((e) => console.error("authoring:", e));
    return run;
  }
}

/** At most this many skipped slots are looked at after a stall: a suspended machine skips days. */
const MAX_SKIPPED_SLOTS = 1_000n;

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** A signed remark by `key` valid on `parent`: what makes an equivocating twin block differ. */
function remarkBy(client: ChainClient, parent: TreeBlock, key: Keypair): Uint8Array {
  const nonce = runtime.system.accountNonce(client.stateAt(parent.header), key.publicKey);
  return signExtrinsic(
    runtime.encodeCall({ pallet: "System", call: "remark", args: { remark: new Uint8Array([1]) } }),
    key,
    { era: IMMORTAL, nonce, tip: 0n },
    {
      specVersion: runtime.version.specVersion,
      transactionVersion: runtime.version.transactionVersion,
      genesisHash: client.genesisHash,
      eraBlockHash: client.genesisHash,
    },
  );
}
