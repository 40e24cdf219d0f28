/**
 * `rpc.metadata`: what SCALE metadata costs to produce and to serve.
 *
 * - `rpc.metadata.produce.v14` / `.v15`: building the metadata from the
 *   runtime's declarations (type registry, encoding), uncached; the median
 *   of 20 builds.
 * - `rpc.metadata.hash`: computing the RFC 78 metadata hash that
 *   `CheckMetadataHash` signs (build the metadata, merkleize the types an
 *   extrinsic can hold), which a node does once per runtime version: the
 *   median of 20 uncached computations, with the first, cold, call noted.
 * - `rpc.metadata.serve`: `state_getMetadata` over HTTP from the node's
 *   JSON-RPC server (the bytes cached per runtime version, hex-encoded per
 *   answer), requests per second from 4 keep-alive connections, against a
 *   bare Hono handler answering the same response bytes: the ceiling.
 *
 * @module
 */
import { Hono } from "hono";
import { runtime } from "../runtime/mod.ts";
import { buildMetadataHash, metadataBytes, metadataHash } from "../runtime/metadata/mod.ts";
import { RUNTIME_API_METADATA } from "../runtime/api/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { TestExt } from "../runtime/testing/mod.ts";
import { serveDevChainRpc } from "./_chain_rpc.ts";
import { loadTest } from "./_http_load.ts";
import type { BenchResult } from "./_result.ts";

const BUILDS = 20;
const BODY = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "state_getMetadata", params: [] });

/** Times the metadata hash, building V14 and V15, then serving V14 over HTTP against bare Hono. */
export async function run(): Promise<BenchResult[]> {
  let start = performance.now();
  metadataHash(runtime);
  const cold = performance.now() - start;
  const hashTimes: number[] = [];
  for (let i = 0; i < BUILDS; i++) {
    start = performance.now();
    buildMetadataHash(runtime);
    hashTimes.push(performance.now() - start);
  }
  const hash: BenchResult = {
    name: "rpc.metadata.hash",
    value: Number(median(hashTimes).toFixed(2)),
    unit: "ms",
    note: `once per runtime version; the first (cold) call ${cold.toFixed(1)} ms`,
  };
  const { state } = new TestExt();
  const produce = (version: 14 | 15): BenchResult => {
    const times: number[] = [];
    let size = 0;
    for (let i = 0; i < BUILDS; i++) {
      // A list of its own each time: the cache is keyed by it, so every build is fresh.
      const apis = [...RUNTIME_API_METADATA];
      const start = performance.now();
      size = metadataBytes(runtime, version, state, apis).length;
      times.push(performance.now() - start);
    }
    return {
      name: `rpc.metadata.produce.v${version}`,
      value: Number(median(times).toFixed(2)),
      unit: "ms",
      note: `${size} bytes`,
    };
  };
  const results = [hash, produce(14), produce(15)];

  const rpc = await serveDevChainRpc();
  let bare: Deno.HttpServer<Deno.NetAddr> | undefined;
  try {
    const response = {
      jsonrpc: "2.0",
      id: 1,
      result: toHex(metadataBytes(runtime, 14, state, RUNTIME_API_METADATA)),
    };
    const app = new Hono().post("/", (c) => c.json(response));
    bare = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
    const load = (url: string, requests: number) =>
      loadTest({ url, body: BODY, concurrency: 4, requests });
    const nodeUrl = rpc.url;
    const bareUrl = `http://127.0.0.1:${bare.addr.port}/`;
    await load(nodeUrl, 200);
    await load(bareUrl, 200);
    const nodeRates: number[] = [];
    const bareRates: number[] = [];
    for (let i = 0; i < 3; i++) {
      nodeRates.push(await load(nodeUrl, 2_000));
      bareRates.push(await load(bareUrl, 2_000));
    }
    const value = median(nodeRates);
    const ceiling = median(bareRates);
    results.push({
      name: "rpc.metadata.serve",
      value: Math.round(value),
      unit: "req/s",
      ceiling: Math.round(ceiling),
      ratio: Number((value / ceiling).toFixed(3)),
      note: `${response.result.length} hex characters an answer`,
    });
    return results;
  } finally {
    await bare?.shutdown();
    await rpc.close();
  }
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

if (import.meta.main) console.table(await run());
