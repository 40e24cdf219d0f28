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

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Sends one HTTP/1.1 request over a bare TCP connection, so the test chooses
 * every header (`fetch` and `WebSocket` set `Host` themselves), and reads the
 * answer until the server closes.
 */
export async function rawRequest(
  url: string,
  head: { method: string; host: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  const connection = await Deno.connect({ hostname, port: Number(port) });
  try {
    const body = head.body ?? "";
    const length = encoder.encode(body).length;
    const headers = {
      connection: "close",
      ...head.headers,
      ...(length ? { "content-length": String(length) } : {}),
    };
    const lines = [`${head.method} / HTTP/1.1`, `host: ${head.host}`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    await writeAll(connection, encoder.encode(`${lines.join("\r\n")}\r\n\r\n${body}`));
    const answer = decoder.decode(await readAll(connection));
    return {
      status: Number(answer.split(" ")[1]),
      text: answer.slice(answer.indexOf("\r\n\r\n") + 4),
    };
  } finally {
    connection.close();
  }
}

async function writeAll(connection: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await connection.write(bytes.subarray(written));
  }
}

async function readAll(connection: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  for (let n; (n = await connection.read(buffer)) !== null;) chunks.push(buffer.slice(0, n));
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * A WebSocket client over a bare TCP connection that reads only when told
 * to: the client that never reads what the node sends it.
 */
export class UnreadingWebSocket {
  private constructor(private readonly connection: Deno.Conn) {}

  /** Opens the socket and reads the handshake's answer, and nothing after it. */
  static async connect(url: string): Promise<UnreadingWebSocket> {
    const { host, hostname, port } = new URL(url);
    const connection = await Deno.connect({ hostname, port: Number(port) });
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    await writeAll(
      connection,
      encoder.encode(
        `GET / HTTP/1.1\r\nhost: ${host}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
          `sec-websocket-key: ${key}\r\nsec-websocket-version: 13\r\n\r\n`,
      ),
    );
    let head = "";
    const byte = new Uint8Array(1);
    while (!head.endsWith("\r\n\r\n")) {
      if (await connection.read(byte) === null) throw new Error("Handshake cut short");
      head += String.fromCharCode(byte[0]);
    }
    if (!head.startsWith("HTTP/1.1 101")) throw new Error(`Not upgraded: ${head}`);
    return new UnreadingWebSocket(connection);
  }

  /** Sends a text frame, masked as RFC 6455 §5.3 requires of a client. */
  async send(message: unknown): Promise<void> {
    const payload = encoder.encode(JSON.stringify(message));
    if (payload.length > 0xffff) throw new RangeError("Test frames are under 64 KiB");
    const mask = crypto.getRandomValues(new Uint8Array(4));
    const header = payload.length < 126
      ? [0x81, 0x80 | payload.length]
      : [0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff];
    const frame = new Uint8Array([...header, ...mask, ...payload]);
    for (let i = 0; i < payload.length; i++) frame[header.length + 4 + i] ^= mask[i % 4];
    await writeAll(this.connection, frame);
  }

  /** Reads (and drops) what the server sent until its close frame; returns its code and reason. */
  async readUntilClose(): Promise<{ code: number; reason: string }> {
    let pending = new Uint8Array(0);
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await this.connection.read(buffer);
      if (n === null) throw new Error("The server went away without a close frame");
      const joined = new Uint8Array(pending.length + n);
      joined.set(pending);
      joined.set(buffer.subarray(0, n), pending.length);
      pending = joined;
      for (let frame; (frame = nextFrame(pending));) {
        if (frame.opcode === 0x8) {
          const { payload } = frame;
          return { code: (payload[0] << 8) | payload[1], reason: decoder.decode(payload.slice(2)) };
        }
        pending = pending.slice(frame.end);
      }
    }
  }

  /** Closes the TCP connection. */
  close(): void {
    try {
      this.connection.close();
    } catch {
      // already closed
    }
  }
}

/** The first whole server frame (unmasked) in `bytes`, if it is all there. */
function nextFrame(
  bytes: Uint8Array,
): { opcode: number; payload: Uint8Array; end: number } | undefined {
  if (bytes.length < 2) return undefined;
  let length = bytes[1] & 0x7f;
  let start = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    [length, start] = [(bytes[2] << 8) | bytes[3], 4];
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    [length, start] = [
      Number(new DataView(bytes.buffer, bytes.byteOffset + 2, 8).getBigUint64(0)),
      10,
    ];
  }
  if (bytes.length < start + length) return undefined;
  return {
    opcode: bytes[0] & 0x0f,
    payload: bytes.subarray(start, start + length),
    end: start + length,
  };
}
