/**
 * `chainSpec_v1_*` of the new JSON-RPC spec: the chain's name, genesis
 * hash and properties, which never change while the node runs.
 *
 * @module
 */
import { toHex } from "../../runtime/primitives/hex.ts";
import type { ChainSpec } from "../../chain-spec/spec.ts";
import type { RpcServer } from "../rpc/mod.ts";

/** What `chainSpec_v1_*` reads. */
export interface ChainSpecApiContext {
  spec: ChainSpec;
  genesisHash: Uint8Array;
}

/** Registers `chainSpec_v1_chainName`, `chainSpec_v1_genesisHash` and `chainSpec_v1_properties`. */
export function registerChainSpecApi(server: RpcServer, ctx: ChainSpecApiContext): void {
  const genesis = toHex(ctx.genesisHash);
  server.register("chainSpec_v1_chainName", () => ctx.spec.name);
  server.register("chainSpec_v1_genesisHash", () => genesis);
  server.register("chainSpec_v1_properties", () => ctx.spec.properties ?? {});
}
