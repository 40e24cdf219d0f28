/**
 * The one rule for a payer that falls behind: warned once its payments are a
 * second behind what it owes, cut off once they are `graceSeconds` behind.
 *
 * @module
 */
import type { ViewerPort } from "../relay.ts";

/** Warns and cuts off one session by its lag. */
export class ArrearsGuard {
  readonly #port: ViewerPort;
  readonly #graceSeconds: number;
  #warned = false;
  #cut = false;

  constructor(port: ViewerPort, graceSeconds: number) {
    this.#port = port;
    this.#graceSeconds = graceSeconds;
  }

  /** Whether the session was cut off. */
  get cut(): boolean {
    return this.#cut;
  }

  /** Acts on a lag of `lagMs` behind what is owed; `shortfall` says what is missing. */
  check(lagMs: number, shortfall: () => string): void {
    if (this.#cut) return;
    const graceMs = this.#graceSeconds * 1000;
    if (lagMs >= graceMs) {
      this.#cut = true;
      const reason = `${shortfall()}, more than ${this.#graceSeconds} s behind`;
      this.#port.send({ type: "cutoff", reason });
      this.#port.cutOff(reason);
    } else if (lagMs >= 1000 && !this.#warned) {
      this.#warned = true;
      const cutoffIn = Math.ceil((graceMs - lagMs) / 1000);
      this.#port.send({ type: "warning", reason: shortfall(), cutoffIn });
    } else if (lagMs <= 0) {
      this.#warned = false;
    }
  }
}
