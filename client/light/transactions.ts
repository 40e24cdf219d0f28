/**
 * Transactions a light client sends: handed to full nodes' pools over the
 * light protocol, then found in the finalized blocks' bodies (each checked
 * against its header), which is when the light client knows, not when a
 * node says so. A light client sees only finalized blocks: "in block" and
 * "finalized" come together.
 *
 * @module
 */
import { decodeExtrinsic, extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import type { KeptBlock, LightChain } from "./chain.ts";

/** What became of a watched transaction. */
export type TransactionFate =
  | { type: "finalized"; block: KeptBlock; index: number }
  /** Not found within the watch's blocks (or finality jumped past blocks the client never saw). */
  | { type: "dropped" };

/** Finalized blocks a transaction is looked for in before it counts as dropped (a mortal era's longest). */
export const WATCH_BLOCKS = 256;

interface Watch {
  hashHex: string;
  /** The last finalized number to look in. */
  until: number;
  listener: (fate: TransactionFate) => void;
}

/** Sends transactions and tells what became of them. */
export class LightTransactions {
  readonly #chain: LightChain;
  readonly #watches = new Set<Watch>();
  /** Nonces of signed transactions sent from here and not yet found or dropped, by signer hex. */
  readonly #pending = new Map<string, Set<number>>();
  #scanning: Promise<void> = Promise.resolve();

  /** Transactions over `chain`'s client, found in its finalized blocks. */
  constructor(chain: LightChain, onError: (error: Error) => void = () => {}) {
    this.#chain = chain;
    chain.onFinalized(({ headers, gap }) => {
      if (this.#watches.size === 0) return;
      const blocks = headers.map((h) => chain.blockAt(h.number)).filter((b) => b !== undefined);
      this.#scanning = this.#scanning
        .then(() => this.#scan(blocks, gap))
        .catch((e) => onError(e as Error));
    });
  }

  /**
   * Hands `extrinsic` to full nodes' pools.
   *
   * @returns its hash
   * @throws {TransactionRefused} when every node asked refused it
   * @throws {NoHonestAnswer} when no node answered
   */
  async submit(extrinsic: Uint8Array): Promise<Uint8Array> {
    await this.#chain.client.submit(extrinsic);
    const hash = extrinsicHash(extrinsic);
    this.#holdNonce(extrinsic, hash);
    return hash;
  }

  /**
   * The nonce `account`'s next transaction takes: `proven` (its nonce at the
   * finalized block) or past those of its transactions sent from here and
   * not yet finalized, as a full node counts its pool's.
   */
  nextNonce(account: Uint8Array, proven: number): number {
    const pending = this.#pending.get(toHexRaw(account));
    let next = proven;
    while (pending?.has(next)) next++;
    return next;
  }

  /** Counts a signed transaction's nonce as taken until the transaction is found or dropped. */
  #holdNonce(extrinsic: Uint8Array, hash: Uint8Array): void {
    let signed;
    try {
      signed = decodeExtrinsic(extrinsic);
    } catch {
      return; // A node took it, so it decodes there; here it only holds no nonce.
    }
    if (signed.kind !== "signed") return;
    const signer = toHexRaw(signed.signer);
    const nonces = this.#pending.get(signer) ?? new Set<number>();
    this.#pending.set(signer, nonces.add(signed.extra.nonce));
    this.watch(hash, () => {
      nonces.delete(signed.extra.nonce);
      if (nonces.size === 0 && this.#pending.get(signer) === nonces) this.#pending.delete(signer);
    });
  }

  /**
   * Hears what becomes of transaction `hash` in the blocks finalized from
   * now on (once, then the watch ends). @returns the function that ends it
   */
  watch(hash: Uint8Array, listener: (fate: TransactionFate) => void): () => void {
    const watch: Watch = {
      hashHex: toHexRaw(hash),
      until: this.#chain.finalized.number + WATCH_BLOCKS,
      listener,
    };
    this.#watches.add(watch);
    return () => this.#watches.delete(watch);
  }

  /** Looks for the watched transactions in `blocks`, newly finalized, in order. */
  async #scan(blocks: KeptBlock[], gap: boolean): Promise<void> {
    for (const block of blocks) {
      if (this.#watches.size === 0) return;
      const body = await this.#chain.body(block.hash);
      const index = new Map(body.map((tx, i) => [toHexRaw(extrinsicHash(tx)), i]));
      for (const watch of [...this.#watches]) {
        const at = index.get(watch.hashHex);
        if (at !== undefined) this.#end(watch, { type: "finalized", block, index: at });
      }
    }
    const finalized = this.#chain.finalized.number;
    for (const watch of [...this.#watches]) {
      if (gap || finalized >= watch.until) this.#end(watch, { type: "dropped" });
    }
  }

  #end(watch: Watch, fate: TransactionFate): void {
    this.#watches.delete(watch);
    watch.listener(fate);
  }
}
