/**
 * Keeping the pool in step with the chain: what each new best chain
 * includes, retracts and finalizes.
 *
 * @module
 */
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import type { ChainClient } from "../chain/mod.ts";
import type { TransactionPool } from "./pool.ts";

/**
 * Tells `pool` of every move of `client`'s best chain, by import or by a
 * finalization that re-orgs, and of finality, in order (finality after the
 * blocks it finalizes). Returns a function that unhooks and waits for the
 * queued work.
 */
export function followChain(
  client: ChainClient,
  pool: TransactionPool,
  onError: (error: unknown) => void,
): () => Promise<void> {
  let queue = Promise.resolve();
  // Listeners return the queue: the client keeps retracted blocks readable until it is done.
  const enqueue = (work: () => Promise<void> | void) => queue = queue.then(work).catch(onError);
  const offBest = client.onBestChanged(({ route }) =>
    enqueue(async () => {
      for (const block of route.retracted) {
        pool.onRetracted(block.hash, (await client.body(block.hash)) ?? []);
      }
      for (const block of route.enacted) {
        const body = (await client.body(block.hash)) ?? [];
        pool.onNewBest(block.header, body.map(extrinsicHash));
      }
    })
  );
  // In the same queue: a block is never reported final before the pool heard it is in the chain.
  const offFinalized = client.onFinalized((block) => enqueue(() => pool.onFinalized([block.hash])));
  return async () => {
    offBest();
    offFinalized();
    await queue;
  };
}
