/**
 * The worker processes of one supervisor, by index: each started on its
 * first request, started again when it crashes, stopped in order with the
 * node; an `unload` handler kills any left when the node exits without
 * stopping them.
 *
 * @module
 */
import { type RequestBody, WorkerProcess, type WorkerProcessFlags } from "./_worker_process.ts";
import type { WorkerEvent, WorkerReply, WorkerStats } from "./protocol.ts";

/** One worker slot: its process once started, and its latest stats. */
interface Slot {
  process?: Promise<WorkerProcess>;
  /** The process once it is ready, until it exits. */
  running?: WorkerProcess;
  stats?: WorkerStats;
  stopping: boolean;
}

/** What the slots tell their supervisor. */
export interface WorkerSlotHandlers {
  /** An event of worker `index` (the slots keep its stats too). */
  onEvent(index: number, event: WorkerEvent): void;
  /** Worker `index` exited unasked: every session on it died. It is started again. */
  onCrash(index: number): void;
}

/** A fixed number of worker processes, each started when first asked. */
export class WorkerSlots {
  readonly #slots: Slot[];
  readonly #flags: WorkerProcessFlags;
  readonly #handlers: WorkerSlotHandlers;
  readonly #onUnload = () => this.#killAll();

  /** `count` slots, none started yet. */
  constructor(count: number, flags: WorkerProcessFlags, handlers: WorkerSlotHandlers) {
    this.#slots = Array.from({ length: count }, () => ({ stopping: false }));
    this.#flags = flags;
    this.#handlers = handlers;
    globalThis.addEventListener("unload", this.#onUnload);
  }

  /** How many slots there are. */
  get count(): number {
    return this.#slots.length;
  }

  /** Worker `index`'s process id while it runs, and its latest stats. */
  info(index: number): { pid?: number; stats?: WorkerStats } {
    const slot = this.#slots[index];
    return { pid: slot.running?.pid, stats: slot.stats };
  }

  /**
   * Sends a request to worker `index`, starting it if need be.
   *
   * @throws {WorkerGone} when the worker cannot start, exits first or does not reply
   */
  async request(index: number, body: RequestBody): Promise<WorkerReply> {
    return await (await this.#process(index)).request(body);
  }

  /** Stops every worker and waits for them to exit. */
  async stop(): Promise<void> {
    globalThis.removeEventListener("unload", this.#onUnload);
    for (const slot of this.#slots) slot.stopping = true;
    const processes = await Promise.all(
      this.#slots.map((slot) => slot.process?.catch(() => undefined)),
    );
    await Promise.all(processes.map((p) => p?.stop()));
  }

  #process(index: number): Promise<WorkerProcess> {
    const slot = this.#slots[index];
    if (!slot.process) {
      slot.process = WorkerProcess.start(this.#flags, (event) => {
        if (event.event === "stats") slot.stats = event.stats;
        this.#handlers.onEvent(index, event);
      });
      slot.process.then((process) => {
        slot.running = process;
        process.exited.then(() => this.#onExit(index));
      }, () => slot.process = undefined);
    }
    return slot.process;
  }

  /** A worker exited: unless it was stopped, it crashed and is started again. */
  #onExit(index: number): void {
    const slot = this.#slots[index];
    slot.running = slot.stats = undefined;
    if (slot.stopping) return;
    slot.process = undefined;
    this.#handlers.onCrash(index);
    this.#process(index).catch((e) => console.error(`Cannot restart media worker ${index}: ${e}`));
  }

  #killAll(): void {
    for (const slot of this.#slots) slot.running?.kill();
  }
}
