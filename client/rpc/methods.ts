/**
 * What a JSON-RPC server is made of, apart from its transport: method
 * handlers and Substrate-style subscriptions, registered on a
 * {@link MethodTable}. The node's HTTP and WebSocket server is one such
 * table, and the light client's in-process provider another, so the same
 * methods serve both.
 *
 * @module
 */
import type { RpcError } from "./error.ts";

/** The parameters a handler receives: by position or by name. */
export type RpcParams = unknown[] | Record<string, unknown>;

/** A method handler; throw `RpcError` to answer with a JSON-RPC error. */
export type RpcHandler = (params: RpcParams) => unknown | Promise<unknown>;

/** Stops a subscription's producer; called exactly once, however the subscription ends. */
export type StopSubscription = () => void;

/** A Substrate-style subscription (e.g. `chain_subscribeNewHeads`). */
export interface SubscriptionSpec {
  /** The method that opens a subscription and answers with its id. */
  subscribe: string;
  /**
   * The method that takes a subscription id and answers whether it was open
   * (Substrate's methods), or `null` whatever it was (`unsubscribeAnswersNull`,
   * as the new JSON-RPC spec's `chainHead_v1_unfollow` does).
   */
  unsubscribe: string;
  /** The unsubscribe method answers `null` rather than whether the subscription was open. */
  unsubscribeAnswersNull?: boolean;
  /**
   * At most this many of these subscriptions on one connection, past which
   * the subscribe method fails with `error` (the connection-wide limit
   * still applies).
   */
  perConnection?: { max: number; error: RpcError };
  /** The `method` of the notifications sent for the subscription. */
  notification: string;
  /**
   * Starts producing for one subscription. `emit(result)` sends a
   * notification (results emitted before the subscribe call is answered are
   * held back until it is); `close()` ends the subscription from the server
   * side, after which `emit` does nothing. `id` is the subscription id the
   * client is answered with, for methods that name the subscription (as
   * `chainHead_v1_header` names its `chainHead_v1_follow`). Throw `RpcError`
   * (or reject) to refuse the subscription.
   *
   * @returns the function that stops the producer
   */
  start(
    params: RpcParams,
    emit: (result: unknown) => void,
    close: () => void,
    id: string,
  ): StopSubscription | Promise<StopSubscription>;
}

/** How a method is registered. */
export interface MethodOptions {
  /**
   * The method changes the node's state other than by submitting a
   * transaction (e.g. `engine_createBlock`): a server serving only safe
   * methods answers it `-32601` "RPC call is unsafe to be called externally".
   * Default: false.
   */
  unsafe?: boolean;
}

/** Where methods are registered: a server, or an in-process provider. */
export interface MethodTable {
  /** Registers a plain method. @throws {TypeError} when the name is taken */
  register(method: string, handler: RpcHandler, options?: MethodOptions): void;
  /** Registers a subscription's subscribe and unsubscribe methods. @throws {TypeError} when a name is taken */
  registerSubscription(spec: SubscriptionSpec): void;
}
