/**
 * Small helpers the voter's tests share: a simulated block as the voter
 * names it, and a vote for it (signatures are not checked by the voter).
 *
 * @module
 */
import type { Vote } from "./round.ts";
import type { SimBlock } from "./sim/chain.ts";
import type { BlockRef, Stage } from "./vote_graph.ts";

/** `block` as the voter names it. */
export const ref = (block: SimBlock): BlockRef => ({ hash: block.hash, number: block.number });

/** `voter`'s vote of `stage` for `target`, unsigned. */
export const vote = (voter: string, stage: Stage, target: SimBlock): Vote => ({
  stage,
  target: ref(target),
  voter,
  signature: new Uint8Array(0),
});
