/**
 * Helpers for the RPC tests: a server on a free port, JSON POSTs, a small
 * WebSocket client, and polling with a deadline.
 *
 * @module
 */
import { type RpcListener, RpcServer, type RpcServerOptions } from "./server.ts";

/** A server listening on 127.0.0.1 on a free port. */
export interface TestServer {
  rpc: RpcServer;
  listener: RpcListener;
  url: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts `rpc` (or a new server with `options`) on port 0, after `setup` registered methods. */
export function serve(
  options: RpcServerOptions = {},
  setup: (rpc: RpcServer) => void = () => {},
): TestServer {
  const rpc = new RpcServer(options);
  setup(rpc);
  const listener = rpc.listen(0);
  return {
    rpc,
    listener,
    url: `http://127.0.0.1:${listener.port}/`,
    [Symbol.asyncDispose]: () => listener.close(),
  };
}

/** POSTs `body` as JSON (a string is sent as is) and reads the whole answer. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Polls `check` until it holds, failing after `timeoutMs`. */
export async function waitFor(
  check: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A WebSocket client that queues every message it receives. */
export class WsClient {
  readonly socket: WebSocket;
  readonly received: unknown[] = [];
  /** Every message received, in order, never removed. */
  readonly log: unknown[] = [];
  readonly closed: Promise<CloseEvent>;
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      this.received.push(message);
      this.log.push(message);
    });
    this.closed = new Promise((resolve) => socket.addEventListener("close", resolve));
  }

  /** Connects and waits until the socket is open. */
  static async connect(url: string): Promise<WsClient> {
    const socket = new WebSocket(url.replace(/^http/, "ws"));
    const client = new WsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error("WebSocket failed")), { once: true });
    });
    return client;
  }

  /** Sends a raw message. */
  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Removes and returns the first queued message matching `match`, waiting for it. */
  async take(
    match: (message: Record<string, unknown>) => boolean,
    what = "a message",
  ): Promise<Record<string, unknown>> {
    let index = -1;
    const find = () => {
      index = this.received.findIndex((message) => match(message as Record<string, unknown>));
      return index >= 0;
    };
    await waitFor(find, what);
    return this.received.splice(index, 1)[0] as Record<string, unknown>;
  }

  /** Calls a method and waits for the response with its id. */
  call(method: string, params: unknown = []): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    this.send({ jsonrpc: "2.0", id, method, params });
    return this.take((message) => message.id === id, `the response to ${method}`);
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.socket.readyState <= WebSocket.OPEN) this.socket.close();
    await this.closed;
  }
}
