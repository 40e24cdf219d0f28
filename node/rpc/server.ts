/**
 * The node's JSON-RPC 2.0 server: HTTP POST and WebSocket on one path, with
 * Substrate-style subscriptions, safe and unsafe methods, CORS, a `Host`
 * check against DNS rebinding, and limits on connections, sizes, unread
 * output and call rates. It mounts on a Hono app, so the node serves its
 * other routes (`/metrics`, WHIP, the web app's `GET /`) from the same
 * listener.
 *
 * @module
 */
import { type Context, type Env, Hono, type Schema } from "hono";
import { Connection } from "./_connection.ts";
import { CorsPolicy } from "./_cors.ts";
import { dispatch, type Session } from "../../client/rpc/dispatch.ts";
import { HostPolicy, isLoopback } from "./_hosts.ts";
import { handlePost, handlePreflight, originRefused, refused } from "./_http.ts";
import { AddressBudgets, CallBudget } from "./_rate_limit.ts";
import type {
  MethodOptions,
  MethodTable,
  RpcHandler,
  SubscriptionSpec,
} from "../../client/rpc/methods.ts";
import { Registry } from "../../client/rpc/registry.ts";

export type { RpcParams } from "../../client/rpc/message.ts";
export type {
  MethodOptions,
  RpcHandler,
  StopSubscription,
  SubscriptionSpec,
} from "../../client/rpc/methods.ts";

const MIB = 1024 * 1024;

/** Options of an `RpcServer`; the defaults are Substrate's where it has one. */
export interface RpcServerOptions {
  /** Browser origins allowed besides the server's own: a list, `"all"`, or none (the default). */
  cors?: string[] | "all";
  /**
   * `"unsafe"` answers every method; `"safe"` (the default) answers methods
   * registered as unsafe `-32601` "RPC call is unsafe to be called externally".
   */
  methods?: "safe" | "unsafe";
  /** The largest HTTP body or WebSocket message, in bytes (default 15 MiB). */
  maxRequestBytes?: number;
  /** The largest reply, in bytes (default 15 MiB); a bigger one is answered `-32008`. */
  maxResponseBytes?: number;
  /** The most requests in one batch (default 256); a bigger batch is refused whole with `-32600`. */
  maxBatch?: number;
  /**
   * The most connections at once (default 100): open WebSockets and HTTP
   * requests being answered. One more is refused with HTTP 429.
   */
  maxConnections?: number;
  /** The most open subscriptions on one WebSocket (default 1024). */
  maxSubscriptionsPerConnection?: number;
  /**
   * The most bytes a WebSocket may leave unread before the next message is
   * sent (default 4 MiB): past it the client is dropped (close code 1008).
   */
  maxUnsentBytes?: number;
  /**
   * Calls a minute per WebSocket connection, and per client address over
   * HTTP (default: no limit). A call past it is answered `-32029`.
   */
  rateLimit?: number;
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
export class RpcServer implements MethodTable {
  readonly #registry = new Registry();
  readonly #connections = new Set<Connection>();
  readonly #cors: CorsPolicy;
  readonly #denyUnsafe: boolean;
  readonly #maxRequestBytes: number;
  readonly #maxResponseBytes: number;
  readonly #maxBatch: number;
  readonly #maxConnections: number;
  readonly #maxSubscriptions: number;
  readonly #maxUnsentBytes: number;
  readonly #rateLimit?: number;
  readonly #addressBudgets?: AddressBudgets;
  readonly #report: (error: unknown, method: string) => void;
  readonly #onCall?: (method: string) => void;
  /** HTTP requests being answered: with the WebSockets, what `maxConnections` bounds. */
  #requestsInFlight = 0;

