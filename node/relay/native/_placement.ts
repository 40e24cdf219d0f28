/**
 * Where a supervisor's sessions run: each session's worker, and each
 * stream's home, the worker its source is on, where its viewers are
 * placed. Bookkeeping only: the supervisor asks the workers.
 *
 * @module
 */

/** A session and where it runs. */
export interface Placed {
  worker: number;
  stream: string;
  kind: "publish" | "watch" | "pull";
}

/** The sessions and stream homes over a fixed number of workers. */
export class Placements {
  readonly #workers: number;
  readonly #sessions = new Map<string, Placed>();
  /** The worker each stream lives on. */
  readonly #homes = new Map<string, number>();

  /** Placements over `workers` workers, none placed yet. */
  constructor(workers: number) {
    this.#workers = workers;
  }

  /** The worker `stream` lives on, if it lives on one. */
  home(stream: string): number | undefined {
    return this.#homes.get(stream);
  }

  /** The worker `stream` lives on, or the least loaded one, which becomes its home. */
  settle(stream: string): number {
    let home = this.#homes.get(stream);
    if (home === undefined) {
      const load = Array.from({ length: this.#workers }, () => 0);
      for (const placed of this.#sessions.values()) load[placed.worker]++;
      home = load.indexOf(Math.min(...load));
      this.#homes.set(stream, home);
    }
    return home;
  }

  /** Records a session. */
  add(session: string, placed: Placed): void {
    this.#sessions.set(session, placed);
  }

  /** Where a session runs, if it is known. */
  get(session: string): Placed | undefined {
    return this.#sessions.get(session);
  }

  /** Forgets a session (and its stream's home when nothing is left there); whether it was known. */
  forget(session: string): boolean {
    const placed = this.#sessions.get(session);
    if (!placed) return false;
    this.#sessions.delete(session);
    const left = [...this.#sessions.values()].some((s) => s.stream === placed.stream);
    if (!left) this.#homes.delete(placed.stream);
    return true;
  }

  /** How many sessions (of `kind`, if given) run on `worker`. */
  count(worker: number, kind?: Placed["kind"]): number {
    let count = 0;
    for (const placed of this.#sessions.values()) {
      if (placed.worker === worker && (kind === undefined || placed.kind === kind)) count++;
    }
    return count;
  }

  /** Forgets every session on `worker` and the streams that lived there; returns the sessions. */
  lose(worker: number): string[] {
    const lost = [...this.#sessions].filter(([, s]) => s.worker === worker).map(([id]) => id);
    for (const id of lost) this.#sessions.delete(id);
    for (const [stream, home] of this.#homes) if (home === worker) this.#homes.delete(stream);
    return lost;
  }

  /** Forgets everything. */
  clear(): void {
    this.#sessions.clear();
    this.#homes.clear();
  }
}
