/**
 * One validator frozen with SIGSTOP for 30 s, then resumed with SIGCONT:
 * its sockets stay open but it answers nothing, as a stalled machine would.
 * The other three hold the 3 of 4 votes finality needs and go on
 * finalizing; resumed, the frozen one catches up with them.
 */
import { ok } from "node:assert/strict";
import { highestFinalized, hold, recovery, report, seconds, withCluster } from "./_scenario.ts";

const FREEZE_MS = 30_000;

Deno.test({
  name: "a validator frozen for 30 s: the other three finalize on; resumed, it catches up",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withCluster({ slotMs: 1000, seed: 22 }, async (cluster, watch) => {
      const charlie = cluster.index("charlie");
      const before = await highestFinalized(cluster);
      const frozen = Date.now();
      cluster.freeze(charlie);
      await hold(FREEZE_MS);
      const during = await highestFinalized(cluster);
      ok(during >= before + 10, `three of four finalized only #${before} to #${during} in 30 s`);

      cluster.thaw(charlie);
      const resumed = Date.now();
      const recovered = await recovery(cluster, "the resume");
      report(
        `freeze 1 validator 30s (SIGSTOP/SIGCONT): stall ${
          seconds(watch.stallMs(frozen, resumed + recovered))
        }, recovered ${seconds(recovered)} after resume`,
      );
    }),
});
