/**
 * What every fault scenario does around its fault: start a cluster on a
 * fast chain, wait for finality, sample it throughout, and in the end
 * check that the nodes agree on every finalized block and lost none; clean
 * up every process and proxy, even when the scenario fails.
 *
 * @module
 */
import { assertNoConflict, fastSpec, until } from "../_node.ts";
import { Cluster, type ClusterInit } from "./_cluster.ts";
import { FinalityWatch, heads } from "./_watch.ts";

/** How long finality may take to catch up once a fault stops (a busy 2-core machine). */
export const RESUME_BOUND_MS = 90_000;

/** The local chain's four validators. */
export const VALIDATORS = ["alice", "bob", "charlie", "dave"] as const;

/** What a scenario runs on. */
export interface ScenarioInit extends Omit<ClusterInit, "chain" | "validators"> {
  /** Slot duration of the local chain (ms). */
  slotMs: number;
  /** Start the followers with the validators (default) or leave them to the scenario. */
  startFollowers?: boolean;
}

/** Resolves after `ms`: only for holding a fault for the time the scenario says. */
export const hold = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds with one decimal, for the report lines. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Prints a scenario's measured line for the campaign's report. */
export function report(line: string): void {
  console.log(`faults: ${line}`);
}

/**
 * Runs `scenario` on the four local validators (and followers), joined by
 * proxies, once every node has finalized block #3.
 */
export async function withCluster(
  init: ScenarioInit,
  scenario: (cluster: Cluster, watch: FinalityWatch) => Promise<void>,
): Promise<void> {
  const specDir = await Deno.makeTempDir({ prefix: "sutantra-faults-spec-" });
  let cluster: Cluster | undefined;
  let watch: FinalityWatch | undefined;
  try {
    const chain = await fastSpec(specDir, { preset: "local", slotMs: init.slotMs });
    cluster = await Cluster.create({ ...init, chain, validators: VALIDATORS });
    const validators = VALIDATORS.map((_, i) => i);
    if (init.startFollowers === false) await Promise.all(validators.map((i) => cluster!.start(i)));
    else await cluster.startAll();
    await allFinalize(cluster, 3, "finality to reach #3 everywhere");
    watch = new FinalityWatch(cluster);
    await scenario(cluster, watch);
    await watch.stop();
    await watch.assertNoFinalizedLost();
    await assertNoConflict(cluster.live.map((m) => m.process!));
  } catch (e) {
    if (cluster) console.error(await cluster.tails());
    throw e;
  } finally {
    await watch?.stop();
    await cluster?.stop();
    await Deno.remove(specDir, { recursive: true });
  }
}

/** Waits until every live node has finalized block `number` or above; throws after `ms`. */
export function allFinalize(
  cluster: Cluster,
  number: number,
  what: string,
  ms = RESUME_BOUND_MS,
): Promise<true> {
  return until(what, async () => {
    const all = await Promise.all(cluster.live.map((m) => heads(m.process!)));
    return all.every((h) => h.finalized >= number) ? true : undefined;
  }, ms);
}

/** The highest best block among the live nodes. */
export async function highestBest(cluster: Cluster): Promise<number> {
  const all = await Promise.all(cluster.live.map((m) => heads(m.process!)));
  return Math.max(...all.map((h) => h.best));
}

/** The highest finalized block among the live nodes. */
export async function highestFinalized(cluster: Cluster): Promise<number> {
  const all = await Promise.all(cluster.live.map((m) => heads(m.process!)));
  return Math.max(...all.map((h) => h.finalized));
}

/**
 * Once a fault stopped: how long (ms) until every live node finalized the
 * highest block any of them had made or imported when it stopped. Fails
 * past {@link RESUME_BOUND_MS}.
 */
export async function recovery(cluster: Cluster, what: string): Promise<number> {
  const stopped = Date.now();
  const target = await highestBest(cluster);
  await allFinalize(cluster, target, `finality to reach #${target} on every node after ${what}`);
  return Date.now() - stopped;
}
