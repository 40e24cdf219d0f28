/**
 * Caps on the relay's sessions: per account, per client IP address and in
 * all, so that one key or one host cannot take every seat of a node.
 *
 * A seat is taken when a request arrives, before its offer is negotiated
 * (a burst of slow requests counts at once), and given back when the
 * request fails or its session ends. Relay pulls (node to node) are not
 * capped per account: a relay may pull as many streams as it carries.
 * Loopback clients are not capped per IP unless `capLoopback` says so (a
 * node's own tools, tests and benchmarks run there).
 *
 * @module
 */
import { isLoopback } from "../rpc/mod.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import { RelayError } from "./relay.ts";
import type { TokenRole } from "../../client/relay/token.ts";

/** How many sessions a relay admits. */
export interface SessionCapsInit {
  /** Sessions of one account (publishing and watching). */
  perAccount: number;
  /** Sessions from one client IP address. */
  perIp: number;
  /** Sessions in all. */
  total: number;
  /** Whether loopback clients are capped per IP too. */
  capLoopback?: boolean;
}

/** The defaults: 4 per account, 32 per IP, 1,000 in all. */
export const DEFAULT_SESSION_CAPS: SessionCapsInit = { perAccount: 4, perIp: 32, total: 1_000 };

/** A seat taken: give it back once, when its request failed or its session ended. */
export interface Seat {
  release(): void;
}

/** Counts the seats taken, and refuses one past a cap. */
export class SessionCaps {
  readonly #init: SessionCapsInit;
  readonly #perAccount = new Map<string, number>();
  readonly #perIp = new Map<string, number>();
  #total = 0;

  constructor(init: SessionCapsInit = DEFAULT_SESSION_CAPS) {
    this.#init = init;
  }

  /** Seats taken now. */
  get taken(): number {
    return this.#total;
  }

  /**
   * Takes a seat for `account` (in `role`) from `address`.
   *
   * @throws {RelayError} 429 past the account's or the address's cap, 503 when the relay is full
   */
  admit(account: Uint8Array, role: TokenRole, address: string): Seat {
    const { perAccount, perIp, total, capLoopback } = this.#init;
    if (this.#total >= total) {
      throw new RelayError(503, `the relay is full (${total} sessions)`, { "retry-after": "10" });
    }
    const accountKey = role === "relay" ? undefined : toHexRaw(account);
    if (accountKey !== undefined && (this.#perAccount.get(accountKey) ?? 0) >= perAccount) {
      throw new RelayError(
        429,
        `this account has ${perAccount} sessions here already: end one first`,
        { "retry-after": "5" },
      );
    }
    const ipKey = address && (capLoopback || !isLoopback(address)) ? address : undefined;
    if (ipKey !== undefined && (this.#perIp.get(ipKey) ?? 0) >= perIp) {
      throw new RelayError(429, `${perIp} sessions from ${address} already`, {
        "retry-after": "5",
      });
    }
    this.#total++;
    if (accountKey !== undefined) bump(this.#perAccount, accountKey, 1);
    if (ipKey !== undefined) bump(this.#perIp, ipKey, 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#total--;
        if (accountKey !== undefined) bump(this.#perAccount, accountKey, -1);
        if (ipKey !== undefined) bump(this.#perIp, ipKey, -1);
      },
    };
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const count = (counts.get(key) ?? 0) + by;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}
