/**
 * A light node (`deno task node --light`): no database, no block
 * execution, no trust in any one full node. It starts from the chain spec's
 * checkpoint, follows finality by checked justifications over libp2p, and
 * serves the JSON-RPC (the new spec and the legacy methods the CLI and the
 * web app use) on its RPC port, every answer about state proven.
 *
 * @module
 */
import { generateKeyPair } from "@libp2p/crypto/keys";
import { loadChainSpec, specCheckpoint, specGenesis } from "../../chain-spec/mod.ts";
import { blockHash } from "../../runtime/block/header.ts";
import { verifyNative } from "../../runtime/crypto/mod.ts";
import { createExecutive } from "../../runtime/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { MemoryNodeStore } from "../../runtime/trie/mod.ts";
import { LightChain } from "../../client/light/chain.ts";
import { LightClient } from "../../client/light/client.ts";
import { registerLightApi } from "../../client/light/rpc/mod.ts";
import type { RunOptions } from "../cli/args.ts";
import { shortHash } from "../informant.ts";
import type { Logger } from "../log.ts";
import { Network, nodeKeyFromSeed } from "../network/mod.ts";
import { bindPort } from "../port_in_use.ts";
import { type RpcListener, RpcServer } from "../rpc/mod.ts";
import { NODE_VERSION } from "../version.ts";
import { provenRuntime } from "./runtime.ts";
import { networkTransport } from "./transport.ts";

/** How often the informant line is printed. */
const INFORMANT_MS = 5_000;

/** A running light node. */
export interface RunningLightNode {
  chain: LightChain;
  network: Network;
  rpc: RpcListener;
  /** Stops following, serving and the network. */
  close(): Promise<void>;
}

/** Starts a light node as the command line describes it. */
export async function startLightNode(options: RunOptions, log: Logger): Promise<RunningLightNode> {
  const spec = loadChainSpec(options.chain);
  const store = new MemoryNodeStore();
  const genesisHash = blockHash(specGenesis(spec, createExecutive(store)).header);
  const checkpoint = specCheckpoint(spec);
  log.info(`⛓  Chain: ${spec.name} (${spec.id}), genesis ${toHex(genesisHash)}`);
  log.info(
    `💡 Light client from ${
      checkpoint.header.number === 0
        ? "genesis"
        : `the spec's checkpoint #${checkpoint.header.number}`
    } (authority set ${checkpoint.set.setId})`,
  );
  const stops: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const bootnodes = options.bootnodes.length ? options.bootnodes : spec.bootNodes;
    if (bootnodes.length === 0) {
      throw new Error("A light node needs full nodes to ask: pass --bootnodes ADDR/p2p/ID");
    }
    const network = await Network.start({
      genesisHash,
      privateKey: options.nodeKey
        ? await nodeKeyFromSeed(options.nodeKey)
        : await generateKeyPair("Ed25519"),
      listen: options.listenAddr,
      bootnodes,
      name: options.name,
      roles: "light",
      outPeers: options.outPeers,
    });
    stops.push(() => network.stop());
    log.info(`🏷  Local node identity is ${network.peerId}`);

    const transport = networkTransport(network);
    const client = new LightClient(checkpoint, {
      ...transport,
      ban: (peer, reason) => {
        log.warn(`🚫 Banned ${peer}: ${reason}`);
        transport.ban(peer, reason);
      },
    }, verifyNative);
    const chain = new LightChain(client, {
      // No newer finality is the usual answer between blocks; only a lie is news.
      onSyncError: (e) => log.debug(`light: ${e.message}`),
    });
    stops.push(() => chain.stop());

    const rpcServer = new RpcServer({
      cors: options.rpcCors,
      methods: options.rpcMethods,
      ...options.rpcLimits,
    });
    registerLightApi(rpcServer, {
      chain,
      runtime: provenRuntime,
      spec,
      genesisHash,
      node: { name: options.name, version: NODE_VERSION },
      peers: () => network.peers().filter((p) => p.roles !== "light").map((p) => p.peerId),
      onError: (e) => log.warn(`light: ${e.message}`),
    });
    const host = options.rpcExternal ? "0.0.0.0" : "127.0.0.1";
    const rpc = await bindPort(
      "--rpc-port",
      options.rpcPort,
      () => rpcServer.listen(options.rpcPort, host),
    );
    stops.push(() => rpc.close());
    log.info(`🌐 JSON-RPC on http://127.0.0.1:${rpc.port} (and ws://), answered from proofs`);

    const informant = setInterval(() => {
      const at = chain.finalizedBlock;
      log.info(
        `💡 Light: finalized #${at.header.number} (${
          shortHash(at.hash)
        }), set ${client.finality.set.setId}, ` +
          `${network.peerCount} peers, ${client.proofsVerified} proofs verified` +
          (client.bans.size ? `, ${client.bans.size} peers banned` : ""),
      );
    }, INFORMANT_MS);
    stops.push(() => clearInterval(informant));
    stops.push(startFollowing(chain, log));
    return { chain, network, rpc, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Syncs until a peer answers (retrying while none does), then follows
 * finality. @returns the function that stops retrying
 */
function startFollowing(chain: LightChain, log: Logger): () => void {
  let wait = 500;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const attempt = () => {
    chain.start().then((at) => {
      log.info(`✨ Light client synced: finalized #${at.number} (${shortHash(blockHash(at))})`);
    }, (e) => {
      if (stopped) return;
      log.debug(`light: not synced yet: ${(e as Error).message}`);
      wait = Math.min(wait * 2, 5_000);
      retry = setTimeout(attempt, wait);
    });
  };
  attempt();
  return () => {
    stopped = true;
    clearTimeout(retry);
  };
}
