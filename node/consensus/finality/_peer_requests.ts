/**
 * Whom the voter asks for catch-ups and reports as ahead, and when: one
 * catch-up request at a time; a peer that did not answer is asked after
 * others for a while, one that lied for long; a peer ahead is reported once
 * an interval. Bounded: the oldest peers are forgotten first.
 *
 * @module
 */

import { BoundedMap } from "../../bounded_map.ts";

/** Peers remembered per purpose, at most. */
const PEERS_KEPT = 1024;

/** The voter's requests to its peers. */
export class PeerRequests {
  readonly #timeoutMs: number;
  readonly #aheadIntervalMs: number;
  #pending?: { peer: string; at: number };
  /** Peers not to ask again until the time given. */
  readonly #shunned = new BoundedMap<string, number>(PEERS_KEPT);
  /** When each peer was last reported ahead. */
  readonly #reported = new BoundedMap<string, number>(PEERS_KEPT);

  constructor(timing: { catchUpTimeoutMs: number; behindIntervalMs: number }) {
    this.#timeoutMs = timing.catchUpTimeoutMs;
    this.#aheadIntervalMs = timing.behindIntervalMs;
  }

  /** Whether `peer`, ahead of us, is to be reported now (once an interval). */
  reportAhead(peer: string, now: number): boolean {
    if (now - (this.#reported.get(peer) ?? -Infinity) < this.#aheadIntervalMs) return false;
    this.#reported.set(peer, now);
    return true;
  }

  /**
   * Whether to ask `peer` for a catch-up now; if so, the request is noted.
   * A request left unanswered past the timeout is let go, and its peer asked
   * after others for one timeout (the answer may just have been lost).
   */
  mayAsk(peer: string, now: number): boolean {
    const pending = this.#pending;
    if (pending && now - pending.at < this.#timeoutMs) return false;
    if (pending) {
      this.#pending = undefined;
      this.#shunned.set(pending.peer, now + this.#timeoutMs);
    }
    if ((this.#shunned.get(peer) ?? -Infinity) > now) return false;
    this.#pending = { peer, at: now };
    return true;
  }

  /** `peer` answered (or said it had nothing to give): the request is over. */
  answered(peer: string): void {
    if (this.#pending?.peer === peer) this.#pending = undefined;
  }

  /** `peer`'s catch-up proved nothing it claimed: it is not asked again for long. */
  lied(peer: string, now: number): void {
    this.answered(peer);
    this.#shunned.set(peer, now + 10 * this.#timeoutMs);
  }
}
