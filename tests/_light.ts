/**
 * Light clients in tests: a libp2p network of role `light` that dials full
 * nodes, as `deno task node --light` starts one.
 *
 * @module
 */
import { generateKeyPair } from "@libp2p/crypto/keys";
import { Network } from "../node/network/mod.ts";

/** A network of role light on the chain of `genesisHash`, dialling `bootnodes` (listening nowhere). */
export async function lightNetwork(genesisHash: Uint8Array, bootnodes: string[]): Promise<Network> {
  return await Network.start({
    genesisHash,
    privateKey: await generateKeyPair("Ed25519"),
    listen: [],
    bootnodes,
    roles: "light",
  });
}
