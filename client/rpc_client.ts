/**
 * A JSON-RPC client for the CLI's client commands and the web app: calls
 * and Substrate-style subscriptions, to a node over a WebSocket or to an
 * in-process server (the light client's) over a provider.
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

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** One connection to a node's RPC. */
export class RpcClient {
  readonly #connection: JsonRpcConnection;
  readonly #pending = new Map<number, Pending>();
  readonly #subscriptions = new Map<string, (result: unknown) => void>();
  /** Notifications that arrive before their subscription id is known. */
  readonly #early = new Map<string, unknown[]>();
  #nextId = 1;

  private constructor(provider: JsonRpcProvider) {
    this.#connection = provider((message) => this.#receive(message));
  }

  /** A client over `provider` (an in-process server's, or any polkadot-api provider). */
  static over(provider: JsonRpcProvider): RpcClient {
    return new RpcClient(provider);
  }

  /**
   * Connects to `url` (`ws://…` or `http://…`, which is turned into `ws://`).
   *
   * @throws {Error} when the node cannot be reached
   */
  static connect(url: string): Promise<RpcClient> {
    const ws = new WebSocket(url.replace(/^http/, "ws"));
    return new Promise((resolve, reject) => {
      ws.onopen = () => {
        const client = RpcClient.over((onMessage) => {
          ws.onmessage = (event) => onMessage(JSON.parse(event.data));
          return {
            send: (message) => ws.send(JSON.stringify(message)),
            disconnect: () => ws.close(),
          };
        });
        ws.onclose = () => client.#lost();
        resolve(client);
      };
      ws.onerror = () => reject(new Error(`Cannot reach the node at ${url}`));
    });
  }

  /** Calls `method`; rejects with {@link RemoteError} when the node answers with an error. */
  call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const id = this.#nextId++;
    this.#connection.send({ jsonrpc: "2.0", id, method, params });
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
  }

  /** Subscribes; `onResult` hears every notification. Returns the subscription id. */
  async subscribe(
    method: string,
    params: unknown[],
    onResult: (result: unknown) => void,
  ): Promise<string> {
    const id = await this.call<string>(method, params);
    this.#subscriptions.set(id, onResult);
    for (const result of this.#early.get(id) ?? []) onResult(result);
    this.#early.delete(id);
    return id;
  }

  /** Closes the connection. */
  close(): void {
    this.#connection.disconnect();
    this.#lost();
  }

  /** The connection is gone: every call still waiting fails. */
  #lost(): void {
    for (const { reject } of this.#pending.values()) {
      reject(new Error("the node closed the connection"));
    }
    this.#pending.clear();
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
    if (listener) listener(result);
    else this.#early.set(subscription, [...(this.#early.get(subscription) ?? []), result]);
  }
}
