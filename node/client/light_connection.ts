/**
 * A light client in the CLI's own process, for `--light` client commands:
 * it warps and follows finality from the chain spec's checkpoint over
 * libp2p, then answers the commands' JSON-RPC from proofs, so what they
 * print was checked, not taken on a node's word.
 *
 * @module
 */
import { generateKeyPair } from "@libp2p/crypto/keys";
import { loadChainSpec, specCheckpoint, specGenesis } from "../../chain-spec/mod.ts";
import { blockHash } from "../../runtime/block/header.ts";
import { verifyNative } from "../../runtime/crypto/mod.ts";
import { createExecutive } from "../../runtime/mod.ts";
import { MemoryNodeStore } from "../../runtime/trie/mod.ts";
import { LightChain } from "../../client/light/chain.ts";
import { LightClient } from "../../client/light/client.ts";
import { lightProvider } from "../../client/light/rpc/mod.ts";
import { RpcClient } from "../../client/rpc_client.ts";
import type { LightOptions } from "../cli/client_args.ts";
import { networkTransport } from "../light/transport.ts";
import { provenRuntime } from "../light/runtime.ts";
import { Network } from "../network/mod.ts";
import { NODE_VERSION } from "../version.ts";

/** How long to wait for a full node to answer before giving up. */
const PEER_DEADLINE_MS = 30_000;

/** A light client's RPC, in this process. */
export interface LightConnection {
  rpc: RpcClient;
  chain: LightChain;
  /** Stops following and the network. */
  close(): Promise<void>;
}

/**
 * Starts a light client on `options.chain` and syncs it from the full nodes
 * at `options.bootnodes` (or the spec's).
 *
 * @throws {Error} when no full node could be reached or none proved finality in time
 */
export async function openLightConnection(options: LightOptions): Promise<LightConnection> {
  const spec = loadChainSpec(options.chain);
  const genesisHash = blockHash(specGenesis(spec, createExecutive(new MemoryNodeStore())).header);
  const bootnodes = options.bootnodes.length ? options.bootnodes : spec.bootNodes;
  if (bootnodes.length === 0) {
    throw new Error("--light needs full nodes to ask: pass --bootnodes ADDR/p2p/ID");
  }
  const network = await Network.start({
    genesisHash,
    privateKey: await generateKeyPair("Ed25519"),
    listen: [],
    bootnodes,
    roles: "light",
  });
  const transport = networkTransport(network);
  const chain = new LightChain(new LightClient(specCheckpoint(spec), transport, verifyNative));
  const close = async () => {
    chain.stop();
    await network.stop();
  };
  try {
    await synced(chain, () => transport.peers().length);
  } catch (e) {
    await close();
    throw e;
  }
  const rpc = RpcClient.over(lightProvider({
    chain,
    runtime: provenRuntime,
    spec,
    genesisHash,
    node: { name: "sutantra-cli-light", version: NODE_VERSION },
    peers: transport.peers,
  }));
  return {
    rpc,
    chain,
    close: async () => {
      rpc.close();
      await close();
    },
  };
}

/** Syncs `chain` once a full node is connected, retrying until {@link PEER_DEADLINE_MS}. */
async function synced(chain: LightChain, peers: () => number): Promise<void> {
  const deadline = Date.now() + PEER_DEADLINE_MS;
  for (let wait = 100;; wait = Math.min(wait * 2, 2_000)) {
    let failure: Error | undefined;
    if (peers() > 0) {
      try {
        await chain.start();
        return;
      } catch (e) {
        failure = e as Error;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(
        failure
          ? `The light client could not sync: ${failure.message}`
          : `No full node answered within ${PEER_DEADLINE_MS / 1000} s: check --bootnodes`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
