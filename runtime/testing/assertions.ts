/**
 * Assertions on a test chain: Substrate's `assert_noop!`,
 * `System::assert_last_event` and `System::assert_has_event`.
 *
 * Each takes a typed call or event (`pallet.calls.x(args)`,
 * `pallet.events.X(fields)`), which the compiler checks, or names, as
 * input from outside comes.
 *
 * @example
 * ```ts
 * import { assertLastEvent, assertNoop } from "./assertions.ts";
 * import { dev, TestExt } from "./mod.ts";
 * import { template } from "../../pallets/template/mod.ts";
 * const ext = new TestExt();
 * assertNoop(ext, template.calls.causeError(), dev.alice, template.errors.NoneValue);
 * ext.apply(template.calls.doSomething({ something: 7 }), dev.alice);
 * assertLastEvent(ext, template.events.SomethingStored({ something: 7, who: dev.alice.publicKey }));
 * ```
 *
 * @module
 */
import type { CallRef } from "../codec/call.ts";
import type { EventRecord } from "../executive/runtime.ts";
import { type DispatchErrorKind, ModuleError } from "../pallet/errors.ts";
import type { PalletEvent } from "../pallet/events.ts";
import { type Caller, type CallInput, callOf, type TestExternalities } from "./externalities.ts";

/**
 * The error a call is expected to fail with: a pallet's error (`errors.X`
 * or `errors.X()`) or a dispatch error outside any pallet (`"BadOrigin"`).
 */
export type ExpectedError = DispatchErrorKind | ModuleError | (() => ModuleError);

/** How a {@link CallResult} names `error`: `"Pallet.Error"`, or the dispatch error's kind. */
function errorName(error: ExpectedError | string): string {
  const e = typeof error === "function" ? error() : error;
  return e instanceof ModuleError ? `${e.pallet}.${e.error}` : e;
}

/**
 * The error of class `type` that `fn` throws; fails when `fn` throws nothing
 * or something else (rethrown as is).
 */
export function thrownBy<E extends Error>(
  // deno-lint-ignore no-explicit-any
  type: new (...args: any[]) => E,
  fn: () => unknown,
): E {
  try {
    fn();
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(`expected a ${type.name}`);
}

/** Fails with `message` unless `cond`. */
function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/** Asserts that `call` fails with `error` AND leaves every storage key as it was. */
export function assertNoop(
  ext: TestExternalities,
  call: CallRef,
  caller: Caller,
  error: ExpectedError,
): void;
/** {@link assertNoop} of a call given by names, its error as `"Pallet.Error"` or a kind. */
export function assertNoop(
  ext: TestExternalities,
  pallet: string,
  call: string,
  args: Record<string, unknown>,
  caller: Caller,
  error: string,
): void;
export function assertNoop(ext: TestExternalities, ...input: unknown[]): void {
  const byNames = input.length === 5;
  const ref = callOf((byNames ? input.slice(0, 3) : input.slice(0, 1)) as CallInput);
  const [caller, error] = input.slice(byNames ? 3 : 1) as [Caller, ExpectedError | string];
  const what = `${ref.pallet}.${ref.call}`;
  const before = ext.snapshot();
  const result = ext.apply(ref, caller);
  const expected = errorName(error);
  check(!result.ok, `${what} succeeded; expected ${expected}`);
  check(result.error === expected, `${what} failed with ${result.error}; expected ${expected}`);
  const after = ext.snapshot();
  check(before.size === after.size, `${what} changed the number of storage keys`);
  for (const [k, v] of before) {
    check(after.get(k) === v, `${what} changed storage key ${k}`);
  }
}

/** An event to look for: its pallet, name and (some of) its fields. */
interface Wanted {
  pallet: string;
  name: string;
  fields: Record<string, unknown>;
}

function wanted(input: unknown[]): Wanted {
  if (typeof input[0] !== "string") {
    const event = input[0] as PalletEvent;
    return { pallet: event.pallet, name: event.name, fields: event.data };
  }
  return {
    pallet: input[0],
    name: input[1] as string,
    fields: (input[2] ?? {}) as Record<string, unknown>,
  };
}

function matches(event: EventRecord, want: Wanted): boolean {
  if (event.pallet !== want.pallet || event.name !== want.name) return false;
  return Object.entries(want.fields).every(([k, v]) => same(event.data[k], v));
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) =>
      same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    );
  }
  return a === b;
}

function describe(events: EventRecord[]): string {
  return events.map((e) => `${e.pallet}.${e.name}`).join(", ") || "none";
}

/** Asserts that the last event of the open block is `event`, every field equal. */
export function assertLastEvent(ext: TestExternalities, event: PalletEvent): void;
/** Asserts that the last event of the open block is `pallet.name` with (at least) `fields`. */
export function assertLastEvent(
  ext: TestExternalities,
  pallet: string,
  name: string,
  fields?: Record<string, unknown>,
): void;
export function assertLastEvent(ext: TestExternalities, ...input: unknown[]): void {
  const want = wanted(input);
  const events = ext.events();
  const last = events.at(-1);
  check(
    last !== undefined && matches(last, want),
    `last event is not ${want.pallet}.${want.name} with the given fields; events: ${
      describe(events)
    }`,
  );
}

/** Asserts that some event of the open block is `event`, every field equal. */
export function assertEvent(ext: TestExternalities, event: PalletEvent): void;
/** Asserts that some event of the open block is `pallet.name` with (at least) `fields`. */
export function assertEvent(
  ext: TestExternalities,
  pallet: string,
  name: string,
  fields?: Record<string, unknown>,
): void;
export function assertEvent(ext: TestExternalities, ...input: unknown[]): void {
  const want = wanted(input);
  const events = ext.events();
  check(
    events.some((e) => matches(e, want)),
    `no ${want.pallet}.${want.name} event with the given fields; events: ${describe(events)}`,
  );
}
