/**
 * What a runtime API is: named methods, each taking SCALE input and giving
 * SCALE output, run by a host on the state of a block.
 *
 * A method declares its inputs and output as codec types (so metadata can
 * list them) and a `run` over decoded values; {@link method} turns that into
 * `call(host, state, input) => output bytes`.
 *
 * @module
 */
import type { Header } from "../block/header.ts";
import { decode, encode, t, type Type, type TypeDesc, type ValueOf } from "../codec/types.ts";
import type { BlockBuilder, Executive } from "../executive/executive.ts";
import type { StateReader } from "../storage/overlay.ts";

/** What runs runtime APIs: the executive (its runtime, trie and signature verifier). */
export interface ApiHost {
  executive: Executive;
}

/**
 * The state runtime API calls run on: the block `at`, read-only, and the
 * block being built on it when a caller starts one (`Core_initialize_block`,
 * or the first `BlockBuilder_*` call). Nothing written here reaches the
 * chain: the builder's overlay is dropped with this object.
 */
export class ApiState {
  /** The block whose state the calls see. */
  readonly at: Header;
  /** The state at `at`. */
  readonly reader: StateReader;
  /** The block built on `at` within this sequence of calls, once started. */
  builder?: BlockBuilder;

  constructor(host: ApiHost, at: Header) {
    this.at = at;
    this.reader = host.executive.stateAt(at.stateRoot);
  }

  /** The block being built on `at`, started with no digest if no call started it. */
  blockBuilder(host: ApiHost): BlockBuilder {
    return this.builder ??= host.executive.buildBlock(this.at, []);
  }
}

/** Why a runtime API call failed. */
export type RuntimeApiErrorCode =
  | "RUNTIME_API_UNKNOWN_METHOD"
  | "RUNTIME_API_BAD_INPUT"
  | "RUNTIME_API_EXECUTION_FAILED";

/** A runtime API call that gave no output. */
export class RuntimeApiError extends Error {
  override name = "RuntimeApiError";
  constructor(
    readonly code: RuntimeApiErrorCode,
    readonly method: string,
    message: string,
  ) {
    super(message);
  }
}

/** A method of a runtime API. */
export interface RuntimeApiMethod {
  /** Inputs in SCALE order. */
  inputs: { name: string; type: Type<unknown> }[];
  output: Type<unknown>;
  docs: string;
  /** Decodes `input`, runs the method, encodes its output. */
  call(host: ApiHost, state: ApiState, input: Uint8Array, name: string): Uint8Array;
}

/** A runtime API: its name, version and methods. */
export interface RuntimeApi {
  api: string;
  version: number;
  docs: string;
  methods: Record<string, RuntimeApiMethod>;
}

type Inputs = Record<string, Type<unknown>>;

/**
 * A method from its inputs (in SCALE order), output type and body.
 *
 * @example
 * ```ts
 * import { t } from "../codec/types.ts";
 * import { method } from "./api.ts";
 * const double = method({
 *   inputs: { n: t.u32 },
 *   output: t.u32,
 *   docs: "Twice `n`.",
 *   run: (_host, _state, { n }) => 2 * n,
 * });
 * if (double.inputs[0].name !== "n") throw new Error("inputs");
 * ```
 */
export function method<I extends Inputs, O>(spec: {
  inputs: I;
  output: Type<O>;
  docs: string;
  run(host: ApiHost, state: ApiState, args: { [K in keyof I]: ValueOf<I[K]> }): O;
}): RuntimeApiMethod {
  const inputType = t.struct("Input", spec.inputs);
  return {
    inputs: Object.entries(spec.inputs).map(([name, type]) => ({ name, type })),
    output: spec.output as Type<unknown>,
    docs: spec.docs,
    call(host, state, input, name) {
      let args;
      try {
        args = decode(inputType, input, "input");
      } catch (e) {
        throw new RuntimeApiError(
          "RUNTIME_API_BAD_INPUT",
          name,
          `Bad input data provided to ${name}: ${(e as Error).message}`,
        );
      }
      return encode(
        spec.output,
        spec.run(host, state, args as { [K in keyof I]: ValueOf<I[K]> }),
      );
    },
  };
}

/** A runtime API as metadata lists it (V15's `RuntimeApiMetadata`, types as descriptions). */
export interface RuntimeApiMetadata {
  name: string;
  /** Its version in `RuntimeVersion.apis`. */
  version: number;
  methods: {
    name: string;
    inputs: { name: string; type: TypeDesc }[];
    output: TypeDesc;
    docs: string;
  }[];
  docs: string;
}
