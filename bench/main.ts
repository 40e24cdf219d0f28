/**
 * `deno task bench [--json] [NAME_PREFIX]`: runs every benchmark and prints a
 * table, or with `--json` one JSON object per line:
 * `{"name", "value", "unit", "ceiling"?, "ratio"?}`.
 *
 * The `node.*` suites open LevelDB (`--allow-ffi`) in temporary directories
 * (`--allow-write=/tmp`), serve and call HTTP on loopback
 * (`--allow-net=127.0.0.1`) and start a node process (`--allow-run`).
 */
import { parseArgs } from "node:util";
import type { BenchResult } from "./_result.ts";

const SUITES: Record<string, () => Promise<{ run(): Promise<BenchResult[]> }>> = {
  "stf.transfers": () => import("./stf_transfers.ts"),
  "stf.spam": () => import("./stf_spam.ts"),
  "stf.payout": () => import("./stf_payout.ts"),
  "state.root": () => import("./state_root.ts"),
  "state.proof": () => import("./state_proof.ts"),
  "state.read": () => import("./state_read.ts"),
  "node.import": () => import("./node_import.ts"),
  "node.rpc": () => import("./node_rpc.ts"),
  "rpc.metadata": () => import("./rpc_metadata.ts"),
  "node.memory": () => import("./node_memory.ts"),
  "node.finality": () => import("./node_finality.ts"),
  "node.restart_to_finality": () => import("./node_restart_to_finality.ts"),
  "finality.sim": () => import("./finality_sim.ts"),
  "light.warp": () => import("./light_warp.ts"),
  "light.follow": () => import("./light_follow.ts"),
  "light.proof": () => import("./light_proof.ts"),
  "relay.vouchers": () => import("./relay_vouchers.ts"),
  "relay.join": () => import("./relay_join.ts"),
  "relay.fanout": () => import("./relay_fanout.ts"),
  "relay.native_fanout": () => import("./relay_native_fanout.ts"),
  "relay.hop_latency": () => import("./relay_hop_latency.ts"),
  "relay.tree": () => import("./relay_tree.ts"),
};

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { json: { type: "boolean", default: false } },
  allowPositionals: true,
});
const filter = positionals[0] ?? "";
const results: BenchResult[] = [];
for (const [name, load] of Object.entries(SUITES)) {
  if (!name.startsWith(filter)) continue;
  for (const result of await (await load()).run()) {
    results.push(result);
    if (values.json) console.log(JSON.stringify(result));
  }
}
if (!values.json) console.table(results);
