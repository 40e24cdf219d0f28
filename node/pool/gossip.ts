/**
 * Transaction gossip: what becomes ready in the pool goes out on the
 * `transactions` topic, and what peers gossip is submitted to the pool,
 * whose answer is the gossip verdict. Gossipsub forwards only what was
 * accepted, so a node never passes on what its pool refused.
 *
 * @module
 */
import type { Header } from "../../runtime/block/header.ts";
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import type { Logger } from "../log.ts";
import type { GossipVerdict, Network } from "../network/mod.ts";
import { PoolError, PoolErrorCode } from "./errors.ts";
import type { TransactionPool } from "./pool.ts";

/** What a peer that gossips an invalid transaction loses (the ban threshold is 100). */
export const INVALID_TRANSACTION_PENALTY = 10;

/** What transaction gossip needs. */
export interface TransactionGossipInit {
  pool: TransactionPool;
  network: Pick<Network, "subscribe" | "publish" | "report" | "peers">;
  /** The header gossiped transactions are validated against: the best block's. */
  best: () => Header;
  log: Logger;
}

/**
 * Publishes each transaction that becomes ready in the pool and submits
 * those peers gossip. Returns a function that stops both.
 *
 * Verdicts: a transaction the pool holds as ready is accepted (forwarded);
 * one it refuses as invalid (1010) is rejected and costs the peer
 * {@link INVALID_TRANSACTION_PENALTY}; everything else is ignored: neither
 * forwarded nor blamed. That covers one already in the pool (1013), banned
 * for a while (1012: included or found invalid, so a late relay of an
 * honest peer), of unknown validity (1011), outranked (1014) or dropped by a
 * full pool (1016), and a future one: the pool keeps it, but like Substrate
 * a node passes on only what it could put in its next block, else one peer
 * could fill the future queues of the whole network with transactions
 * nobody can include. Once its gap is filled it becomes ready here and this
 * node publishes it.
 */
export function gossipTransactions(init: TransactionGossipInit): () => void {
  const { pool, network, best, log } = init;
  /** The transaction being submitted from gossip: gossipsub forwards it, so it is not published again. */
  let relaying: string | undefined;
  const offPool = pool.onImported((hash, bytes) => {
    if (toHexRaw(hash) === relaying) return;
    network.publish("transactions", bytes).then((sent) => {
      if (sent > 0) pool.markBroadcast(hash, network.peers().map((p) => p.peerId));
    }).catch((e) => log.debug(`transactions: not published: ${e}`));
  });
  const offNetwork = network.subscribe("transactions", (bytes, from): GossipVerdict => {
    relaying = toHexRaw(extrinsicHash(bytes));
    try {
      return pool.submit(bytes, best()).status === "ready" ? "accept" : "ignore";
    } catch (e) {
      if (!(e instanceof PoolError)) {
        log.error(`transactions: gossip from ${from} not checked: ${(e as Error)?.stack ?? e}`);
        return "ignore";
      }
      if (e.code !== PoolErrorCode.InvalidTransaction) return "ignore";
      network.report(from, INVALID_TRANSACTION_PENALTY, "invalid transaction");
      return "reject";
    } finally {
      relaying = undefined;
    }
  });
  return () => {
    offPool();
    offNetwork();
  };
}
