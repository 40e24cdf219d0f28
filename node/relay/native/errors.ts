/**
 * Why the media workers refused a request, as the node sees it: a worker's
 * own code, or the supervisor's, with the HTTP status the node answers it
 * with. No addon: the node imports it.
 *
 * @module
 */
import type { WorkerErrorCode } from "./protocol.ts";

/** Why the supervisor refused: a worker's code, `full`, or `worker-gone`. */
export type MediaWorkerErrorCode = WorkerErrorCode | "full" | "worker-gone";

/** A refused request, with the HTTP status the node answers it with. */
export class MediaWorkerError extends Error {
  override name = "MediaWorkerError";
  constructor(
    readonly code: MediaWorkerErrorCode,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  /**
   * 400 bad offer or request, 404 no session, 409 no source yet (or, to a
   * pull, a publisher here), 502 a carrier's bad answer, 503 overloaded or full.
   */
  get status(): number {
    const statuses: Record<MediaWorkerErrorCode, number> = {
      "bad-offer": 400,
      "bad-request": 400,
      "no-session": 404,
      "no-source": 409,
      "session-exists": 409,
      "has-publisher": 409,
      "bad-answer": 502,
      overloaded: 503,
      full: 503,
      "worker-gone": 503,
    };
    return statuses[this.code];
  }
}
