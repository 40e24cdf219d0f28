/**
 * SIGKILL during block import, 20 times: four validators on 250 ms slots
 * and a follower that joins once the chain is 150 finalized blocks long.
 * Each node in turn (the follower first, during its long sync) is killed
 * at a random moment, kept down a few seconds, restarted on its database,
 * then killed again while it imports the blocks it missed, and restarted
 * once more. After every restart the node must still hold what it had
 * finalized, and the state it stored for its finalized and best blocks
 * must rebuild to their headers' state roots.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Random } from "../../node/consensus/finality/sim/random.ts";
import { until } from "../_node.ts";
import type { Cluster } from "./_cluster.ts";
import { assertStateRoot } from "./_state_root.ts";
import { heads } from "./_watch.ts";
import { allFinalize, highestFinalized, hold, report, seconds, withCluster } from "./_scenario.ts";

const SEED = 24;
const KILLS = 20;
const LONG_CHAIN = 150;
/** The follower, then each validator. */
const ORDER = ["follower-1", "alice", "bob", "charlie", "dave"];

/**
 * Kills node `i`, keeps it down `downMs`, restarts it on its database and
 * checks what it reopened; resolves with how long the restart took until
 * the node answered (ms) and the best block it reopened at.
 */
async function killAndReopen(
  cluster: Cluster,
  i: number,
  downMs: number,
): Promise<{ reopenMs: number; best: number }> {
  const before = await heads(cluster.node(i));
  await cluster.kill(i);
  await hold(downMs);
  const restarted = Date.now();
  const node = await cluster.start(i);
  const reopened = Date.now() - restarted;
  const after = await heads(node);
  const name = cluster.members[i].name;
  ok(
    after.finalized >= before.finalized,
    `${name} lost finalized blocks: #${before.finalized} before the kill, #${after.finalized} after`,
  );
  assertEquals(
    await node.rpc("chain_getBlockHash", [before.finalized]),
    before.finalizedHash,
    `${name}'s finalized #${before.finalized} changed across the kill`,
  );
  await assertStateRoot(node, after.finalizedHash);
  await assertStateRoot(node, await node.rpc<string>("chain_getBlockHash", []));
  return { reopenMs: reopened, best: after.best };
}

Deno.test({
  name: "20 SIGKILLs during block import, each node in turn: each reopens its database intact",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withCluster(
      { slotMs: 250, seed: SEED, followers: 1, startFollowers: false },
      async (cluster, watch) => {
        const random = new Random(SEED);
        await allFinalize(cluster, LONG_CHAIN, `${LONG_CHAIN} finalized blocks`, 180_000);
        const follower = cluster.index("follower-1");
        await cluster.start(follower);
        const started = Date.now();
        let kills = 0;
        let slowestReopen = 0;
        let slowestCatchUp = 0;
        for (let cycle = 0; kills < KILLS; cycle++) {
          const i = cluster.index(ORDER[cycle % ORDER.length]);
          const name = ORDER[cycle % ORDER.length];
          // At a random moment (a validator imports a block every slot, the follower its
          // long sync), and down long enough to miss a few seconds of blocks.
          await hold(random.int(200, 1_500));
          const first = await killAndReopen(cluster, i, random.int(3_000, 6_000));
          kills++;
          // Then again while it imports the blocks it missed.
          await until(`${name} to import the blocks it missed`, async () =>
            (await heads(cluster.node(i))).best > first.best || undefined, 60_000);
          await hold(random.int(0, 200));
          const second = await killAndReopen(cluster, i, random.int(0, 500));
          kills++;
          slowestReopen = Math.max(slowestReopen, first.reopenMs, second.reopenMs);
          const caughtUp = Date.now();
          const target = await highestFinalized(cluster);
          await allFinalize(cluster, target, `${name} to catch up with #${target}`);
          slowestCatchUp = Math.max(slowestCatchUp, Date.now() - caughtUp);
        }
        report(
          `kill -9 x${KILLS} during block import (each node in turn, seed ${SEED}): stall ${
            seconds(watch.stallMs(started, Date.now()))
          }, slowest reopen ${seconds(slowestReopen)}, slowest catch-up ${
            seconds(slowestCatchUp)
          } after restart; every reopened state matched its state root`,
        );
      },
    ),
});
