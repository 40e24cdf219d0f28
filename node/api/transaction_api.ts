/**
 * `transaction_v1_broadcast` and `transaction_v1_stop` of the new JSON-RPC
 * spec: a transaction is handed to the pool (whose gossip publishes it) and
 * handed again at each new best block while it is neither in the pool nor
 * finalized, until the caller stops it. As the spec says, an invalid
 * transaction is no error to the caller: it is silently retried, and counts
 * against the limit of broadcasts like any other.
 *
 * @module
 */
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import type { ChainClient } from "../chain/mod.ts";
import { isTerminal, PoolError, type TransactionPool } from "../pool/mod.ts";
import { RpcError, type RpcServer } from "../rpc/mod.ts";
import { hexParam, positional } from "../../client/rpc/params.ts";

/** What the broadcast methods need of the node. */
export interface TransactionApiContext {
  client: ChainClient;
  pool: TransactionPool;
  /** Broadcasts at once, past which `transaction_v1_broadcast` answers `null` (default 512). */
  maxBroadcasts?: number;
}

interface Broadcast {
  bytes: Uint8Array;
  hash: Uint8Array;
  /** Finalized in a block: nothing more to do. */
  done: boolean;
  unwatch?: () => void;
}

/** Registers `transaction_v1_broadcast` and `transaction_v1_stop`. */
export function registerTransactionApi(server: RpcServer, ctx: TransactionApiContext): void {
  const { client, pool } = ctx;
  const max = ctx.maxBroadcasts ?? 512;
  const broadcasts = new Map<string, Broadcast>();
  /** Hands the transaction to the pool unless it is there, in a block or finalized. */
  const submit = (b: Broadcast) => {
    if (b.done || b.unwatch || pool.has(b.hash)) return;
    try {
      pool.submit(b.bytes, client.best.header);
    } catch (e) {
      // Invalid, banned, already known: the spec keeps it from the caller.
      if (e instanceof PoolError) return;
      throw e;
    }
    b.unwatch = pool.watch(b.hash, (status) => {
      if (status.type === "finalized") b.done = true;
      if (!isTerminal(status)) return;
      // Anything but finality (dropped, invalid, usurped, a finality
      // timeout) is handed to the pool again at the next best block.
      b.unwatch?.();
      b.unwatch = undefined;
    });
  };
  client.onBestChanged(() => {
    for (const b of broadcasts.values()) submit(b);
  });
  server.register("transaction_v1_broadcast", (params) => {
    const bytes = hexParam(positional(params), 0, "transaction");
    if (broadcasts.size >= max) return null;
    const id = crypto.randomUUID();
    const b: Broadcast = { bytes, hash: extrinsicHash(bytes), done: false };
    broadcasts.set(id, b);
    submit(b);
    return id;
  });
  server.register("transaction_v1_stop", (params) => {
    const id = positional(params)[0];
    const b = typeof id === "string" ? broadcasts.get(id) : undefined;
    if (!b) throw new RpcError(-32602, "Invalid operation id");
    broadcasts.delete(id as string);
    b.done = true;
    b.unwatch?.();
    return null;
  });
}
