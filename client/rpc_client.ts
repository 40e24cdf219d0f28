/**
 * A JSON-RPC client for the CLI's client commands and the web app: calls
 * and Substrate-style subscriptions, to a node over a WebSocket or to an
 * in-process server (the light client's) over a provider.
 *
 * A WebSocket client may be asked to reconnect ({@link ConnectOptions}):
 * when the socket closes (or, with a heartbeat, stops answering) every call
 * still waiting fails at once with {@link ConnectionLost}, so nothing hangs
 * on a dead node; the client dials again with a growing delay, and the
 * subscriptions opened with `resubscribe` are opened again on the new
 * socket, their listeners none the wiser. A transaction's watch must not be
 * resubscribed (that would submit it again): it hears `onLost` instead.
 *
 * @module
 */
import type { JsonRpcConnection, JsonRpcProvider } from "./rpc/in_process.ts";

/** An error the node answered with. */
export class RemoteError extends Error {
  override name = "RemoteError";
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(
      data === undefined ? `${message} (${code})` : `${message} (${code}): ${JSON.stringify(data)}`,
    );
  }
}

/** The connection to the node closed (or never opened) before an answer came. */
export class ConnectionLost extends Error {
  override name = "ConnectionLost";
}

/** How a WebSocket client dials again after its connection drops. */
export interface ReconnectOptions {
  /** The first wait before dialing again, in ms (doubled each failed attempt); 500 by default. */
  minDelayMs?: number;
  /** The longest wait between two attempts, in ms; 5,000 by default. */
  maxDelayMs?: number;
  /**
   * How often to check that the node still answers (`system_health`), in
   * ms; a check unanswered for as long counts as a lost connection.
   * 10,000 by default; 0 checks nothing (a closed socket is still noticed).
   */
  heartbeatMs?: number;
}

/** Options of {@link RpcClient.connect}. */
export interface ConnectOptions {
  /** Dial again when the connection drops (`true` for the defaults); off by default. */
  reconnect?: boolean | ReconnectOptions;
}

/** Where a client's connection stands, as {@link RpcClient.onConnection} tells it. */
export type ConnectionState =
  | { state: "connected" }
  /** Lost: `retryInMs` until the next attempt, `attempt` counting from 1 since it was lost. */
  | { state: "disconnected"; reason: string; attempt: number; retryInMs: number }
  /** Gone for good: closed by {@link RpcClient.close}, or lost without reconnecting. */
  | { state: "closed"; reason: string };

/** Options of {@link RpcClient.subscribe}. */
export interface SubscribeOptions {
  /** Open the subscription again after a reconnect (heads, storage); off by default. */
  resubscribe?: boolean;
  /** Hears the connection loss that ended a subscription that is not resubscribed. */
  onLost?: (error: ConnectionLost) => void;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

interface Subscription {
  method: string;
  params: unknown[];
  onResult: (result: unknown) => void;
  options: SubscribeOptions;
}

const DEFAULT_RECONNECT: Required<ReconnectOptions> = {
  minDelayMs: 500,
  maxDelayMs: 5_000,
  heartbeatMs: 10_000,
};

/** One connection to a node's RPC. */
export class RpcClient {
  #connection: JsonRpcConnection | undefined;
  readonly #pending = new Map<number, Pending>();
  readonly #subscriptions = new Map<string, Subscription>();
  /** Notifications that arrive before their subscription id is known. */
  readonly #early = new Map<string, unknown[]>();
  readonly #listeners = new Set<(state: ConnectionState) => void>();
  #state: ConnectionState = { state: "connected" };
  #nextId = 1;
  /** Set on a reconnecting client: dials a new connection, after a wait. */
  #redial: ((reason: string) => void) | undefined;
  #closed = false;

  private constructor(provider?: JsonRpcProvider) {
    if (provider) this.#connection = provider((message) => this.#receive(message));
  }

  /** A client over `provider` (an in-process server's, or any polkadot-api provider). */
  static over(provider: JsonRpcProvider): RpcClient {
    return new RpcClient(provider);
  }

  /**
   * Connects to `url` (`ws://…` or `http://…`, which is turned into `ws://`);
   * with `options.reconnect`, the client dials again whenever the
   * connection drops (the first connection must still succeed).
   *
   * @throws {Error} when the node cannot be reached
   */
  static async connect(url: string, options: ConnectOptions = {}): Promise<RpcClient> {
    const client = new RpcClient();
    const wsUrl = url.replace(/^http/, "ws");
    await client.#dial(wsUrl);
    if (options.reconnect) {
      const settings = {
        ...DEFAULT_RECONNECT,
        ...(options.reconnect === true ? {} : options.reconnect),
      };
      client.#keepConnected(wsUrl, settings);
    }
    return client;
  }

  /** Where the connection stands now. */
  get connection(): ConnectionState {
    return this.#state;
  }

  /**
   * Calls `listener` whenever the connection is lost, retried or back;
   * returns a function that stops it.
   */
  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Calls `method`; rejects with {@link RemoteError} when the node answers
   * with an error, and with {@link ConnectionLost} when the connection is
   * down or goes down before the answer.
   */
  call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const connection = this.#connection;
    if (!connection) {
      return Promise.reject(
        new ConnectionLost(`Not connected to the node: ${this.#reasonNow()}`),
      );
    }
    const id = this.#nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
    try {
      connection.send({ jsonrpc: "2.0", id, method, params });
    } catch (e) {
      this.#pending.delete(id);
      return Promise.reject(new ConnectionLost(`Cannot send to the node: ${(e as Error).message}`));
    }
    return answer;
  }

