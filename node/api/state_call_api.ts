/**
 * `state_call(method, data, at?)`: a runtime API method (`Api_method`, e.g.
 * `AccountNonceApi_account_nonce`) on SCALE `data`, at block `at` (the best
 * block unless given), answered with its SCALE output as `0x` hex.
 *
 * The call runs on a throwaway state: whatever it writes (a block built by
 * `BlockBuilder_apply_extrinsic`) is dropped with the call. Failures carry
 * Substrate's state error code (4003, `Client error: …`).
 *
 * @module
 */
import type { Header } from "../../runtime/block/header.ts";
import { RuntimeApiError } from "../../runtime/api/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { type ChainClient, StateDiscardedError } from "../chain/mod.ts";
import { ErrorCode, RpcError, type RpcServer } from "../rpc/mod.ts";
import { hexParam, positional } from "../../client/rpc/params.ts";
import { CLIENT_ERROR, runtimeApiRpcError, unknownBlock } from "../../client/rpc/state_errors.ts";

export { runtimeApiRpcError };
import { runtimeCallAt } from "./_runtime_call.ts";

/** What `state_call` needs of the node. */
export interface StateCallApiContext {
  client: ChainClient;
}

/** Registers `state_call` on `server`. */
export function registerStateCallApi(server: RpcServer, ctx: StateCallApiContext): void {
  const { client } = ctx;
  server.register("state_call", async (raw) => {
    const params = positional(raw);
    const method = params[0];
    if (typeof method !== "string") {
      throw new RpcError(ErrorCode.InvalidParams, "Invalid params: method must be a string");
    }
    const data = hexParam(params, 1, "call data");
    const hash = hexParam(params, 2, "block hash", 32, true);
    let header: Header | undefined = client.best.header;
    if (hash) {
      header = await client.header(hash);
      if (!header) throw unknownBlock(hash);
    }
    try {
      return toHex(runtimeCallAt(client, header, method, data));
    } catch (e) {
      if (e instanceof StateDiscardedError) {
        throw new RpcError(CLIENT_ERROR, `Client error: ${e.message}`);
      }
      if (e instanceof RuntimeApiError) throw runtimeApiRpcError(e);
      throw e;
    }
  });
}
