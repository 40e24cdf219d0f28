/**
 * One media worker process seen from the node: started with `deno run`,
 * spoken to in JSON lines (`protocol.ts`), each request answered by the
 * reply with its id; events go to a handler. The node's own process never
 * loads the addon.
 *
 * @module
 */
import { readLines } from "./lines.ts";
import type { WorkerEvent, WorkerLine, WorkerReply, WorkerRequest } from "./protocol.ts";

/** How long a worker may take to say it is ready (it loads the addon first). */
const READY_TIMEOUT_MS = 30_000;
/** How long a request may wait for its reply (an answer gathers for up to 5 s). */
const REQUEST_TIMEOUT_MS = 20_000;
/** How long a stopping worker may take to exit before it is killed. */
const STOP_TIMEOUT_MS = 3_000;

const WORKER_ENTRY = new URL("./worker.ts", import.meta.url);
const CONFIG = new URL("../../../deno.json", import.meta.url);

/** Flags of a worker process (see `worker.ts`). */
export interface WorkerProcessFlags {
  bindAddress?: string;
  iceServers: string[];
  maxLagMs: number;
  statsIntervalMs: number;
}

/** A request without its id: the process numbers them. */
export type RequestBody = WorkerRequest extends infer R
  ? R extends WorkerRequest ? Omit<R, "id"> : never
  : never;

/** The worker exited (or never started) while a request waited. */
export class WorkerGone extends Error {
  override name = "WorkerGone";
}

/** A running worker process. */
export class WorkerProcess {
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Deno.CommandStatus>;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pending = new Map<number, PromiseWithResolvers<WorkerReply>>();
  #nextId = 1;
  #gone = false;

  private constructor(flags: WorkerProcessFlags, onEvent: (event: WorkerEvent) => void) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        "--allow-ffi",
        "--allow-read",
        `--config=${CONFIG.pathname}`,
        WORKER_ENTRY.pathname,
        ...workerArgs(flags),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.pid = this.#child.pid;
    this.#writer = this.#child.stdin.getWriter();
    const reading = this.#read(onEvent);
    this.exited = reading.then(() => this.#child.status).then((status) => {
      this.#gone = true;
      for (const waiter of this.#pending.values()) waiter.reject(this.#goneError());
      this.#pending.clear();
      return status;
    });
  }

  /**
   * Starts a worker and waits for it to be ready.
   *
   * @throws {WorkerGone} when it exits or stays silent first
   */
  static async start(
    flags: WorkerProcessFlags,
    onEvent: (event: WorkerEvent) => void,
  ): Promise<WorkerProcess> {
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => ready = resolve);
    const worker = new WorkerProcess(flags, (event) => {
      if (event.event === "ready") ready();
      else onEvent(event);
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const failed = await Promise.race([
      isReady.then(() => false),
      worker.exited.then(() => true),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(true), READY_TIMEOUT_MS)),
    ]);
    clearTimeout(timer);
    if (failed) {
      await worker.stop();
      throw new WorkerGone(`media worker ${worker.pid} did not start`);
    }
    return worker;
  }

  /**
   * Sends a request and waits for its reply.
   *
   * @throws {WorkerGone} when the worker exits first or does not reply in time
   */
  async request(body: RequestBody): Promise<WorkerReply> {
    if (this.#gone) throw this.#goneError();
    const id = this.#nextId++;
    const waiter = Promise.withResolvers<WorkerReply>();
    waiter.promise.catch(() => {}); // awaited below unless the write fails first
    this.#pending.set(id, waiter);
    const timer = setTimeout(() => {
      this.#pending.delete(id);
      waiter.reject(new WorkerGone(`media worker ${this.pid} did not reply to ${body.op}`));
    }, REQUEST_TIMEOUT_MS);
    try {
      const line = JSON.stringify({ ...body, id }) + "\n";
      await this.#writer.write(new TextEncoder().encode(line)).catch(() => {
        throw this.#goneError();
      });
      return await waiter.promise;
    } finally {
      this.#pending.delete(id);
      clearTimeout(timer);
    }
  }

  /** Kills the process at once (SIGKILL), as a crash would. */
  kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }

  /** Closes its stdin (the worker ends every session and exits), killing it if it lingers. */
  async stop(): Promise<void> {
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => this.kill(), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  #goneError(): WorkerGone {
    return new WorkerGone(`media worker ${this.pid} is gone`);
  }

  async #read(onEvent: (event: WorkerEvent) => void): Promise<void> {
    for await (const text of readLines(this.#child.stdout)) {
      let line: WorkerLine;
      try {
        line = JSON.parse(text);
      } catch {
        console.error(`media worker ${this.pid}: not a protocol line: ${text.slice(0, 200)}`);
        continue;
      }
      if ("event" in line) onEvent(line);
      else this.#pending.get(line.id)?.resolve(line);
    }
  }
}

function workerArgs(flags: WorkerProcessFlags): string[] {
  return [
    ...(flags.bindAddress ? [`--bind=${flags.bindAddress}`] : []),
    ...flags.iceServers.map((server) => `--ice-server=${server}`),
    `--max-lag-ms=${flags.maxLagMs}`,
    `--stats-interval-ms=${flags.statsIntervalMs}`,
  ];
}
