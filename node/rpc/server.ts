/**
 * The node's JSON-RPC 2.0 server: HTTP POST and WebSocket on one path, with
 * Substrate-style subscriptions, CORS and size limits. It mounts on a Hono
 * app, so the node serves its other routes (`/metrics`, WHIP, the web app's
 * `GET /`) from the same listener.
 *
 * @module
 */
import { type Env, Hono, type Schema } from "hono";
import { Connection } from "./_connection.ts";
import { CorsPolicy } from "./_cors.ts";
import { dispatch, type Session } from "./_dispatch.ts";
import { handlePost, handlePreflight, originRefused } from "./_http.ts";
import { Registry, type RpcHandler, type SubscriptionSpec } from "./_registry.ts";

export type { RpcParams } from "./_message.ts";
export type { RpcHandler, StopSubscription, SubscriptionSpec } from "./_registry.ts";

/** Options of an `RpcServer`. */
export interface RpcServerOptions {
  /** Browser origins allowed besides the server's own: a list, `"all"`, or none (the default). */
  cors?: string[] | "all";
  /** The largest HTTP body or WebSocket message, in bytes (default 10 MiB). */
  maxRequestBytes?: number;
  /** The most requests in one batch (default 256); a bigger batch is refused whole with `-32600`. */
  maxBatch?: number;
  /** The most open subscriptions on one WebSocket (default 1024). */
  maxSubscriptionsPerConnection?: number;
  /**
   * Told of each unexpected exception from a handler (answered `-32603`
   * "Internal error" without details) or a stop function. Default: none.
   */
  onError?: (error: unknown, method: string) => void;
  /** Told of each call of a known method, before it runs (metrics). Default: none. */
  onCall?: (method: string) => void;
}

/** A running `listen()`. */
export interface RpcListener {
  /** The bound address. */
  readonly hostname: string;
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** Closes every WebSocket of the server, then the listener. */
  close(): Promise<void>;
}

/** The fetch-style function `handler()` returns. */
export type RpcFetch = (request: Request) => Response | Promise<Response>;

/** How long `closeConnections` waits for clients to answer the close handshake. */
const CLOSE_TIMEOUT_MS = 2_000;

/**
 * A JSON-RPC 2.0 server. Register methods and subscriptions, then either
 * `mount` it on the node's Hono app or `listen` on its own.
 *
 * @example
 * ```ts
 * import { RpcServer } from "./server.ts";
 *
 * const rpc = new RpcServer({});
 * rpc.register("system_name", () => "Sutantra");
 * const response = await rpc.handler()(
 *   new Request("http://127.0.0.1/", {
 *     method: "POST",
 *     headers: { "content-type": "application/json" },
 *     body: '{"jsonrpc":"2.0","id":1,"method":"system_name"}',
 *   }),
 * );
 * console.assert((await response.json()).result === "Sutantra");
 * ```
 */
export class RpcServer {
  readonly #registry = new Registry();
  readonly #connections = new Set<Connection>();
  readonly #cors: CorsPolicy;
  readonly #maxRequestBytes: number;
  readonly #maxBatch: number;
  readonly #maxSubscriptions: number;
  readonly #report: (error: unknown, method: string) => void;
  readonly #onCall?: (method: string) => void;

