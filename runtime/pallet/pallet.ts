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

/** Declares a pallet; the identity, for type inference and a single place to read. */
export function definePallet<P extends Pallet>(pallet: P): P {
  return pallet;
}

/** The metadata type of a call's arguments. */
export function argsDesc(spec: CallSpec): { name: string; type: TypeDesc }[] {
  return Object.entries(spec.args).map(([name, type]) => ({ name, type: type.desc }));
}
