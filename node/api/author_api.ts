/**
 * The write side of Substrate's RPC: `author_*` through the transaction
 * pool, and `engine_*` for manual seal.
 *
 * @module
 */
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import type { ChainClient } from "../chain/mod.ts";
import { isTerminal, PoolError, type TransactionPool, type TxStatus } from "../pool/mod.ts";
import { RpcError, type RpcServer } from "../rpc/mod.ts";
import { hexParam, positional } from "../../client/rpc/params.ts";

/** What the write methods need of the node. */
export interface AuthorApiContext {
  client: ChainClient;
  pool: TransactionPool;
  /** Authors a block now (manual seal); absent when the node does not author on demand. */
  createBlock?: () => Promise<Uint8Array | undefined>;
}

/** Registers `author_*` (and `engine_*` when the node seals on demand) on `server`. */
export function registerAuthorApi(server: RpcServer, ctx: AuthorApiContext): void {
  const { client, pool } = ctx;
  const submit = (params: unknown[]): Uint8Array => {
    const bytes = hexParam(params, 0, "extrinsic");
    try {
      return pool.submit(bytes, client.best.header).hash;
    } catch (e) {
      throw asRpcError(e);
    }
  };
  server.register("author_submitExtrinsic", (params) => toHex(submit(positional(params))));
  server.register("author_pendingExtrinsics", () => pool.pending().map(toHex));
  // Substrate's `Vec<ExtrinsicOrHash>`: `{"hash": "0x…"}` or `{"extrinsic": "0x…"}` each.
  server.register("author_removeExtrinsic", (raw) => {
    const items = positional(raw)[0];
    if (!Array.isArray(items)) {
      throw new RpcError(-32602, "Invalid params: expected [{hash} | {extrinsic}, …]");
    }
    const hashes = items.map((item, i) => {
      const entry = (item ?? {}) as { hash?: unknown; extrinsic?: unknown };
      if (entry.hash !== undefined) return hexParam([entry.hash], 0, `[${i}].hash`, 32);
      if (entry.extrinsic !== undefined) {
        return extrinsicHash(hexParam([entry.extrinsic], 0, `[${i}].extrinsic`));
      }
      throw new RpcError(-32602, `Invalid params: [${i}] is neither {hash} nor {extrinsic}`);
    });
    return pool.remove(hashes).map(toHex);
  }, { unsafe: true }); // As in Substrate: nobody outside may empty the pool.
  server.registerSubscription({
    subscribe: "author_submitAndWatchExtrinsic",
    unsubscribe: "author_unwatchExtrinsic",
    notification: "author_extrinsicUpdate",
    start(params, emit, close) {
      const hash = submit(positional(params));
      return pool.watch(hash, (status) => {
        emit(statusJson(status));
        if (isTerminal(status)) close();
      });
    },
  });
  // Manual seal changes the chain at the caller's word: unsafe, served only
  // with `--rpc-methods unsafe` (or `auto` on 127.0.0.1).
  if (ctx.createBlock) {
    const createBlock = ctx.createBlock;
    server.register("engine_createBlock", async () => {
      const hash = await createBlock();
      if (!hash) throw new RpcError(5000, "Cannot create a block: this node's key owns no slot");
      // Substrate's `CreatedBlock { hash, aux: ImportedAux }`, whose fields serde keeps snake_case.
      return {
        hash: toHex(hash),
        aux: {
          header_only: false,
          clear_justification_requests: false,
          needs_justification: false,
          bad_justification: false,
          is_new_best: equalBytes(client.best.hash, hash),
        },
      };
    }, { unsafe: true });
    server.register("engine_finalizeBlock", async (params) => {
      const hash = hexParam(positional(params), 0, "block hash", 32);
      try {
        await client.finalize(hash);
      } catch (e) {
        throw new RpcError(5001, "Cannot finalize the block", (e as Error).message);
      }
      return true;
    }, { unsafe: true });
  }
}

/** A pool error as Substrate's RPC reports it (1010 family). */
function asRpcError(e: unknown): unknown {
  return e instanceof PoolError ? new RpcError(e.code, e.message, e.data) : e;
}

/** A status as `author_extrinsicUpdate` carries it. */
function statusJson(status: TxStatus): unknown {
  switch (status.type) {
    case "future":
    case "ready":
    case "dropped":
    case "invalid":
      return status.type;
    case "broadcast":
      return { broadcast: status.peers };
    case "usurped":
      return { usurped: toHex(status.by) };
    default:
      return { [status.type]: toHex(status.blockHash) };
  }
}
