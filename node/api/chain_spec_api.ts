/**
 * `chainSpec_v1_*` of the full node, from its chain spec (the methods are
 * `client/rpc/chain_spec.ts`).
 *
 * @module
 */
import type { ChainSpec } from "../../chain-spec/spec.ts";
import { registerChainSpec } from "../../client/rpc/chain_spec.ts";
import type { RpcServer } from "../rpc/mod.ts";

/** What `chainSpec_v1_*` reads. */
export interface ChainSpecApiContext {
  spec: ChainSpec;
  genesisHash: Uint8Array;
}

/** Registers `chainSpec_v1_chainName`, `chainSpec_v1_genesisHash` and `chainSpec_v1_properties`. */
export function registerChainSpecApi(server: RpcServer, ctx: ChainSpecApiContext): void {
  registerChainSpec(server, {
    name: ctx.spec.name,
    genesisHash: ctx.genesisHash,
    properties: ctx.spec.properties,
  });
}
