/**
 * What this node believes of each peer's chain. A view starts from the
 * peer's handshake and rises only with blocks the peer proved it has (it
 * served or relayed them and they imported here); a claim the peer cannot
 * serve falls back to what it showed. A gossiped header proves nothing
 * before it imports: anyone can write `number: 10^9` in one.
 *
 * @module
 */
import type { ChainHead } from "../network/mod.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";

/** One peer's chain, as far as this node knows it. */
export interface PeerView {
  /** Its best block number. */
  best: number;
  /** Its best block's hash (raw hex); unknown once a claim fell to what the peer showed. */
  bestHash: string | undefined;
  /** Its finalized block number. */
  finalized: number;
}

/**
 * The views of connected peers.
 *
 * @example
 * ```ts
 * import { PeerViews } from "./_peers.ts";
 * const views = new PeerViews();
 * const block = (number: number) => ({ number, hash: new Uint8Array(32) });
 * views.connected("peer", { best: block(9), finalized: block(5) });
 * console.assert(views.target === 9 && views.ahead(3)[0] === "peer");
 * views.showedNothingAbove("peer", 3);
 * console.assert(views.target === 3 && views.ahead(3).length === 0);
 * ```
 */
export class PeerViews {
  readonly #views = new Map<string, PeerView>();

  /** A peer passed the handshake and said where its chain is. */
  connected(peer: string, head: ChainHead): void {
    this.#views.set(peer, {
      best: head.best.number,
      bestHash: toHexRaw(head.best.hash),
      finalized: head.finalized.number,
    });
  }

  /** A peer left. */
  disconnected(peer: string): void {
    this.#views.delete(peer);
  }

  /** The view of `peer`, if it is connected. */
  get(peer: string): Readonly<PeerView> | undefined {
    return this.#views.get(peer);
  }

  /** `peer` has block `number` (hash `hashHex`): it served or relayed it, and it imported here. */
  has(peer: string, number: number, hashHex: string): void {
    const view = this.#views.get(peer);
    if (!view || number <= view.best) return;
    view.best = number;
    view.bestHash = hashHex;
  }

  /** `peer` finalized block `number`: a justification it sent checked out. */
  finalizedAt(peer: string, number: number): void {
    const view = this.#views.get(peer);
    if (view && number > view.finalized) view.finalized = number;
  }

  /**
   * Asked for the blocks above `number`, `peer` served none (or did not
   * answer): whatever it claimed, it showed nothing higher.
   */
  showedNothingAbove(peer: string, number: number): void {
    const view = this.#views.get(peer);
    if (!view || view.best <= number) return;
    view.best = number;
    view.bestHash = undefined;
    view.finalized = Math.min(view.finalized, number);
  }

  /** The highest best block number of the peers (0 without peers): what sync aims for. */
  get target(): number {
    let target = 0;
    for (const view of this.#views.values()) target = Math.max(target, view.best);
    return target;
  }

  /** Peers whose best is above `number`, in the order they connected. */
  ahead(number: number): string[] {
    return [...this.#views].filter(([, view]) => view.best > number).map(([peer]) => peer);
  }
}
