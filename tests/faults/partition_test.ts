/**
 * A 2|2 partition for 60 s: every link between {alice, bob} and {charlie,
 * dave} is cut at its proxy (connections closed, new ones refused). Neither
 * half holds the 3 of 4 votes finality needs, so it halts while both halves
 * go on authoring; healed, the nodes reconnect, agree on one chain and
 * finalize past everything either half made.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import {
  highestBest,
  highestFinalized,
  hold,
  recovery,
  report,
  seconds,
  withCluster,
} from "./_scenario.ts";

const PARTITION_MS = 60_000;
/** Votes in flight when the links were cut may still finalize one more round. */
const SETTLE_MS = 10_000;

Deno.test({
  name: "a 2|2 partition for 60 s halts finality; healed, the nodes agree and finality resumes",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withCluster({ slotMs: 1000, seed: 21 }, async (cluster, watch) => {
      const bestBefore = await highestBest(cluster);
      const cut = Date.now();
      cluster.setLinks({ kind: "cut" }, [0, 1], [2, 3]);
      await hold(SETTLE_MS);
      const halted = await highestFinalized(cluster);
      await hold(PARTITION_MS - SETTLE_MS);
      assertEquals(
        await highestFinalized(cluster),
        halted,
        "a half of two validators finalized a block: some link went around the proxies",
      );
      ok(await highestBest(cluster) > bestBefore + 10, "the halves stopped authoring");

      cluster.heal();
      const healed = Date.now();
      const recovered = await recovery(cluster, "the heal");
      report(
        `partition 2|2 60s (links cut at TCP proxies): stall ${
          seconds(watch.stallMs(cut, healed + recovered))
        }, recovered ${seconds(recovered)} after heal`,
      );
    }),
});
