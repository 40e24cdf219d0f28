/**
 * What each peer may ask of this node when it serves blocks: token buckets
 * of requests and of response bytes, and a cap on requests served at once.
 * Pure bookkeeping with an injected clock; sync refuses and reports.
 *
 * @module
 */

/** Limits on what one peer may ask, each sustained rate with the burst a quiet peer may spend at once. */
export interface ServeLimits {
  requestsPerSecond: number;
  requestBurst: number;
  /** Response bytes per second. */
  bytesPerSecond: number;
  byteBurst: number;
  /** Requests of one peer being served at the same time. */
  concurrent: number;
}

/**
 * The limits a node serves blocks under. An honest peer keeps one range
 * request open at a time (128 blocks each, more than the importer takes in
 * a second: about 870 empty blocks/s measured), plus now and then a block
 * by hash or the justifications a vote shows it lacks; so 10 requests/s
 * (20 at once) and 4 at the same time are never reached by sync, while a
 * flood is refused after a fraction of a second. Response bytes: one
 * largest response (the network's 16 MiB limit) from a full bucket, then
 * 4 MiB/s (32 Mbit/s): 5 MiB blocks still sync five times faster than 6 s
 * slots make them, and a handful of greedy peers cannot take the uplink.
 */
export const DEFAULT_SERVE_LIMITS: Readonly<ServeLimits> = {
  requestsPerSecond: 10,
  requestBurst: 20,
  bytesPerSecond: 4 * 1024 * 1024,
  byteBurst: 16 * 1024 * 1024,
  concurrent: 4,
};

interface Budget {
  requests: number;
  bytes: number;
  inFlight: number;
  at: number;
}

/**
 * Budgets beyond this many peers are swept of those back at full (a new one
 * is the same). Not forgotten on disconnect: reconnecting must not refill.
 */
const SWEEP_ABOVE = 1024;

/**
 * Per-peer budgets.
 *
 * @example
 * ```ts
 * import { ServeBudgets } from "./_budget.ts";
 * const budgets = new ServeBudgets({ requestBurst: 1 });
 * console.assert(budgets.admit("peer") === undefined);
 * budgets.done("peer", 100);
 * console.assert(budgets.admit("peer")?.startsWith("over budget"));
 * ```
 */
export class ServeBudgets {
  readonly limits: Readonly<ServeLimits>;
  readonly #now: () => number;
  readonly #budgets = new Map<string, Budget>();

  constructor(limits: Partial<ServeLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...DEFAULT_SERVE_LIMITS, ...limits };
    this.#now = now;
  }

  /**
   * Takes one request from `peer`'s budget. Returns why it is refused, or
   * `undefined` when it is admitted: then call {@link done} when it is served.
   */
  admit(peer: string): string | undefined {
    const budget = this.#refilled(peer);
    const l = this.limits;
    if (budget.inFlight >= l.concurrent) {
      return `over budget: more than ${l.concurrent} requests at once`;
    }
    if (budget.requests < 1) {
      return `over budget: more than ${l.requestsPerSecond} requests per second`;
    }
    // A bucket in debt after a large response refuses until it has refilled.
    if (budget.bytes <= 0) {
      return `over budget: more than ${l.bytesPerSecond} response bytes per second`;
    }
    budget.requests -= 1;
    budget.inFlight += 1;
    return undefined;
  }

  /** An admitted request was served with `bytes` of response (0 when it failed). */
  done(peer: string, bytes: number): void {
    const budget = this.#refilled(peer);
    budget.inFlight = Math.max(0, budget.inFlight - 1);
    budget.bytes -= bytes;
  }

  #refilled(peer: string): Budget {
    const now = this.#now();
    const l = this.limits;
    let budget = this.#budgets.get(peer);
    if (!budget) {
      if (this.#budgets.size >= SWEEP_ABOVE) this.#sweep();
      budget = { requests: l.requestBurst, bytes: l.byteBurst, inFlight: 0, at: now };
      this.#budgets.set(peer, budget);
    }
    const seconds = Math.max(0, now - budget.at) / 1000;
    budget.requests = Math.min(l.requestBurst, budget.requests + seconds * l.requestsPerSecond);
    budget.bytes = Math.min(l.byteBurst, budget.bytes + seconds * l.bytesPerSecond);
    budget.at = now;
    return budget;
  }

  /** Drops budgets that have refilled and serve nothing: forgetting them changes nothing. */
  #sweep(): void {
    for (const [peer] of this.#budgets) {
      const budget = this.#refilled(peer);
      const full = budget.requests >= this.limits.requestBurst &&
        budget.bytes >= this.limits.byteBurst;
      if (full && budget.inFlight === 0) this.#budgets.delete(peer);
    }
  }
}
