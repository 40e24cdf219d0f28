/**
 * Running an `archive_v1_storage` or `archive_v1_storageDiff` query as its
 * subscription: the events it yields, then its done event, or its error
 * event; a node-wide bound on how many run at once; and pauses so that a
 * long query never holds the node for long.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../../rpc/mod.ts";

/** Longest stretch of work between two pauses. */
const SLICE_MS = 10;

/** The names a query's last event takes. */
export interface QueryEnd {
  done: string;
  error: string;
}

/** How many archive queries run at once, node-wide (the spec asks servers for a global bound). */
export class QuerySlots {
  #running = 0;

  /** Bounds running queries to `max`. */
  constructor(readonly max: number) {}

  /**
   * Runs a query as its subscription: `produce` finds what to read (it may
   * throw, e.g. for an unknown block) and yields the events; a `null`
   * event sends nothing but is a point to pause at.
   *
   * @returns the function that stops it
   * @throws {RpcError} when `max` queries are already running
   */
  run(
    produce: () => Promise<Iterable<object | null>>,
    end: QueryEnd,
    emit: (event: unknown) => void,
    close: () => void,
  ): () => void {
    if (this.#running >= this.max) {
      throw new RpcError(
        ErrorCode.TooManySubscriptions,
        `Too many archive storage queries running: the limit is ${this.max}`,
      );
    }
    this.#running++;
    let stopped = false;
    const work = async () => {
      let since = performance.now();
      for (const event of await produce()) {
        if (stopped) return;
        if (event !== null) emit(event);
        if (performance.now() - since > SLICE_MS) {
          // A macrotask, so the node serves others (and a stop arrives) in between.
          await new Promise((resolve) => setTimeout(resolve, 0));
          since = performance.now();
        }
      }
      if (!stopped) emit({ event: end.done });
    };
    // Started a macrotask later, so the subscribe call is answered before any read.
    setTimeout(() => {
      work().catch((e) => {
        // As chainHead's operationError: the message says why (an unknown
        // block, a fork's state discarded by finality under the read).
        if (!stopped) emit({ event: end.error, error: String((e as Error)?.message ?? e) });
      }).finally(() => {
        this.#running--;
        if (!stopped) close();
      });
    }, 0);
    return () => stopped = true;
  }
}
