/**
 * What happens in one simulated run, drawn from a seed: how many voters and
 * how many of them Byzantine (and how), how lossy and slow the network is
 * until it turns synchronous, which partitions split it and when they heal,
 * and which honest voters crash and when they restart.
 *
 * @module
 */
import { Random } from "./random.ts";

/** How a Byzantine voter misbehaves. */
export type Misbehaviour =
  /** Silent: never votes, authors or answers. (Every other Byzantine author forks in its slots.) */
  | "withhold"
  /** Votes as an honest voter would, but signs a conflicting vote for every one and splits them between peers. */
  | "equivocate"
  /** Sends votes for random blocks, conflicting ones, claims to be rounds ahead and answers catch-ups with what it made up. */
  | "random";

/** A split of the network into groups that cannot reach each other. */
export interface Partition {
  from: number;
  until: number;
  groups: number[][];
}

/** A crash of an honest voter, `cut` actions into its next batch at or after `at`. */
export interface Crash {
  node: number;
  at: number;
  cut: number;
  restartAt: number;
}

/** One run. Times are in ms of simulated time. */
export interface Scenario {
  seed: number;
  voters: number;
  /** Byzantine voters: the last `byzantine` nodes. */
  byzantine: number;
  misbehaviour: Misbehaviour;
  gossipMs: number;
  slotMs: number;
  /** Until this time the network loses, delays and splits messages; afterwards every message arrives within `gossipMs`. */
  gst: number;
  /** How long the run goes on after `gst`. */
  afterGstMs: number;
  loss: number;
  maxDelayMs: number;
  partitions: Partition[];
  crashes: Crash[];
  /**
   * Who is connected to whom (each node's neighbours): a full mesh, a star
   * around an honest hub, or a sparse graph whose honest nodes are
   * connected among themselves. Messages travel link by link, relayed only
   * by nodes that accept them, as gossip does.
   */
  links: number[][];
}

/** Limits of scenarios drawn from seeds. */
export interface ScenarioLimits {
  minVoters?: number;
  maxVoters?: number;
}

/**
 * The scenario of `seed`: everything in it follows from the seed.
 *
 * @example
 * ```ts
 * import { scenarioOf } from "./scenario.ts";
 * const a = scenarioOf(42);
 * if (JSON.stringify(a) !== JSON.stringify(scenarioOf(42))) throw new Error();
 * if (3 * a.byzantine >= a.voters) throw new Error();
 * ```
 */
export function scenarioOf(seed: number, limits: ScenarioLimits = {}): Scenario {
  const random = new Random(seed);
  const gossipMs = 100;
  const voters = random.int(limits.minVoters ?? 1, limits.maxVoters ?? 7);
  const byzantine = random.int(0, Math.floor((voters - 1) / 3));
  const honest = voters - byzantine;
  const gst = random.int(0, 80) * gossipMs;
  const partitions: Partition[] = [];
  for (let i = random.int(0, 2); i > 0 && gst > 0 && voters > 1; i--) {
    const from = random.int(0, gst);
    const until = random.int(from, gst);
    const order = random.shuffle([...Array(voters).keys()]);
    const cut = random.int(1, voters - 1);
    partitions.push({ from, until, groups: [order.slice(0, cut), order.slice(cut)] });
  }
  const crashes: Crash[] = [];
  for (let i = random.int(0, 3); i > 0 && gst > 0; i--) {
    const node = random.int(0, honest - 1);
    const at = random.int(0, gst);
    crashes.push({ node, at, cut: random.int(0, 6), restartAt: random.int(at, gst) });
  }
  return {
    seed,
    voters,
    links: linksOf(random, voters, honest),
    byzantine,
    misbehaviour: random.pick(["withhold", "equivocate", "random"] as const),
    gossipMs,
    slotMs: random.int(2, 6) * gossipMs,
    gst,
    afterGstMs: 100 * gossipMs,
    loss: random.pick([0, 0.05, 0.2, 0.5]),
    maxDelayMs: random.int(1, 8) * gossipMs,
    partitions,
    crashes,
  };
}

/** A full mesh, a star around node 0 (honest), or a sparse graph connected among the honest. */
function linksOf(random: Random, voters: number, honest: number): number[][] {
  const links = [...Array(voters)].map(() => new Set<number>());
  const link = (a: number, b: number) => {
    if (a === b) return;
    links[a].add(b);
    links[b].add(a);
  };
  const shape = random.pick(["mesh", "mesh", "star", "sparse"] as const);
  for (let a = 0; a < voters; a++) {
    for (let b = a + 1; b < voters; b++) {
      if (shape === "mesh") link(a, b);
      else if (shape === "star" && a === 0) link(a, b);
      else if (shape === "sparse" && random.chance(0.2)) link(a, b);
    }
  }
  if (shape === "sparse") {
    // A random tree over the honest nodes keeps them connected; every other node hangs on one.
    for (let a = 1; a < voters; a++) link(a, random.int(0, Math.min(a, honest) - 1));
  }
  return links.map((set) => [...set].sort((a, b) => a - b));
}
