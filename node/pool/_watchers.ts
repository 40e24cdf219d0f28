/**
 * Status listeners per transaction. Statuses are queued while the pool
 * changes and delivered once it is consistent again, so a listener may call
 * back into the pool.
 *
 * @module
 */
import { isTerminal, type TxStatus, type TxStatusListener } from "./status.ts";

/** Listeners by transaction key (hex hash), with a delivery queue. */
export class Watchers {
  #listeners = new Map<string, Set<TxStatusListener>>();
  /** Statuses to deliver: to every watcher of a key, or only to one (a replay). */
  #queue: [string, TxStatus, TxStatusListener?][] = [];
  #flushing = false;

  /** Adds a watcher that first hears `replay` (the story so far), alone. */
  add(key: string, listener: TxStatusListener, replay: TxStatus[] = []): () => void {
    for (const status of replay) this.#queue.push([key, status, listener]);
    let set = this.#listeners.get(key);
    if (!set) this.#listeners.set(key, set = new Set());
    set.add(listener);
    return () => {
      const current = this.#listeners.get(key);
      current?.delete(listener);
      if (current?.size === 0) this.#listeners.delete(key);
    };
  }

  /** Queues `status` for the watchers of `key` (nothing if there are none). */
  emit(key: string, status: TxStatus): void {
    if (this.#listeners.has(key)) this.#queue.push([key, status]);
  }

  /** Delivers queued statuses; a terminal one ends the watch. */
  flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        const [key, status, only] = next;
        const set = this.#listeners.get(key);
        if (!set || (only && !set.has(only))) continue;
        if (only) {
          if (isTerminal(status)) set.delete(only);
          if (set.size === 0) this.#listeners.delete(key);
        } else if (isTerminal(status)) this.#listeners.delete(key);
        for (const listener of only ? [only] : [...set]) {
          try {
            listener(status);
          } catch {
            // A subscriber's bug must neither stop the others hearing nor
            // undo a change the pool has already made.
          }
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
