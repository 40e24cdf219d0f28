/**
 * The lines of a child process's output, for the JSON-line protocols the
 * node speaks with its media workers and tests and benches with their viewer
 * processes.
 *
 * @module
 */

/** The lines of a byte stream, without their newlines. */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
    }
  }
}

/**
 * A child process asked one JSON line at a time, each answered by one JSON
 * line: the viewer processes of tests and benches.
 */
export class LineProcess<Request> {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;

  /** Starts `command` with `args`, its stdin and stdout piped, its stderr inherited. */
  constructor(command: string, args: string[], readonly name: string) {
    this.#child = new Deno.Command(command, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = readLines(this.#child.stdout)[Symbol.asyncIterator]();
  }

  /** Sends `request` and waits for its reply. @throws {Error} when the process has exited */
  async ask<T>(request: Request): Promise<T> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
    const { value, done } = await this.#lines.next();
    if (done) throw new Error(`A ${this.name} process exited`);
    return JSON.parse(value) as T;
  }

  /** Kills the process (SIGKILL): what it served vanishes without a word. */
  async kill(): Promise<void> {
    this.#child.kill("SIGKILL");
    await this.#child.status;
    await this.#writer.close().catch(() => {});
    await this.#child.stdout.cancel().catch(() => {});
  }

  /** Asks it to `stop`, closes its stdin and waits for it to exit. */
  async close(stop: Request): Promise<void> {
    await this.ask(stop).catch(() => {});
    await this.#writer.close().catch(() => {});
    await this.#child.status;
  }
}
