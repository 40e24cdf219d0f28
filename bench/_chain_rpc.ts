/**
 * The node's read RPC for benchmarks: a dev chain on a temporary LevelDB
 * behind an `RpcServer` with the chain API, listening on a free loopback
 * port. `close()` stops it and removes the database.
 *
 * @module
 */
import { devSpec, SLOT_MS } from "../chain-spec/presets.ts";
import { registerChainApi } from "../node/api/mod.ts";
import { ChainClient } from "../node/chain/mod.ts";
import { AuraVerifier } from "../node/consensus/mod.ts";
import { ChainDatabase } from "../node/db/mod.ts";
import { RpcServer } from "../node/rpc/mod.ts";

/** A served dev chain: its client, and the URL its RPC answers POSTs at. */
export interface BenchRpc {
  client: ChainClient;
  url: string;
  close(): Promise<void>;
}

/** Opens a dev chain in a temporary directory and serves its read RPC. */
export async function serveDevChainRpc(): Promise<BenchRpc> {
  const path = await Deno.makeTempDir({ prefix: "sutantra-bench-rpc-" });
  const db = await ChainDatabase.open(path);
  const client = await ChainClient.open({
    db,
    spec: devSpec(),
    sealVerifier: new AuraVerifier(Date.now, SLOT_MS),
    verifierThreads: 1,
  });
  const server = new RpcServer();
  registerChainApi(server, {
    client,
    spec: devSpec(),
    name: "Sutantra",
    version: "bench",
    isValidator: true,
    isSyncing: () => false,
    nextIndex: () => 0,
  });
  const node = server.listen(0);
  return {
    client,
    url: `http://127.0.0.1:${node.port}/`,
    async close() {
      await node.close();
      await client.close();
      await db.close();
      await Deno.remove(path, { recursive: true });
    },
  };
}
