/**
 * The table of methods a server answers: plain calls and the subscribe and
 * unsubscribe methods of each subscription.
 *
 * @module
 */
import type { RpcParams } from "./_message.ts";
import type { RpcError } from "./error.ts";

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

/** What a method name stands for. */
export type MethodEntry =
  | { kind: "call"; handler: RpcHandler; unsafe: boolean }
  | { kind: "subscribe"; spec: SubscriptionSpec }
  | { kind: "unsubscribe"; spec: SubscriptionSpec };

/** Method names and what they stand for; a name is registered once. */
export class Registry {
  readonly #entries = new Map<string, MethodEntry>();

  /** Adds methods, all or none. @throws {TypeError} when a name is taken */
  add(entries: ReadonlyArray<readonly [string, MethodEntry]>): void {
    const names = entries.map(([name]) => name);
    for (const [index, name] of names.entries()) {
      if (this.#entries.has(name) || names.indexOf(name) !== index) {
        throw new TypeError(`Cannot register method: ${name} is already registered`);
      }
    }
    for (const [name, entry] of entries) this.#entries.set(name, entry);
  }

  /** The entry for a method name, if any. */
  get(name: string): MethodEntry | undefined {
    return this.#entries.get(name);
  }

  /** Every method name, sorted. */
  names(): string[] {
    return [...this.#entries.keys()].sort();
  }
}
