/**
 * Whether a stream's publisher is sending, as the node says after asking
 * the stream's carriers (`GET /relay/live/{stream}`), and a poll that asks
 * again with a growing pause while the stream is offline (1, 2, 4, 8 s) and
 * every few seconds once it is live (to see the creator leave).
 *
 * @module
 */
import type { StreamLiveness } from "../../client/relay/answers.ts";

export type { StreamLiveness };

/** The pause before the first check after an offline answer, doubling up to {@link MAX_PAUSE_MS}. */
export const FIRST_PAUSE_MS = 1_000;
/** The longest pause between two checks while offline. */
export const MAX_PAUSE_MS = 8_000;
/** The pause between two checks while live. */
export const LIVE_PAUSE_MS = 5_000;

/**
 * The node at `origin`'s answer for `stream`.
 *
 * @throws {Error} when the node does not answer it
 */
export async function fetchLiveness(origin: string, stream: number): Promise<StreamLiveness> {
  const response = await fetch(`${origin}/relay/live/${stream}`);
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`the node does not say whether stream #${stream} is live (${response.status})`);
  }
  return await response.json() as StreamLiveness;
}

/**
 * The pause after an answer: doubling from {@link FIRST_PAUSE_MS} while
 * offline (`offlineRun` answers in a row), {@link LIVE_PAUSE_MS} once live.
 *
 * @example
 * ```ts
 * import { pauseAfter } from "./liveness.ts";
 * console.assert([1, 2, 3, 4, 5].map((n) => pauseAfter(false, n)).join() === "1000,2000,4000,8000,8000");
 * console.assert(pauseAfter(true, 0) === 5000);
 * ```
 */
export function pauseAfter(publishing: boolean, offlineRun: number): number {
  if (publishing) return LIVE_PAUSE_MS;
  return Math.min(FIRST_PAUSE_MS * 2 ** Math.max(0, offlineRun - 1), MAX_PAUSE_MS);
}

/** Asks whether a stream is live, again and again, until stopped. */
export class LivenessPoll {
  readonly #check: () => Promise<StreamLiveness>;
  readonly #answered: (answer: StreamLiveness | Error) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #offlineRun = 0;
  #stopped = false;
  #generation = 0;

  /** Polls with `check`; `answered` hears every answer (or why there was none). */
  constructor(
    check: () => Promise<StreamLiveness>,
    answered: (answer: StreamLiveness | Error) => void,
  ) {
    this.#check = check;
    this.#answered = answered;
  }

  /** Checks now (the pause starts over), then goes on polling; resolves with this answer. */
  async now(): Promise<StreamLiveness | Error> {
    this.#stopped = false;
    clearTimeout(this.#timer);
    const generation = ++this.#generation;
    const answer = await this.#check().catch((e) => e instanceof Error ? e : new Error(String(e)));
    if (this.#stopped || generation !== this.#generation) return answer;
    const publishing = !(answer instanceof Error) && answer.publishing;
    this.#offlineRun = publishing ? 0 : this.#offlineRun + 1;
    this.#answered(answer);
    this.#timer = setTimeout(() => void this.now(), pauseAfter(publishing, this.#offlineRun));
    return answer;
  }

  /** Stops polling. */
  stop(): void {
    this.#stopped = true;
    this.#generation++;
    clearTimeout(this.#timer);
  }
}
