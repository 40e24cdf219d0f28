/**
 * Which browser origins may use the RPC, and the CORS headers that tell them.
 *
 * @module
 */

/** `"all"`, a list of exact origins (`"http://localhost:3000"`), or none (same origin only). */
export type CorsOption = string[] | "all" | undefined;

/**
 * The origin policy. A request without an `Origin` header (curl, another
 * node) is always allowed; a browser request is allowed when its origin is
 * the server's own (its host equals the `Host` header) or is listed. The
 * check matters for WebSockets, which browsers open to any origin without
 * CORS: without it, any web page could drive a local node.
 */
export class CorsPolicy {
  readonly #all: boolean;
  readonly #origins: ReadonlySet<string>;

  constructor(cors: CorsOption) {
    this.#all = cors === "all";
    this.#origins = new Set(Array.isArray(cors) ? cors : []);
  }

  /** Whether a request with these `Origin` and `Host` headers may be served. */
  allows(origin: string | null, host: string | null): boolean {
    if (origin === null || this.#all || this.#origins.has(origin)) return true;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }

  /** The CORS headers for a response to an allowed request from `origin`. */
  headers(origin: string | null): Record<string, string> {
    if (this.#all) return { "access-control-allow-origin": "*" };
    if (origin !== null && this.#origins.has(origin)) {
      return { "access-control-allow-origin": origin, "vary": "Origin" };
    }
    return { "vary": "Origin" };
  }
}