  /** Subscribes; `onResult` hears every notification. Returns the subscription id. */
  async subscribe(
    method: string,
    params: unknown[],
    onResult: (result: unknown) => void,
    options: SubscribeOptions = {},
  ): Promise<string> {
    const subscription = { method, params, onResult, options };
    const id = await this.call<string>(method, params);
    this.#listen(id, subscription);
    return id;
  }

  /** Closes the connection, for good. */
  close(): void {
    this.#closed = true;
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.disconnect();
    this.#lost("the connection was closed");
  }

  #listen(id: string, subscription: Subscription): void {
    this.#subscriptions.set(id, subscription);
    for (const result of this.#early.get(id) ?? []) subscription.onResult(result);
    this.#early.delete(id);
  }

  #reasonNow(): string {
    const s = this.#state;
    if (s.state === "disconnected") return `${s.reason}; reconnecting`;
    return s.state === "closed" ? s.reason : "connecting";
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    for (const listener of [...this.#listeners]) listener(state);
  }

  /** Opens a WebSocket to `url` and makes it this client's connection. */
  #dial(url: string): Promise<void> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      const unreachable = () => reject(new Error(`Cannot reach the node at ${url}`));
      ws.onerror = unreachable;
      ws.onclose = unreachable;
      ws.onopen = () => {
        const connection: JsonRpcConnection = {
          send: (message) => {
            if (ws.readyState !== WebSocket.OPEN) throw new Error("the socket is closed");
            ws.send(JSON.stringify(message));
          },
          disconnect: () => ws.close(),
        };
        ws.onmessage = (event) => this.#receive(JSON.parse(event.data));
        ws.onerror = null;
        ws.onclose = () => this.#drop(connection, "the node closed the connection");
        this.#connection = connection;
        resolve();
      };
    });
  }

  /** `connection` is gone (an older one that closes late says nothing). */
  #drop(connection: JsonRpcConnection, reason: string): void {
    if (connection !== this.#connection) return;
    this.#connection = undefined;
    connection.disconnect();
    this.#lost(reason);
  }

  /** Dials `url` again, with backoff, each time the connection drops; and checks it lives. */
  #keepConnected(url: string, settings: Required<ReconnectOptions>): void {
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    this.#redial = (reason) => {
      attempt++;
      const retryInMs = Math.min(settings.maxDelayMs, settings.minDelayMs * 2 ** (attempt - 1));
      this.#setState({ state: "disconnected", reason, attempt, retryInMs });
      timer = setTimeout(async () => {
        if (this.#closed) return;
        try {
          await this.#dial(url);
        } catch (e) {
          return this.#redial?.((e as Error).message);
        }
        attempt = 0;
        this.#setState({ state: "connected" });
        await this.#resubscribe();
      }, retryInMs);
    };
    const heartbeat = settings.heartbeatMs > 0
      ? setInterval(() => void this.#check(settings.heartbeatMs), settings.heartbeatMs)
      : undefined;
    this.onConnection((state) => {
      if (state.state !== "closed") return;
      clearTimeout(timer);
      clearInterval(heartbeat);
    });
  }

  /**
   * Asks `system_health`; no answer within `ms` (a hung node, or a dead
   * network path that closes nothing) drops the connection.
   */
  async #check(ms: number): Promise<void> {
    const connection = this.#connection;
    if (!connection) return;
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const silent = await Promise.race([
      this.call("system_health").then(() => false, (e) => !(e instanceof RemoteError)),
      new Promise<boolean>((r) => timeout = setTimeout(() => r(true), ms)),
    ]);
    clearTimeout(timeout);
    if (silent) this.#drop(connection, `the node did not answer for ${ms / 1000} s`);
  }

  /** Opens the resubscribing subscriptions again on a new connection. */
  async #resubscribe(): Promise<void> {
    const again = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    this.#early.clear();
    for (const subscription of again) {
      try {
        const id = await this.call<string>(subscription.method, subscription.params);
        this.#listen(id, subscription);
      } catch {
        // Lost again meanwhile: the next reconnect takes it up.
        this.#subscriptions.set(`pending:${this.#nextId++}`, subscription);
      }
    }
  }

  /** The connection is gone: every call still waiting fails; then dial again, or close. */
  #lost(reason: string): void {
    const error = new ConnectionLost(`The connection to the node was lost: ${reason}`);
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
    for (const [id, subscription] of [...this.#subscriptions]) {
      if (subscription.options.resubscribe && this.#redial && !this.#closed) continue;
      this.#subscriptions.delete(id);
      subscription.options.onLost?.(error);
    }
    if (this.#redial && !this.#closed) this.#redial(reason);
    else if (this.#state.state !== "closed") this.#setState({ state: "closed", reason });
  }

  #receive(message: {
    id?: number;
    result?: unknown;
    error?: { code: number; message: string; data?: unknown };
    params?: { subscription: string; result: unknown };
  }): void {
    if (message.id !== undefined) {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (!pending) return;
      if (message.error) {
        pending.reject(
          new RemoteError(message.error.code, message.error.message, message.error.data),
        );
      } else pending.resolve(message.result);
      return;
    }
    if (!message.params) return;
    const { subscription, result } = message.params;
    const listener = this.#subscriptions.get(subscription);
    if (listener) listener.onResult(result);
    else this.#early.set(subscription, [...(this.#early.get(subscription) ?? []), result]);
  }
}
