/**
 * The calls of the runtime a pallet is composed into, for a pallet that
 * takes calls as arguments and dispatches them (sudo; a batch some day).
 *
 * A pallet cannot import the composition (it sits on a floor below it), and
 * the runtime's call enum, which holds this pallet's calls, does not exist
 * yet when the pallet is declared. So the pallet declares a
 * {@link RuntimeCalls} and names it in its declaration (`runtimeCalls`);
 * the `Runtime` binds it when it composes the pallets — Substrate's
 * `type RuntimeCall` in a pallet's `Config`, resolved by `construct_runtime!`.
 *
 * @example
 * ```ts ignore
 * const calls = new RuntimeCalls();
 * definePallet({
 *   name: "Sudo",
 *   runtimeCalls: calls,
 *   calls: {
 *     sudo: call({
 *       index: 0,
 *       args: { call: calls.type },
 *       weight: ({ call }) => 1_000_000 + calls.weight(call),
 *       dispatch: (ctx, origin, { call }) => calls.dispatch(ctx, { kind: "root" }, call),
 *       docs: "…",
 *     }),
 *   },
 * });
 * ```
 *
 * @module
 */
import { callCodec, type CallEnumValue, type CallRef } from "../codec/call.ts";
import type { Type } from "../codec/types.ts";
import type { Origin } from "./origin.ts";
import type { DispatchContext, Weight } from "./pallet.ts";

export type { CallRef };

/** What a composed runtime lends the pallets that take its calls. */
export interface CallDispatcher {
  /** The runtime's call enum. */
  readonly callType: Type<CallEnumValue>;
  /** The index of the pallet called `name`. */
  palletIndex(name: string): number;
  /** The weight `call` declares for its arguments (without what every extrinsic costs). */
  callWeight(call: CallRef): Weight;
  /** Runs `call`'s dispatch as `origin`; throws what it throws. */
  dispatch(ctx: DispatchContext, origin: Origin, call: CallRef): void;
}

/** A pallet's handle on the calls of the runtime it is composed into, bound at composition. */
export class RuntimeCalls {
  #runtime: CallDispatcher | undefined;

  /**
   * The type of an argument that carries a call: SCALE `RuntimeCall`,
   * described as `{ kind: "call" }`, nested at most `MAX_CALL_DEPTH` deep.
   */
  readonly type: Type<CallRef> = callCodec(() => this.#bound().callType);

  /**
   * Binds these calls to the runtime composing the pallet; called by the
   * `Runtime`, once.
   *
   * @throws {TypeError} when they are already bound to another runtime
   */
  bind(runtime: CallDispatcher): void {
    if (this.#runtime && this.#runtime !== runtime) {
      throw new TypeError("Cannot compose runtime: a pallet's calls are bound to another runtime");
    }
    this.#runtime = runtime;
  }

  /** The weight `call` declares for its arguments. */
  weight(call: CallRef): Weight {
    return this.#bound().callWeight(call);
  }

  /**
   * Dispatches `call` as `origin`, in the caller's storage transaction:
   * wrap it in `ctx.state.transaction` to keep its failure from undoing the
   * caller's own writes.
   */
  dispatch(ctx: DispatchContext, origin: Origin, call: CallRef): void {
    this.#bound().dispatch(ctx, origin, call);
  }

  /** The index of the pallet called `name` (for a `Module` dispatch error). */
  palletIndex(name: string): number {
    return this.#bound().palletIndex(name);
  }

  #bound(): CallDispatcher {
    if (!this.#runtime) throw new TypeError("RuntimeCalls used before a runtime composed them");
    return this.#runtime;
  }
}
