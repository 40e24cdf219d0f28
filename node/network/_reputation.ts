/**
 * Peer scores: reports lower a score that decays back towards zero; a score
 * below the threshold bans the peer for a while. Pure bookkeeping with an
 * injected clock; the network acts on the verdicts.
 *
 * @module
 */

/** Tuning of peer reputation. */
export interface ReputationInit {
  /** A peer whose score falls below this is banned. Default -100. */
  banThreshold?: number;
  /** How long a ban lasts. Default 5 minutes. */
  banMs?: number;
  /** Time for a score to decay halfway back to zero. Default 1 minute. */
  halfLifeMs?: number;
}

interface Entry {
  score: number;
  at: number;
}

/** Scores and bans of peers, by peer id. */
export class Reputation {
  readonly banThreshold: number;
  readonly banMs: number;
  readonly #halfLifeMs: number;
  readonly #scores = new Map<string, Entry>();
  readonly #bans = new Map<string, number>();

  constructor(init: ReputationInit = {}, readonly now: () => number = Date.now) {
    this.banThreshold = init.banThreshold ?? -100;
    this.banMs = init.banMs ?? 5 * 60_000;
    this.#halfLifeMs = init.halfLifeMs ?? 60_000;
  }

  /** The decayed score of a peer (0 when unknown). */
  score(peerId: string): number {
    const entry = this.#scores.get(peerId);
    if (entry === undefined) return 0;
    const elapsed = this.now() - entry.at;
    return entry.score * 0.5 ** (elapsed / this.#halfLifeMs);
  }

  /** Lowers the score by `penalty` (a negative penalty raises it); true when this bans the peer. */
  report(peerId: string, penalty: number): boolean {
    const score = this.score(peerId) - penalty;
    if (score >= this.banThreshold) {
      this.#scores.set(peerId, { score, at: this.now() });
      return false;
    }
    this.ban(peerId);
    return true;
  }

  /** Bans a peer for the ban period and forgets its score. */
  ban(peerId: string, ms = this.banMs): void {
    this.#scores.delete(peerId);
    this.#bans.set(peerId, this.now() + ms);
  }

  /** Whether the peer is banned now. */
  isBanned(peerId: string): boolean {
    const until = this.#bans.get(peerId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.#bans.delete(peerId);
    return false;
  }
}
