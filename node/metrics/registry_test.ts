import { match, ok } from "node:assert/strict";
import { Counter, Gauge, LabelledGauge, MetricsRegistry, Summary } from "./mod.ts";

Deno.test("metrics render in the Prometheus text format and are served at /metrics", async () => {
  const registry = new MetricsRegistry();
  let height = 7;
  registry.add(new Gauge("sutantra_block_height", "Best block.", () => height));
  const calls = registry.add(new Counter("sutantra_rpc_calls_total", "RPC calls."));
  const imports = registry.add(new Summary("sutantra_import_seconds", "Import time."));
  let depths: [Record<string, string>, number][] = [];
  registry.add(new LabelledGauge("sutantra_depth", "Depth per stream.", () => depths));
  calls.inc({ method: "chain_getHeader" });
  calls.inc({ method: "chain_getHeader" });
  imports.observe(0.5);
  height = 8;
  const server = registry.serve(0);
  try {
    // A labelled gauge with no label set yet says only what it is.
    match(registry.render(), /# TYPE sutantra_depth gauge\n$/);
    depths = [[{ stream: "7" }, 0], [{ stream: "9" }, 2]];
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    match(text, /sutantra_depth\{stream="7"\} 0\nsutantra_depth\{stream="9"\} 2\n/);
    match(text, /# TYPE sutantra_block_height gauge\nsutantra_block_height 8\n/);
    match(text, /sutantra_rpc_calls_total\{method="chain_getHeader"\} 2/);
    match(text, /sutantra_import_seconds_sum 0.5\nsutantra_import_seconds_count 1/);
    const missing = await fetch(`http://127.0.0.1:${server.port}/other`);
    ok(missing.status === 404);
    await missing.body?.cancel();
  } finally {
    await server.close();
  }
});
