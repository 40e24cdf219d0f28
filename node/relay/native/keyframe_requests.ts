/**
 * Keyframe requests towards one publisher, merged as the werift hub merges
 * them (`media/hub.ts`): viewers joining and viewers' PLI or FIR reach the
 * publisher at most once per {@link KEYFRAME_MERGE_MS}, none is dropped
 * (one arriving inside the gap goes out at its end), and the request is
 * repeated every {@link KEYFRAME_REPEAT_MS} while a viewer still waits.
 *
 * @module
 */

/** Keyframe requests closer together than this are merged into one. */
export const KEYFRAME_MERGE_MS = 300;

/** While a viewer waits for a keyframe, the request is repeated this often. */
export const KEYFRAME_REPEAT_MS = 600;

/** Merges keyframe requests for one publisher. */
export class KeyframeRequests {
  readonly #send: () => void;
  readonly #waiting: () => boolean;
  #last = -Infinity;
  #pending?: ReturnType<typeof setTimeout>;
  #repeat?: ReturnType<typeof setInterval>;

  /**
   * `send` asks the publisher (a PLI); `waiting` says whether a viewer still
   * waits for a keyframe.
   */
  constructor(send: () => void, waiting: () => boolean) {
    this.#send = send;
    this.#waiting = waiting;
  }

  /** Asks for a keyframe now, or at the end of the merge gap. */
  request(): void {
    this.#repeatWhileWaiting();
    if (this.#pending) return;
    const wait = this.#last + KEYFRAME_MERGE_MS - performance.now();
    if (wait <= 0) this.#fire();
    else this.#pending = setTimeout(() => this.#fire(), wait);
  }

  /** Stops the timers. */
  stop(): void {
    clearTimeout(this.#pending);
    clearInterval(this.#repeat);
    this.#pending = this.#repeat = undefined;
  }

  #fire(): void {
    this.#pending = undefined;
    this.#last = performance.now();
    this.#send();
  }

  #repeatWhileWaiting(): void {
    if (this.#repeat) return;
    this.#repeat = setInterval(() => {
      if (this.#waiting()) return this.request();
      clearInterval(this.#repeat);
      this.#repeat = undefined;
    }, KEYFRAME_REPEAT_MS);
  }
}