  /** Makes a server that answers `rpc_methods` and nothing else yet. */
  constructor(options: RpcServerOptions = {}) {
    this.#cors = new CorsPolicy(options.cors);
    const methods = options.methods ?? "safe";
    if (methods !== "safe" && methods !== "unsafe") {
      throw new RangeError(`Invalid RPC option: methods must be safe or unsafe, got ${methods}`);
    }
    this.#denyUnsafe = methods === "safe";
    const limit = (name: keyof RpcServerOptions, fallback: number) =>
      positive(options[name] as number | undefined ?? fallback, name);
    this.#maxRequestBytes = limit("maxRequestBytes", 15 * MIB);
    this.#maxResponseBytes = limit("maxResponseBytes", 15 * MIB);
    this.#maxBatch = limit("maxBatch", 256);
    this.#maxConnections = limit("maxConnections", 100);
    this.#maxSubscriptions = limit("maxSubscriptionsPerConnection", 1024);
    this.#maxUnsentBytes = limit("maxUnsentBytes", 4 * MIB);
    if (options.rateLimit !== undefined) {
      this.#rateLimit = positive(options.rateLimit, "rateLimit");
      this.#addressBudgets = new AddressBudgets(this.#rateLimit);
    }
    this.#report = options.onError ?? (() => {});
    this.#onCall = options.onCall;
    this.register("rpc_methods", () => ({ methods: this.#registry.names() }));
  }

  /**
   * Adds a method. The handler gets the request's params (`[]` when absent);
   * its result is the response's `result`. Mark a method that changes the
   * node's state (other than by submitting a transaction) `unsafe`.
   *
   * @throws {TypeError} when the name is already registered
   */
  register(method: string, handler: RpcHandler, options: MethodOptions = {}): void {
    this.#registry.register(method, handler, options);
  }

  /**
   * Adds a subscription: its subscribe and unsubscribe methods, served only
   * over WebSocket (over HTTP they answer `-32601`).
   *
   * @throws {TypeError} when a name is already registered
   */
  registerSubscription(spec: SubscriptionSpec): void {
    this.#registry.registerSubscription(spec);
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
   * `GET /`) passes on to the app's next route. Any `Host` is answered:
   * `listen` is what checks it.
   */
  mount<E extends Env, S extends Schema, B extends string>(
    app: Hono<E, S, B>,
    path = "/",
  ): void {
    const anyHost = HostPolicy.any();
    this.#mount(app, path, () => anyHost);
  }

  /** A fetch-style handler serving only the RPC at `/` (404 elsewhere). */
  handler(): RpcFetch {
    const app = new Hono();
    this.mount(app);
    return (request) => app.fetch(request);
  }

  /**
   * Serves the RPC with `Deno.serve`, mounted on `app` when given (so the
   * node's other HTTP routes share the port). On a loopback address only
   * requests addressed to `localhost`, `127.0.0.1` or `[::1]` with the bound
   * port are answered (403 otherwise), against DNS rebinding.
   */
  listen(port: number, hostname = "127.0.0.1", app = new Hono()): RpcListener {
    let hosts = HostPolicy.any();
    this.#mount(app, "/", () => hosts);
    // The client's address reaches the routes as Hono's `c.env` (rate limits per address).
    const server = Deno.serve(
      { port, hostname, onListen() {} },
      (request, info) => app.fetch(request, info),
    );
    // Set before any request can arrive: none is handled until this call returns.
    if (isLoopback(server.addr.hostname)) hosts = HostPolicy.loopback(server.addr.port);
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

  #mount<E extends Env, S extends Schema, B extends string>(
    app: Hono<E, S, B>,
    path: string,
    hosts: () => HostPolicy,
  ): void {
    app.use(path, async (c, next) => {
      const request = c.req.raw;
      const upgrade = request.method === "GET" && isWebSocketUpgrade(request);
      if (request.method !== "POST" && request.method !== "OPTIONS" && !upgrade) {
        return await next();
      }
      const refuse = async (status: number, message: string) => {
        await request.body?.cancel();
        return refused(status, message);
      };
      const host = request.headers.get("host");
      if (!hosts().allows(host)) {
        return await refuse(403, `Host not allowed: ${host}: use localhost or 127.0.0.1`);
      }
      if (request.method === "OPTIONS") return handlePreflight(request, this.#cors);
      if (this.#requestsInFlight + this.#connections.size >= this.#maxConnections) {
        return await refuse(429, `Too many connections: the limit is ${this.#maxConnections}`);
      }
      if (upgrade) return this.#upgrade(request);
      this.#requestsInFlight++;
      try {
        return await this.#post(request, clientAddress(c));
      } finally {
        this.#requestsInFlight--;
      }
    });
  }

  #post(request: Request, address: string): Promise<Response> {
    const budget = this.#addressBudgets?.of(address);
    return handlePost(request, {
      cors: this.#cors,
      maxRequestBytes: this.#maxRequestBytes,
      dispatch: (text) => this.#dispatch(text, budget),
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
    const budget = this.#rateLimit === undefined ? undefined : new CallBudget(this.#rateLimit);
    const connection = new Connection(upgraded.socket, {
      maxMessageBytes: this.#maxRequestBytes,
      maxSubscriptions: this.#maxSubscriptions,
      maxUnsentBytes: this.#maxUnsentBytes,
      report: this.#report,
      dispatch: (text, session) => this.#dispatch(text, budget, session),
    });
    this.#connections.add(connection);
    connection.closed.then(() => this.#connections.delete(connection));
    return upgraded.response;
  }

  #dispatch(text: string, budget?: CallBudget, session?: Session): Promise<string | undefined> {
    return dispatch(text, {
      registry: this.#registry,
      maxBatch: this.#maxBatch,
      maxResponseBytes: this.#maxResponseBytes,
      denyUnsafe: this.#denyUnsafe,
      budget,
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

/** The client's IP address, when `Deno.serve` served the request (`""` otherwise). */
export function clientAddress(c: Context): string {
  const info = c.env as Partial<Deno.ServeHandlerInfo<Deno.NetAddr>> | undefined;
  return info?.remoteAddr?.hostname ?? "";
}

function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}
