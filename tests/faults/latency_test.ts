/**
 * Every link slow for 2 minutes: each proxy holds every chunk 200 ms each
 * way, and one chunk in twenty 200–1,000 ms more (holding up those behind
 * it, as TCP would). Finality goes on, later; once the links are fast
 * again it catches up with the best block.
 */
import { ok } from "node:assert/strict";
import type { LinkFault } from "./_proxy.ts";
import {
  highestFinalized,
  hold,
  recovery,
  report,
  seconds,
  VALIDATORS,
  withCluster,
} from "./_scenario.ts";

const SLOW_MS = 120_000;
const SLOW: LinkFault = {
  kind: "delay",
  ms: 200,
  stalls: { probability: 0.05, minMs: 200, maxMs: 1_000 },
};

Deno.test({
  name: "200 ms latency and stalls on every link for 2 minutes: finality goes on and catches up",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withCluster({ slotMs: 1000, seed: 23 }, async (cluster, watch) => {
      const before = await highestFinalized(cluster);
      const slowed = Date.now();
      cluster.setAllLinks(SLOW);
      await hold(SLOW_MS);
      const during = await highestFinalized(cluster);
      ok(during > before, `finality stood still at #${before} for 2 minutes of latency`);

      cluster.heal();
      const healed = Date.now();
      const recovered = await recovery(cluster, "the links were fast again");
      report(
        `latency 200 ms + 5% stalls 200-1000 ms on every link 120s (TCP proxies): stall ${
          seconds(watch.stallMs(slowed, healed))
        }, finality lag p95 ${watch.lagP95([...VALIDATORS], slowed, healed)} blocks, recovered ${
          seconds(recovered)
        } after the links healed`,
      );
    }),
});
