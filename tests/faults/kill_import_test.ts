/**
 * SIGKILL during block import, 20 times: four validators on 250 ms slots
 * and a follower that joins once the chain is 150 finalized blocks long.
 * Each node in turn is killed while it imports: the follower first, during
 * its sync of the long chain, then each at a random moment just after a
 * slot starts, when the slot's block arrives from its author and is
 * imported (authors start a block at the slot's first millisecond). Each
 * is restarted on its database after a few seconds down; it must still
 * hold what it had finalized, the state it stored for its finalized and
 * best blocks must rebuild to their headers' state roots, and it must
 * catch up with the others.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Random } from "../../node/consensus/finality/sim/random.ts";
import { until } from "../_node.ts";
import type { Cluster } from "./_cluster.ts";
import { assertStateRoot } from "./_state_root.ts";
import { heads } from "./_watch.ts";
import {
  allFinalize,
  highestFinalized,
  hold,
  report,
  RESUME_BOUND_MS,
  seconds,
  withCluster,
} from "./_scenario.ts";

const SEED = 24;
const KILLS = 20;
const LONG_CHAIN = 150;
const SLOT_MS = 250;
/** How long after a slot starts its block is being imported by the others (ms, generous). */
const IMPORT_WINDOW_MS = 120;
/** The follower, then each validator. */
const ORDER = ["follower-1", "alice", "bob", "charlie", "dave"];

/** Resolves a random 0.5-2 s from now, a random moment after a slot starts, as its block is imported. */
async function slotImport(random: Random): Promise<void> {
  await hold(random.int(500, 2_000));
  await hold(SLOT_MS - Date.now() % SLOT_MS + random.int(10, IMPORT_WINDOW_MS));
}

/** What one kill and restart measured (ms). */
interface Reopened {
  /** From the restart until the node answered RPC. */
  reopenMs: number;
  /** From the restart until it finalized what the others had finalized when it restarted. */
  caughtUpMs: number;
}

/**
 * Kills node `i` once `moment` resolves, keeps it down `downMs`, restarts it
 * on its database and checks what it reopened.
 */
async function killAndReopen(
  cluster: Cluster,
  i: number,
  moment: Promise<unknown>,
  downMs: number,
): Promise<Reopened> {
  const before = await heads(cluster.node(i));
  await moment;
  await cluster.kill(i);
  await hold(downMs);
  const target = await highestFinalized(cluster);
  const restarted = Date.now();
  const node = await cluster.start(i);
  const reopenMs = Date.now() - restarted;
  const name = cluster.members[i].name;
  const caughtUp = until(
    `${name} to finalize #${target} again`,
    async () => (await heads(node)).finalized >= target ? Date.now() : undefined,
    RESUME_BOUND_MS,
  );
  caughtUp.catch(() => {}); // awaited below, after the checks
  const after = await heads(node);
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
  return { reopenMs, caughtUpMs: await caughtUp - restarted };
}

Deno.test({
  name: "20 SIGKILLs during block import, each node in turn: each reopens its database intact",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withCluster(
      { slotMs: SLOT_MS, seed: SEED, followers: 1, startFollowers: false },
      async (cluster, watch) => {
        const random = new Random(SEED);
        await allFinalize(cluster, LONG_CHAIN, `${LONG_CHAIN} finalized blocks`, 180_000);
        const follower = cluster.index("follower-1");
        await cluster.start(follower);
        const started = Date.now();
        await until("the follower to start syncing", async () =>
          (await heads(cluster.node(follower))).best > 0 || undefined, 60_000);
        let slowestReopen = 0;
        let slowestCatchUp = 0;
        for (let kill = 0; kill < KILLS; kill++) {
          const i = cluster.index(ORDER[kill % ORDER.length]);
          // The follower's first kill comes at once, in its sync; the others just after a slot starts.
          const moment = kill === 0 ? Promise.resolve() : slotImport(random);
          const reopened = await killAndReopen(cluster, i, moment, random.int(200, 3_000));
          slowestReopen = Math.max(slowestReopen, reopened.reopenMs);
          slowestCatchUp = Math.max(slowestCatchUp, reopened.caughtUpMs);
        }
        report(
          `kill -9 x${KILLS} during block import (each node in turn, the follower first in its sync, seed ${SEED}): stall ${
            seconds(watch.stallMs(started, Date.now()))
          }, slowest reopen ${seconds(slowestReopen)}, slowest catch-up ${
            seconds(slowestCatchUp)
          } after restart; every reopened state matched its state root`,
        );
      },
    ),
});
