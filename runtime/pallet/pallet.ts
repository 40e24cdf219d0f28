/**
 * The pallet API: one declaration from which the runtime derives dispatch,
 * metadata and genesis.
 *
 * A pallet is a plain object made by {@link definePallet}: its storage, calls
 * (with stable indices and weights), events, errors, constants, hooks,
 * genesis config, and its storage version with the migrations to it. What it needs from other pallets is passed into the
 * function that builds it, never imported from the composition.
 *
 * @module
 */
import type { CallRef } from "../codec/call.ts";
import type { Type, TypeDesc, ValueOf } from "../codec/types.ts";
import type { Overlay, StateReader } from "../storage/overlay.ts";
import type { StorageItem } from "../storage/items.ts";
import type { ErrorMeta } from "./errors.ts";
import type { Migration } from "./migration.ts";
import type { EventMeta, PalletEvent } from "./events.ts";
import type { Origin } from "./origin.ts";
import type { RuntimeCalls } from "./runtime_calls.ts";

/** What a call, hook or genesis builder can touch. */
export interface DispatchContext {
  /** The state, inside the current transaction. */
  readonly state: Overlay;
  /** Records an event with the current phase. */
  deposit(event: PalletEvent): void;
}

/** Weight: the compute a call may use, in picoseconds (Substrate's `ref_time`). */
export type Weight = number;

/** Weight units in one second. */
export const WEIGHT_PER_SECOND: Weight = 1_000_000_000_000;

/** How a call counts against the block: ordinary, operational, or mandatory (inherents). */
export type DispatchClass = "normal" | "operational" | "mandatory";

/** Call arguments: named types, encoded in order. */
export type CallArgs = Record<string, Type<unknown>>;

/** The value of call arguments. */
export type ArgsValue<A extends CallArgs> = { [K in keyof A]: ValueOf<A[K]> };

/** A call a pallet offers. */
export interface CallSpec<A extends CallArgs = CallArgs> {
  /** Its index in the pallet's call enum: stable, never reused. */
  index: number;
  args: A;
  /** Its weight, fixed or from its arguments (measured by bench, see the pallet's weights.ts). */
  weight: Weight | ((args: ArgsValue<A>) => Weight);
  docs: string;
  /** `"normal"` unless said. */
  class?: DispatchClass;
  /** Whether the sender pays a fee; true unless said. */
  paysFee?: boolean;
  /** Does the work; throws a ModuleError or DispatchError to fail (the state is rolled back). */
  dispatch(ctx: DispatchContext, origin: Origin, args: ArgsValue<A>): void;
}

/** Declares a call; the identity, so that TypeScript infers the argument types. */
export function call<A extends CallArgs>(spec: CallSpec<A>): CallSpec<A> {
  return spec;
}

/**
 * A constant a pallet publishes in metadata: a value fixed in code, or one
 * its chain spec fixed at genesis, read from the state (`read`), so that a
 * chain's metadata shows that chain's value.
 */
export type ConstantSpec =
  & { type: Type<unknown>; docs: string }
  & ({ value: unknown; read?: undefined } | { read(state: StateReader): unknown });

/** Declares a constant fixed in code. */
export function constant<T>(type: Type<T>, value: T, docs: string): ConstantSpec {
  return { type: type as Type<unknown>, value, docs };
}

/** Declares a constant the chain spec fixes at genesis, read from the state by `read`. */
export function genesisConstant<T>(
  type: Type<T>,
  read: (state: StateReader) => T,
  docs: string,
): ConstantSpec {
  return { type: type as Type<unknown>, read, docs };
}

/** The value of `spec` on the chain whose state is `state`. */
export function constantValue(spec: ConstantSpec, state: StateReader): unknown {
  return spec.read ? spec.read(state) : spec.value;
}

/** Block hooks. */
export interface Hooks {
  /** Runs before the block's extrinsics; returns the weight it used. */
  onInitialize?(ctx: DispatchContext, blockNumber: number): Weight;
  /** Runs after the block's extrinsics. */
  onFinalize?(ctx: DispatchContext, blockNumber: number): void;
}

/** A pallet's genesis config: its JSON shape (through `type`) and how to build state from it. */
export interface GenesisSpec<G> {
  type: Type<G>;
  /** The config when a chain spec says nothing of this pallet. */
  default: G;
  build(ctx: DispatchContext, config: G): void;
}

/** Declares a genesis config; the identity, so that TypeScript infers the config type. */
export function genesisConfig<G>(spec: GenesisSpec<G>): GenesisSpec<G> {
  return spec;
}

/** Inherents: unsigned calls only the block author puts in, before any signed extrinsic. */
export interface InherentSpec {
  /** Names of the pallet's calls that are inherents. */
  calls: string[];
  /** Whether every block must carry one (checked at the end of the block). */
  required?: (ctx: DispatchContext) => boolean;
}

