/**
 * `node.rpc`: `chain_getHeader` (the best header) requests per second over
 * HTTP against the node's JSON-RPC server (`RpcServer` with the chain API
 * over a `ChainClient` on LevelDB), against the ceiling of a bare Hono
 * handler that answers the same response bytes, served by `Deno.serve` the
 * same way. Target: ratio ≥ 0.5.
 *
 * Both servers run on this thread; the client (32 keep-alive connections,
 * one request in flight on each, 50,000 requests a run) runs on a worker
 * thread with a minimal HTTP/1.1 client, so that on two cores the client is
 * not what is measured. Runs alternate between the two servers after a
 * warm-up of each; each figure is the median of three.
 *
 * @module
 */
import { Hono } from "hono";
import { SLOT_MS } from "../chain-spec/presets.ts";
import { keypairFromUri } from "../runtime/crypto/mod.ts";
import { headerJson } from "../node/api/mod.ts";
import { BlockAuthor } from "../node/consensus/mod.ts";
import { serveDevChainRpc } from "./_chain_rpc.ts";
import { loadTest } from "./_http_load.ts";
import type { BenchResult } from "./_result.ts";

const CONCURRENCY = 32;
const REQUESTS = 50_000;
const BODY = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "chain_getHeader", params: [] });

/** Serves both, loads each in turn, and reports the node's rate against bare Hono's. */
export async function run(): Promise<BenchResult[]> {
  const rpc = await serveDevChainRpc();
  const { client } = rpc;
  // Bare Hono: the same response bytes, fixed in advance.
  let bare: Deno.HttpServer<Deno.NetAddr> | undefined;
  try {
    // A few blocks, so that the best header carries a slot digest and a seal as on a live chain.
    const author = new BlockAuthor({
      client,
      key: keypairFromUri("//Alice"),
      slotDurationMs: SLOT_MS,
      transactions: { ready: () => [] },
    });
    for (let i = 0; i < 3; i++) await author.authorNow();
    await author.stop();
    const response = { jsonrpc: "2.0", id: 1, result: headerJson(client.best.header) };
    const app = new Hono().post("/", (c) => c.json(response));
    bare = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);

    const nodeUrl = rpc.url;
    const bareUrl = `http://127.0.0.1:${bare.addr.port}/`;
    const load = (url: string, requests = REQUESTS) =>
      loadTest({ url, body: BODY, concurrency: CONCURRENCY, requests });
    await load(nodeUrl, 2_000);
    await load(bareUrl, 2_000);
    const nodeRates: number[] = [];
    const bareRates: number[] = [];
    for (let i = 0; i < 3; i++) {
      nodeRates.push(await load(nodeUrl));
      bareRates.push(await load(bareUrl));
    }
    const value = median(nodeRates);
    const ceiling = median(bareRates);
    return [{
      name: "node.rpc",
      value: Math.round(value),
      unit: "req/s",
      ceiling: Math.round(ceiling),
      ratio: Number((value / ceiling).toFixed(3)),
    }];
  } finally {
    await bare?.shutdown();
    await rpc.close();
  }
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

if (import.meta.main) console.table(await run());
