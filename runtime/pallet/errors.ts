/**
 * Dispatch errors: what a failed call reports in `ExtrinsicFailed`.
 *
 * A pallet declares its errors once with {@link defineErrors}; each is thrown
 * as a {@link ModuleError} that names the pallet and the error's index, which
 * metadata maps back to the error's name and docs.
 *
 * @module
 */

/** The dispatch errors that do not belong to a pallet, named as in Substrate. */
export type DispatchErrorKind =
  | "Other"
  | "CannotLookup"
  | "BadOrigin"
  | "ConsumerRemaining"
  | "NoProviders"
  | "Arithmetic"
  | "Exhausted";

/** A dispatch failure outside any pallet: a bad origin, an arithmetic overflow. */
export class DispatchError extends Error {
  override name = "DispatchError";
  constructor(readonly kind: DispatchErrorKind, message?: string) {
    super(message ?? kind);
  }
}

/** A pallet's own error, thrown from its calls and hooks. */
export class ModuleError extends Error {
  override name = "ModuleError";
  constructor(
    /** The declaring pallet's name. */
    readonly pallet: string,
    /** The error's name. */
    readonly error: string,
    /** The error's index in the pallet's error enum. */
    readonly index: number,
    /** The error's documentation. */
    readonly docs: string,
  ) {
    super(`${pallet}.${error}: ${docs}`);
  }
}

/** What metadata lists for one error. */
export interface ErrorMeta {
  name: string;
  index: number;
  docs: string;
}

/** A pallet's declared errors: a factory per error plus their metadata. */
export type DeclaredErrors<E extends Record<string, string>> =
  & { readonly [K in keyof E]: () => ModuleError }
  & { readonly meta: ErrorMeta[] };

/**
 * Declares a pallet's errors, indexed in declaration order.
 *
 * @example
 * ```ts
 * import { defineErrors } from "./errors.ts";
 * const errors = defineErrors("Template", { NoneValue: "No value was ever stored." });
 * if (errors.NoneValue().index !== 0) throw new Error("index");
 * ```
 */
export function defineErrors<E extends Record<string, string>>(
  pallet: string,
  declared: E,
): DeclaredErrors<E> {
  const meta: ErrorMeta[] = Object.entries(declared).map(([name, docs], index) => ({
    name,
    index,
    docs,
  }));
  const out: Record<string, unknown> = { meta };
  for (const { name, index, docs } of meta) {
    out[name] = () => new ModuleError(pallet, name, index, docs);
  }
  return out as DeclaredErrors<E>;
}

/** `a + b`, or `Arithmetic` when the sum leaves `[0, max]`. */
export function checkedAdd(a: bigint, b: bigint, max = (1n << 128n) - 1n): bigint {
  const sum = a + b;
  if (sum < 0n || sum > max) throw new DispatchError("Arithmetic", "Arithmetic overflow");
  return sum;
}

/** `a - b`, or `Arithmetic` when it would go below zero. */
export function checkedSub(a: bigint, b: bigint): bigint {
  if (b > a) throw new DispatchError("Arithmetic", "Arithmetic underflow");
  return a - b;
}