/** A pallet declaration. */
export interface Pallet {
  name: string;
  docs: string;
  storage?: Record<string, StorageItem>;
  // deno-lint-ignore no-explicit-any
  calls?: Record<string, CallSpec<any>>;
  events?: { meta: EventMeta[]; type: Type<{ tag: string; value: unknown }> };
  errors?: { meta: ErrorMeta[] };
  constants?: Record<string, ConstantSpec>;
  hooks?: Hooks;
  // deno-lint-ignore no-explicit-any
  genesis?: GenesisSpec<any>;
  inherent?: InherentSpec;
  /** The runtime's calls, for a pallet whose calls take calls (sudo); the runtime binds them. */
  runtimeCalls?: RuntimeCalls;
  /**
   * The layout of its storage this code reads (FRAME's `STORAGE_VERSION`), 0
   * unless said: bump it with each change of layout, and declare the
   * migration to it.
   */
  storageVersion?: number;
  /** How the state moves up to `storageVersion`, one step each (see `migration.ts`). */
  migrations?: Migration[];
}

/**
 * A call of a pallet as a value: the pallet, the call and its arguments,
 * typed as declared. It is a {@link CallRef}, so whatever takes a call by
 * names (`Runtime.encodeCall`, the test harness, sudo's `call`) takes it.
 */
export interface PalletCall<
  P extends string = string,
  C extends string = string,
  A extends Record<string, unknown> = Record<string, unknown>,
> extends CallRef {
  readonly pallet: P;
  readonly call: C;
  readonly args: A;
}

/**
 * A declared call as its pallet publishes it: the {@link CallSpec} the
 * runtime dispatches, and a function from typed arguments to the call
 * (FRAME's `Call::<T>::vote { .. }`); a call without arguments needs none.
 */
export type BoundCall<P extends string, C extends string, A extends CallArgs> =
  & CallSpec<A>
  & ((
    ...args: Record<never, never> extends ArgsValue<A> ? [args?: ArgsValue<A>]
      : [args: ArgsValue<A>]
  ) => PalletCall<P, C, ArgsValue<A>>);

/** A pallet's calls, each bound to the pallet (see {@link BoundCall}). */
export type BoundCalls<P extends string, Cs> = {
  readonly [C in keyof Cs & string]: Cs[C] extends CallSpec<infer A> ? BoundCall<P, C, A> : never;
};

/**
 * A pallet as {@link definePallet} returns it: its declaration, with its
 * name as a literal type and its calls bound, so that `pallet.calls.x(args)`,
 * `pallet.events.X(fields)`, `pallet.errors.X()` and `pallet.storage.X` are
 * all checked by the compiler.
 */
export type DefinedPallet<P extends Pallet, N extends string = P["name"]> =
  & Omit<P, "name" | "calls">
  & { readonly name: N }
  & (P extends { calls: infer Cs } ? { readonly calls: BoundCalls<N, Cs> } : { calls?: undefined });

/**
 * Declares a pallet: the declaration as given, with each call made a
 * function that builds it from typed arguments (see {@link BoundCall}).
 *
 * @example
 * ```ts
 * import { call, definePallet } from "./pallet.ts";
 * import { t } from "../codec/types.ts";
 * const polls = definePallet({
 *   name: "Polls",
 *   docs: "Yes/no polls.",
 *   calls: {
 *     vote: call({
 *       index: 0,
 *       args: { pollId: t.u32, aye: t.bool },
 *       weight: 1_000_000,
 *       docs: "Vote on a poll.",
 *       dispatch() {},
 *     }),
 *   },
 * });
 * const vote = polls.calls.vote({ pollId: 7, aye: true });
 * if (vote.pallet !== "Polls" || vote.call !== "vote" || polls.calls.vote.index !== 0) {
 *   throw new Error("bound call");
 * }
 * ```
 */
export function definePallet<N extends string, P extends Pallet & { name: N }>(
  pallet: P & { name: N },
): DefinedPallet<P, N> {
  if (!pallet.calls) return pallet as unknown as DefinedPallet<P, N>;
  const calls: Record<string, CallSpec> = {};
  for (const [name, spec] of Object.entries(pallet.calls)) {
    calls[name] = bindCall(pallet.name, name, spec);
  }
  return { ...pallet, calls } as unknown as DefinedPallet<P, N>;
}

function bindCall(pallet: string, call: string, spec: CallSpec): CallSpec {
  const make = (args: Record<string, unknown> = {}): PalletCall => ({ pallet, call, args });
  return Object.assign(make, spec);
}

/** The metadata type of a call's arguments. */
export function argsDesc(spec: CallSpec): { name: string; type: TypeDesc }[] {
  return Object.entries(spec.args).map(([name, type]) => ({ name, type: type.desc }));
}