  /** Makes a server that answers `rpc_methods` and nothing else yet. */
  constructor(options: RpcServerOptions = {}) {
    this.#cors = new CorsPolicy(options.cors);
    this.#maxRequestBytes = positive(
      options.maxRequestBytes ?? 10 * 1024 * 1024,
      "maxRequestBytes",
    );
    this.#maxBatch = positive(options.maxBatch ?? 256, "maxBatch");
    this.#maxSubscriptions = positive(
      options.maxSubscriptionsPerConnection ?? 1024,
      "maxSubscriptionsPerConnection",
    );
    this.#report = options.onError ?? (() => {});
    this.#onCall = options.onCall;
    this.register("rpc_methods", () => ({ methods: this.#registry.names() }));
  }

  /**
   * Adds a method. The handler gets the request's params (`[]` when absent);
   * its result is the response's `result`.
   *
   * @throws {TypeError} when the name is already registered
   */
  register(method: string, handler: RpcHandler): void {
    this.#registry.add([[method, { kind: "call", handler }]]);
  }

  /**
   * Adds a subscription: its subscribe and unsubscribe methods, served only
   * over WebSocket (over HTTP they answer `-32601`).
   *
   * @throws {TypeError} when a name is already registered
   */
  registerSubscription(spec: SubscriptionSpec): void {
    this.#registry.add([
      [spec.subscribe, { kind: "subscribe", spec }],
      [spec.unsubscribe, { kind: "unsubscribe", spec }],
    ]);
  }

  /** The registered method names, sorted (what `rpc_methods` answers). */
  methods(): string[] {
    return this.#registry.names();
  }

  /** How many WebSockets are open. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Serves the RPC at `path` of `app`: POST, OPTIONS, and GET with
   * `Upgrade: websocket`. Any other request at `path` (e.g. a browser's
   * `GET /`) passes on to the app's next route.
   */
  mount<E extends Env, S extends Schema, B extends string>(
    app: Hono<E, S, B>,
    path = "/",
  ): void {
    app.use(path, async (c, next) => {
      const request = c.req.raw;
      if (request.method === "POST") return await this.#post(request);
      if (request.method === "OPTIONS") return handlePreflight(request, this.#cors);
      if (request.method === "GET" && isWebSocketUpgrade(request)) return this.#upgrade(request);
      await next();
    });
  }

  /** A fetch-style handler serving only the RPC at `/` (404 elsewhere). */
  handler(): RpcFetch {
    const app = new Hono();
    this.mount(app);
    return (request) => app.fetch(request);
  }

  /**
   * Serves the RPC with `Deno.serve`, mounted on `app` when given (so the
   * node's other HTTP routes share the port).
   */
  listen(port: number, hostname = "127.0.0.1", app = new Hono()): RpcListener {
    this.mount(app);
    const server = Deno.serve({ port, hostname, onListen() {} }, (request) => app.fetch(request));
    return {
      hostname: server.addr.hostname,
      port: server.addr.port,
      close: async () => {
        await this.closeConnections();
        await server.shutdown();
      },
    };
  }

  /**
   * Closes every WebSocket (code 1001) and waits until each has closed and its
   * subscriptions have been stopped, or until a client has not answered for 2 s.
   */
  async closeConnections(): Promise<void> {
    const closing = [...this.#connections].map((connection) => {
      connection.close();
      return connection.closed;
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_TIMEOUT_MS));
    await Promise.race([Promise.all(closing), timeout]);
    clearTimeout(timer);
  }

  #post(request: Request): Promise<Response> {
    return handlePost(request, {
      cors: this.#cors,
      maxRequestBytes: this.#maxRequestBytes,
      dispatch: (text) => this.#dispatch(text),
    });
  }

  #upgrade(request: Request): Response {
    if (!this.#cors.allows(request.headers.get("origin"), request.headers.get("host"))) {
      return originRefused();
    }
    let upgraded;
    try {
      upgraded = Deno.upgradeWebSocket(request);
    } catch (error) {
      return new Response(`Cannot upgrade to a WebSocket: ${(error as Error).message}\n`, {
        status: 400,
      });
    }
    const connection = new Connection(upgraded.socket, {
      maxMessageBytes: this.#maxRequestBytes,
      maxSubscriptions: this.#maxSubscriptions,
      report: this.#report,
      dispatch: (text, session) => this.#dispatch(text, session),
    });
    this.#connections.add(connection);
    connection.closed.then(() => this.#connections.delete(connection));
    return upgraded.response;
  }

  #dispatch(text: string, session?: Session): Promise<string | undefined> {
    return dispatch(text, {
      registry: this.#registry,
      maxBatch: this.#maxBatch,
      report: this.#report,
      onCall: this.#onCall,
      session,
    });
  }
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Invalid RPC option: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}
