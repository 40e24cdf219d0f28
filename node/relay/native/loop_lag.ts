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

/** How late the loop ran over a window, milliseconds. */
export interface LagWindow {
  /** The latest sample: one stall (a collection, the machine busy elsewhere) shows here. */
  worst: number;
  /**
   * The 90th percentile of the samples: a loop that falls behind on its work
   * is late at nearly every sample, a single stall at one or two.
   */
  sustained: number;
}

/** Samples the event loop's lag until stopped. */
export class LoopLag {
  #samples: number[] = [];
  #due = performance.now() + LAG_TICK_MS;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** Starts sampling. */
  constructor() {
    this.#schedule();
  }

  /** The lag since the last call; the next window starts. */
  take(): LagWindow {
    const samples = this.#samples.sort((a, b) => a - b);
    this.#samples = [];
    if (samples.length === 0) return { worst: 0, sustained: 0 };
    return {
      worst: samples[samples.length - 1],
      sustained: samples[Math.floor(0.9 * (samples.length - 1))],
    };
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
      this.#samples.push(performance.now() - this.#due);
      this.#schedule();
    }, LAG_TICK_MS);
  }
}
