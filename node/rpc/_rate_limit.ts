/**
 * Call budgets for `--rpc-rate-limit`: so many calls a minute per WebSocket
 * connection, or per client address over HTTP.
 *
 * @module
 */
import { BoundedMap } from "../bounded_map.ts";

const MINUTE_MS = 60_000;

/**
 * A token bucket, as Substrate's `governor` quota: `perMinute` calls may come
 * at once, and the budget refills evenly at `perMinute` calls a minute.
 *
 * @example
 * ```ts
 * import { CallBudget } from "./_rate_limit.ts";
 *
 * let now = 0;
 * const budget = new CallBudget(2, () => now);
 * if (!budget.take() || !budget.take() || budget.take()) throw new Error("two at once");
 * now += 30_000; // half a minute gives one call back
 * if (!budget.take() || budget.take()) throw new Error("one more");
 * ```
 */
export class CallBudget {
  readonly #perMinute: number;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;

  /** A full budget of `perMinute` calls; `now` is the clock in milliseconds. */
  constructor(perMinute: number, now: () => number = Date.now) {
    this.#perMinute = perMinute;
    this.#now = now;
    this.#tokens = perMinute;
    this.#refilledAt = now();
  }

  /** The calls a minute this budget allows. */
  get perMinute(): number {
    return this.#perMinute;
  }

  /** Takes one call from the budget; `false` (and nothing taken) when it is spent. */
  take(): boolean {
    const now = this.#now();
    const refill = (now - this.#refilledAt) * this.#perMinute / MINUTE_MS;
    this.#tokens = Math.min(this.#perMinute, this.#tokens + refill);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** How many HTTP client addresses keep their own budget; the least recently seen is forgotten. */
const REMEMBERED_ADDRESSES = 10_000;

/** One budget per client address, so HTTP clients are limited as WebSocket connections are. */
export class AddressBudgets {
  readonly #budgets = new BoundedMap<string, CallBudget>(REMEMBERED_ADDRESSES);

  constructor(private readonly perMinute: number) {}

  /** The budget of `address`, a full one for an address not seen lately. */
  of(address: string): CallBudget {
    const budget = this.#budgets.get(address) ?? new CallBudget(this.perMinute);
    this.#budgets.set(address, budget);
    return budget;
  }
}
