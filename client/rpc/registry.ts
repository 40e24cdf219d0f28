/**
 * The table of methods a server answers: plain calls and the subscribe and
 * unsubscribe methods of each subscription.
 *
 * @module
 */
import type { MethodOptions, MethodTable, RpcHandler, SubscriptionSpec } from "./methods.ts";

/** What a method name stands for. */
export type MethodEntry =
  | { kind: "call"; handler: RpcHandler; unsafe: boolean }
  | { kind: "subscribe"; spec: SubscriptionSpec }
  | { kind: "unsubscribe"; spec: SubscriptionSpec };

/** Method names and what they stand for; a name is registered once. */
export class Registry implements MethodTable {
  readonly #entries = new Map<string, MethodEntry>();

  /** Registers a plain method. @throws {TypeError} when the name is taken */
  register(method: string, handler: RpcHandler, options: MethodOptions = {}): void {
    this.add([[method, { kind: "call", handler, unsafe: options.unsafe ?? false }]]);
  }

  /** Registers a subscription's subscribe and unsubscribe methods. @throws {TypeError} when a name is taken */
  registerSubscription(spec: SubscriptionSpec): void {
    this.add([
      [spec.subscribe, { kind: "subscribe", spec }],
      [spec.unsubscribe, { kind: "unsubscribe", spec }],
    ]);
  }

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
