/**
 * How late the event loop runs: a timer due every {@link LAG_TICK_MS} notes
 * how far past its time it fired. A media worker whose loop lags is behind
 * on packets (node-datachannel queues them for the JS thread without limit),
 * so it sheds load instead of taking more.
 *
 * @module
 */

/** How often the loop is sampled. */
export const LAG_TICK_MS = 20;

/** Samples the event loop's lag until stopped. */
export class LoopLag {
  #worst = 0;
  #due = performance.now() + LAG_TICK_MS;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** Starts sampling. */
  constructor() {
    this.#schedule();
  }

  /** The worst lag since the last call, milliseconds; the next window starts. */
  take(): number {
    const worst = this.#worst;
    this.#worst = 0;
    return worst;
  }

  /**
   * How far past its time the pending sample is, milliseconds, now: while a
   * backlog of callbacks runs, the timer cannot, and this grows.
   */
  behind(): number {
    return performance.now() - this.#due;
  }

  /** Stops sampling. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#due = performance.now() + LAG_TICK_MS;
    this.#timer = setTimeout(() => {
      this.#worst = Math.max(this.#worst, performance.now() - this.#due);
      this.#schedule();
    }, LAG_TICK_MS);
  }
}
