/**
 * The worker side of `loadTest`: `concurrency` keep-alive HTTP/1.1
 * connections, each sending one request and reading its whole response
 * before the next, until `requests` responses have been read; posts back the
 * seconds they took (or the first error).
 *
 * The client is a minimal one over `Deno.connect` rather than `fetch`:
 * `fetch` costs several times what a small server response does, and with
 * it the client, not the server, set the pace (the server thread was 20–30%
 * busy against bare Hono).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { LoadInit } from "./_http_load.ts";

const HEADER_END = [13, 10, 13, 10];
const decoder = new TextDecoder();

self.onmessage = async (e: MessageEvent<LoadInit>) => {
  const { url, body, concurrency, requests } = e.data;
  const { hostname, port, pathname } = new URL(url);
  const payload = new TextEncoder().encode(body);
  const request = new Uint8Array([
    ...new TextEncoder().encode(
      `POST ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n` +
        `content-type: application/json\r\ncontent-length: ${payload.length}\r\n\r\n`,
    ),
    ...payload,
  ]);
  let left = requests;
  const loop = async () => {
    const conn = await Deno.connect({ hostname, port: Number(port) });
    try {
      const reader = new ResponseReader(conn);
      while (left > 0) {
        left--;
        await writeAll(conn, request);
        const { status, body } = await reader.next();
        if (status !== 200 || !decoder.decode(body).includes('"result"')) {
          throw new Error(`unexpected response ${status}: ${decoder.decode(body).slice(0, 200)}`);
        }
      }
    } finally {
      conn.close();
    }
  };
  try {
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, loop));
    self.postMessage({ seconds: (performance.now() - start) / 1000 });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
}

/** Reads responses with a `content-length` (no chunked bodies) off one connection. */
class ResponseReader {
  #buffer = new Uint8Array(0);
  readonly #chunk = new Uint8Array(64 * 1024);

  constructor(readonly conn: Deno.Conn) {}

  async next(): Promise<{ status: number; body: Uint8Array }> {
    let end: number;
    while ((end = indexOf(this.#buffer, HEADER_END)) < 0) await this.#fill();
    const head = decoder.decode(this.#buffer.subarray(0, end)).toLowerCase();
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    if (!length) throw new Error(`a response without content-length: ${head}`);
    const total = end + 4 + Number(length[1]);
    while (this.#buffer.length < total) await this.#fill();
    const body = this.#buffer.slice(end + 4, total);
    this.#buffer = this.#buffer.slice(total);
    return { status, body };
  }

  async #fill(): Promise<void> {
    const n = await this.conn.read(this.#chunk);
    if (n === null) throw new Error("the server closed the connection");
    const grown = new Uint8Array(this.#buffer.length + n);
    grown.set(this.#buffer);
    grown.set(this.#chunk.subarray(0, n), this.#buffer.length);
    this.#buffer = grown;
  }
}

function indexOf(haystack: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
