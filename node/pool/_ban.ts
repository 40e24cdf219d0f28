/**
 * Hashes refused for a while (Substrate's `PoolRotator`): a transaction
 * found invalid, dropped by the limits or just included is not taken back
 * at once, so a peer gossiping it again costs one map lookup, not a
 * signature check.
 *
 * @module
 */

/** Hashes (hex) banned until a time on the pool's clock. */
export class BanList {
  #until = new Map<string, number>();

  constructor(readonly banMs: number, readonly now: () => number) {}

  /** Bans `key` for `banMs` from now. */
  ban(key: string): void {
    this.#until.set(key, this.now() + this.banMs);
  }

  /** Lifts a ban (a retracted transaction may come back). */
  unban(key: string): void {
    this.#until.delete(key);
  }

  /** Whether `key` is banned now. */
  isBanned(key: string): boolean {
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.#until.delete(key);
    return false;
  }

  /** Forgets expired bans; the pool calls this once per block so the list cannot grow forever. */
  sweep(): void {
    const now = this.now();
    for (const [key, until] of this.#until) if (now >= until) this.#until.delete(key);
  }
}
