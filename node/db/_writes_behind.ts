/**
 * Block writes that go on behind the import, so that executing the next
 * block does not wait for LevelDB to write the last one.
 *
 * @module
 */

/**
 * A queue of writes run one after another, in the order given (LevelDB sees
 * them in that order), while the caller goes on. At most `limit` wait at
 * once: past it, {@link push} waits for the oldest. After a write fails no
 * later one runs, since later blocks build on the block the disk lacks, and
 * {@link check} throws the failure.
 *
 * @example
 * ```ts
 * import { WritesBehind } from "./_writes_behind.ts";
 *
 * const written: number[] = [];
 * const writes = new WritesBehind(2);
 * for (const n of [1, 2, 3]) await writes.push(async () => void written.push(n), () => {});
 * await writes.drain();
 * if (written.join() !== "1,2,3") throw new Error("in order");
 * ```
 */
export class WritesBehind {
  readonly #limit: number;
  /** The writes not yet settled, oldest first. */
  readonly #waiting: Promise<void>[] = [];
  /** Settles once every write pushed so far has settled; never rejects. */
  #tail: Promise<void> = Promise.resolve();
  #failure?: Error;

  /** A queue of at most `limit` waiting writes. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Queues `write` to run once the writes before it have; `settled` is told
   * when it has landed (with no argument) or failed (with the error). Resolves
   * once fewer than `limit` writes wait: at once, unless the disk falls behind.
   */
  async push(write: () => Promise<void>, settled: (error?: unknown) => void): Promise<void> {
    const done = this.#tail
      .then(() => {
        if (this.#failure) throw this.#failure;
        return write();
      })
      .then(() => settled(), (error) => {
        this.#failure ??= new Error(`A block write failed: ${error?.message ?? error}`, {
          cause: error,
        });
        settled(error);
      })
      .finally(() => {
        this.#waiting.shift();
      });
    this.#tail = done;
    this.#waiting.push(done);
    while (this.#waiting.length > this.#limit) await this.#waiting[0];
  }

  /** Resolves once every queued write has settled, landed or not. */
  settled(): Promise<void> {
    return this.#tail;
  }

  /**
   * Resolves once every queued write has landed.
   *
   * @throws {Error} "A block write failed: ..." when one did not
   */
  async drain(): Promise<void> {
    await this.#tail;
    this.check();
  }

  /**
   * Throws if a write has failed: the database no longer has every block
   * it was given.
   */
  check(): void {
    if (this.#failure) throw this.#failure;
  }
}
