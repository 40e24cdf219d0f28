/**
 * The era an RPC client signs with: the node's best and finalized blocks,
 * asked over JSON-RPC, handed to the runtime's {@link signingEra} rule
 * (mortal for 64 blocks, born at the finalized block unless finality lags).
 * The CLI and the web app share it.
 *
 * @module
 */
import { type Era, signingEra } from "../runtime/extrinsic/era.ts";
import { fromHex } from "../runtime/primitives/hex.ts";
import type { RpcClient } from "./rpc_client.ts";

/** The mortal era to sign with now, and its birth block's hash. */
export async function eraFromNode(rpc: RpcClient): Promise<{ era: Era; eraBlockHash: Uint8Array }> {
  const [best, finalizedHash] = await Promise.all([
    rpc.call<{ number: string }>("chain_getHeader"),
    rpc.call<string>("chain_getFinalizedHead"),
  ]);
  const bestNumber = Number(best.number);
  const [bestHash, finalized] = await Promise.all([
    rpc.call<string>("chain_getBlockHash", [bestNumber]),
    rpc.call<{ number: string }>("chain_getHeader", [finalizedHash]),
  ]);
  return signingEra(
    { number: bestNumber, hash: fromHex(bestHash) },
    { number: Number(finalized.number), hash: fromHex(finalizedHash) },
  );
}
