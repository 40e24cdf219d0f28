/**
 * Substrate's `sync_state_genSyncSpec(raw)` (`sc-sync-state-rpc`): the
 * chain spec this node runs, raw if asked, with a `lightSyncState`
 * checkpoint at its finalized block (the header and the GRANDPA set that
 * votes above it), from which a light client starts instead of genesis.
 * Whoever hands the spec on vouches for the checkpoint: a light client
 * trusts it as it trusts the genesis.
 *
 * @module
 */
import { rawSpec } from "../../chain-spec/build.ts";
import { checkpointAt } from "../../chain-spec/checkpoint.ts";
import { encodeLightSyncState } from "../../chain-spec/light_sync_state.ts";
import type { ChainSpec } from "../../chain-spec/spec.ts";
import type { ChainClient } from "../chain/mod.ts";
import { ErrorCode, RpcError, type RpcServer } from "../rpc/mod.ts";
import { positional } from "../../client/rpc/params.ts";

/** What `sync_state_genSyncSpec` reads. */
export interface SyncStateApiContext {
  /** The spec the node was started with. */
  spec: ChainSpec;
  client: ChainClient;
}

/** Registers `sync_state_genSyncSpec`. */
export function registerSyncStateApi(server: RpcServer, ctx: SyncStateApiContext): void {
  // Raw genesis is built once, when first asked for: it never changes.
  let raw: ChainSpec | undefined;
  server.register("sync_state_genSyncSpec", (params) => {
    const [asRaw] = positional(params);
    if (typeof asRaw !== "boolean") {
      throw new RpcError(ErrorCode.InvalidParams, "Invalid params: raw must be a boolean");
    }
    const { header } = ctx.client.finalized;
    const lightSyncState = encodeLightSyncState(
      checkpointAt(header, ctx.client.stateAt(header)),
    );
    const spec = asRaw ? (raw ??= rawSpec(ctx.spec)) : ctx.spec;
    return { ...spec, lightSyncState };
  });
}
