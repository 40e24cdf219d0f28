/**
 * A JSON-RPC server without a network: methods registered on it answer
 * messages passed in memory. Each {@link InProcessServer.provider}
 * connection is a polkadot-api `JsonRpcProvider` (message objects in and
 * out, each one serialized on the way as over a socket, so nothing is
 * shared between the two sides), so
 * polkadot-api, the project's {@link RpcClient} and the node's HTTP and
 * WebSocket server (which forwards each socket's messages) all speak to it
 * as they speak to a node. The light client serves its methods this way.
 *
 * @example
 * ```ts
 * import { InProcessServer } from "./in_process.ts";
 *
 * const server = new InProcessServer();
 * server.register("system_name", () => "sutantra-light");
 * const answers: { result?: unknown }[] = [];
 * const connection = server.provider((message) => answers.push(message));
 * connection.send({ jsonrpc: "2.0", id: 1, method: "system_name", params: [] });
 * await new Promise((resolve) => setTimeout(resolve, 10));
 * if (answers[0].result !== "sutantra-light") throw new Error("answered");
 * connection.disconnect();
 * ```
 *
 * @module
 */
import { dispatch, type Session } from "./dispatch.ts";
import type { MethodOptions, MethodTable, RpcHandler, SubscriptionSpec } from "./methods.ts";
import { Registry } from "./registry.ts";
import { type ReportError, Subscriptions } from "./subscriptions.ts";

/** A JSON-RPC message: a request, a response or a notification. */
// deno-lint-ignore no-explicit-any
export type JsonRpcMessage = any;

/** One connection's way to send a message (polkadot-api's `JsonRpcConnection`). */
export interface JsonRpcConnection {
  /** Sends one JSON-RPC request. */
  send(message: JsonRpcMessage): void;
  /** Ends the connection and every subscription on it. */
  disconnect(): void;
}

/** Opens a connection whose answers and notifications reach `onMessage` (polkadot-api's `JsonRpcProvider`). */
export type JsonRpcProvider = (onMessage: (message: JsonRpcMessage) => void) => JsonRpcConnection;

/** Limits of an in-process server (the same as the node's RPC server defaults). */
export interface InProcessLimits {
  /** The most requests in one batch. */
  maxBatch: number;
  /** The largest answer, in bytes. */
  maxResponseBytes: number;
  /** The most subscriptions open on one connection. */
  maxSubscriptions: number;
}

const DEFAULT_LIMITS: InProcessLimits = {
  maxBatch: 256,
  maxResponseBytes: 10 * 1024 * 1024,
  maxSubscriptions: 1024,
};

/** Methods answered in memory, to any number of connections. */
export class InProcessServer implements MethodTable {
  readonly #registry = new Registry();
  readonly #limits: InProcessLimits;
  readonly #report: ReportError;

  /** A server; `report` hears a method's unexpected failure (answered as an internal error). */
  constructor(options: { limits?: Partial<InProcessLimits>; report?: ReportError } = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#report = options.report ?? (() => {});
    this.register("rpc_methods", () => ({ methods: this.methods() }));
  }

  /** Registers a plain method. @throws {TypeError} when the name is taken */
  register(method: string, handler: RpcHandler, options: MethodOptions = {}): void {
    this.#registry.register(method, handler, options);
  }

  /** Registers a subscription. @throws {TypeError} when a name is taken */
  registerSubscription(spec: SubscriptionSpec): void {
    this.#registry.registerSubscription(spec);
  }

  /** The registered method names, sorted. */
  methods(): string[] {
    return this.#registry.names();
  }

  /** A connection: each message sent is answered to `onMessage`, in order of the answers. */
  readonly provider: JsonRpcProvider = (onMessage) => {
    let open = true;
    const deliver = (text: string) => {
      if (open) onMessage(JSON.parse(text));
    };
    const subscriptions = new Subscriptions(deliver, this.#limits.maxSubscriptions, this.#report);
    return {
      send: (message) => {
        if (!open) return;
        const session: Session = { subscriptions, afterReply: [] };
        dispatch(JSON.stringify(message), {
          registry: this.#registry,
          maxBatch: this.#limits.maxBatch,
          maxResponseBytes: this.#limits.maxResponseBytes,
          denyUnsafe: false,
          report: this.#report,
          session,
        }).then((reply) => {
          if (reply !== undefined) deliver(reply);
          for (const start of session.afterReply) start();
        }, (error) => this.#report(error, "dispatch"));
      },
      disconnect: () => {
        open = false;
        subscriptions.closeAll();
      },
    };
  };
}
