/**
 * A node process for the benchmarks: what `tests/_node.ts`'s `NodeProcess`
 * does, plus the process id (to read its resident memory).
 *
 * @module
 */
import { freePort, until } from "../tests/_node.ts";

/** A `deno task node` process with the given arguments, its RPC on a free loopback port. */
export class BenchNode {
  readonly rpcPort: number = freePort();
  readonly #child: Deno.ChildProcess;
  /** The last lines the node printed, for error messages. */
  readonly #tail: string[] = [];

  constructor(args: string[]) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-net",
        "--allow-env",
        "--allow-sys",
        "--allow-ffi",
        new URL("../node/cli/main.ts", import.meta.url).pathname,
        "--rpc-port",
        String(this.rpcPort),
        "--port",
        "0",
        "--prometheus-port",
        "0",
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#drain(this.#child.stdout);
    this.#drain(this.#child.stderr);
  }

  /** The node's process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** What the node printed last. */
  get tail(): string {
    return this.#tail.join("");
  }

  /** Calls a JSON-RPC method; throws on a JSON-RPC error. */
  async rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${this.rpcPort}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = await response.json();
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  }

  /** Waits for the RPC to answer. */
  async ready(): Promise<void> {
    await until("the node's RPC", () => this.rpc("system_name").then(() => true), 60_000);
  }

  /**
   * Resident memory (VmRSS) of the node process, in bytes (Linux `/proc`).
   * Read by `cat`: Deno lets only `--allow-all` read `/proc/<pid>` itself,
   * and the bench task runs with `--allow-run`.
   */
  async rssBytes(): Promise<number> {
    const { stdout, success } = await new Deno.Command("cat", {
      args: [`/proc/${this.pid}/status`],
      stdout: "piped",
      stderr: "null",
    }).output();
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(new TextDecoder().decode(stdout));
    if (!success || !kib) {
      throw new Error(`Cannot read the node's resident memory: no VmRSS for process ${this.pid}`);
    }
    return Number(kib[1]) * 1024;
  }

  /** Stops the node (SIGTERM) and waits for it to exit. */
  async stop(): Promise<Deno.CommandStatus> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // already exited
    }
    return await this.#child.status;
  }

  async #drain(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      this.#tail.push(decoder.decode(chunk));
      if (this.#tail.length > 50) this.#tail.shift();
    }
  }
}
