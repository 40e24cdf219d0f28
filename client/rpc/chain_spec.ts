/**
 * `chainSpec_v1_*` of the new JSON-RPC spec: the chain's name, genesis
 * hash and properties, which never change while a node or light client runs.
 *
 * @module
 */
import { toHex } from "../../runtime/primitives/hex.ts";
import type { MethodTable } from "./methods.ts";

/** What `chainSpec_v1_*` answers. */
export interface ChainSpecFacts {
  /** The chain's name, as its chain spec says. */
  name: string;
  genesisHash: Uint8Array;
  /** The chain spec's properties (`{}` when it has none). */
  properties?: unknown;
}

/** Registers `chainSpec_v1_chainName`, `chainSpec_v1_genesisHash` and `chainSpec_v1_properties`. */
export function registerChainSpec(table: MethodTable, facts: ChainSpecFacts): void {
  const genesis = toHex(facts.genesisHash);
  table.register("chainSpec_v1_chainName", () => facts.name);
  table.register("chainSpec_v1_genesisHash", () => genesis);
  table.register("chainSpec_v1_properties", () => facts.properties ?? {});
}
