/**
 * Sending transactions from a light client: `transaction_v1_broadcast` and
 * `transaction_v1_stop` (handed to full nodes again at each finalized block
 * until found finalized or stopped, as the spec asks), and Substrate's
 * `author_submitExtrinsic` and `author_submitAndWatchExtrinsic`, whose
 * `inBlock` and `finalized` come when the light client finds the
 * transaction in a finalized block's proven body.
 *
 * @module
 */
import { extrinsicHash } from "../../../runtime/extrinsic/extrinsic.ts";
import { toHex, toHexRaw } from "../../../runtime/primitives/hex.ts";
import { ErrorCode, RpcError } from "../../rpc/error.ts";
import type { MethodTable } from "../../rpc/methods.ts";
import { hexParam, positional } from "../../rpc/params.ts";
import { NoHonestAnswer, TransactionRefused } from "../client.ts";
import type { LightChain } from "../chain.ts";
import type { LightTransactions } from "../transactions.ts";

/** Substrate's author error for a transaction of unknown validity: here, no node answered. */
const UNKNOWN_VALIDITY = 1011;

/** Broadcasts at once, past which `transaction_v1_broadcast` answers `null`. */
const MAX_BROADCASTS = 64;

/** A node's refusal, or the silence of all, as the RPC error a full node would answer. */
export function submitRpcError(e: unknown): unknown {
  if (e instanceof TransactionRefused) return new RpcError(e.code, e.message, e.data);
  if (e instanceof NoHonestAnswer) {
    return new RpcError(UNKNOWN_VALIDITY, "Unknown Transaction Validity", e.message);
  }
  return e;
}

/** Registers the transaction methods over `transactions`. */
export function registerLightTransactions(
  table: MethodTable,
  { chain, transactions }: { chain: LightChain; transactions: LightTransactions },
): void {
  const submit = async (params: unknown): Promise<Uint8Array> => {
    const bytes = hexParam(positional(params as unknown[]), 0, "extrinsic");
    try {
      return await transactions.submit(bytes);
    } catch (e) {
      throw submitRpcError(e);
    }
  };
  table.register("author_submitExtrinsic", async (params) => toHex(await submit(params)));
  table.registerSubscription({
    subscribe: "author_submitAndWatchExtrinsic",
    unsubscribe: "author_unwatchExtrinsic",
    notification: "author_extrinsicUpdate",
    async start(params, emit, close) {
      const hash = await submit(params);
      emit("ready");
      return transactions.watch(hash, (fate) => {
        if (fate.type === "finalized") {
          const block = toHex(fate.block.hash);
          emit({ inBlock: block });
          emit({ finalized: block });
        } else emit("dropped");
        close();
      });
    },
  });

  /** Broadcasts by operation id, each handed out again until finalized or stopped. */
  const broadcasts = new Map<string, { bytes: Uint8Array; unwatch: () => void }>();
  const handOut = (bytes: Uint8Array) => {
    // The spec keeps a refusal from the caller: it is tried again at the next block.
    transactions.submit(bytes).catch(() => {});
  };
  chain.onFinalized(() => {
    for (const { bytes } of broadcasts.values()) handOut(bytes);
  });
  table.register("transaction_v1_broadcast", (params) => {
    const bytes = hexParam(positional(params), 0, "transaction");
    if (broadcasts.size >= MAX_BROADCASTS) return null;
    const id = toHexRaw(crypto.getRandomValues(new Uint8Array(16)));
    const watchFor = () =>
      transactions.watch(extrinsicHash(bytes), (fate) => {
        if (fate.type === "finalized") broadcasts.delete(id);
        else if (broadcasts.has(id)) broadcasts.get(id)!.unwatch = watchFor();
      });
    broadcasts.set(id, { bytes, unwatch: watchFor() });
    handOut(bytes);
    return id;
  });
  table.register("transaction_v1_stop", (params) => {
    const id = positional(params)[0];
    const broadcast = typeof id === "string" ? broadcasts.get(id) : undefined;
    if (!broadcast) throw new RpcError(ErrorCode.InvalidParams, "Invalid operation id");
    broadcasts.delete(id as string);
    broadcast.unwatch();
    return null;
  });
}
