/**
 * Calls as values: "a call of this runtime" (Substrate's `RuntimeCall`), the
 * type of an argument that carries another call, as sudo's `call` does.
 *
 * A call's shape is the runtime's pallets and calls, which no single type
 * description can spell out (sudo's call may hold a sudo call: the type is
 * recursive), so its description is the reference {@link CALL_DESC} and its
 * codec resolves it lazily against the calls of a runtime: the runtime's own
 * call enum (see `runtime/pallet/runtime_calls.ts`), or the calls a client
 * reads from a node's metadata ({@link CallsDesc}).
 *
 * A call value is `{ pallet, call, args }` with names, as a client writes it
 * and `Runtime.encodeCall` takes it; on the wire it is the usual
 * `palletIndex ++ callIndex ++ args`.
 *
 * Nesting is bounded: a call holds at most {@link MAX_CALL_DEPTH} calls inside
 * it, so a crafted `sudo(sudo(sudo(…)))` is refused when it is decoded
 * instead of exhausting the stack.
 *
 * @example
 * ```ts
 * import { CALL_DESC, type CallsDesc } from "./call.ts";
 * import { typeOfDesc } from "./from_desc.ts";
 * import { encode } from "./types.ts";
 * const calls: CallsDesc = {
 *   pallets: [{
 *     name: "System",
 *     index: 0,
 *     calls: [{ name: "remark", index: 7, args: [{ name: "remark", type: { kind: "bytes" } }] }],
 *   }],
 * };
 * const call = { pallet: "System", call: "remark", args: { remark: new Uint8Array([1]) } };
 * const bytes = encode(typeOfDesc(CALL_DESC, calls), call);
 * if (bytes.join() !== "0,7,4,1") throw new Error("palletIndex ++ callIndex ++ args");
 * ```
 *
 * @module
 */
import { DecodeError, type Type, type TypeDesc } from "./types.ts";

/** A call by names, with its arguments as typed values. */
export interface CallRef {
  pallet: string;
  call: string;
  args: Record<string, unknown>;
}

/**
 * How many calls may nest inside a call. Substrate decodes an extrinsic to a
 * depth of 256 nested types (`MAX_EXTRINSIC_DEPTH`), and a nested call costs
 * about four of them there (the runtime's call enum, the pallet's, the call
 * and its box), so 64 nested calls is about what Substrate accepts; honest
 * use nests two or three.
 */
export const MAX_CALL_DEPTH = 64;

/** The description of a call argument: a reference to the runtime's call type. */
export const CALL_DESC: TypeDesc = { kind: "call", name: "RuntimeCall" };

/** The calls of a runtime, as metadata lists them: what {@link CALL_DESC} resolves against. */
export interface CallsDesc {
  readonly pallets: readonly {
    readonly name: string;
    readonly index: number;
    readonly calls: readonly {
      readonly name: string;
      readonly index: number;
      readonly args: readonly { name: string; type: TypeDesc }[];
    }[];
  }[];
}

/** The runtime's call enum as it decodes: the pallet, then its call, then the arguments. */
export type CallEnumValue = { tag: string; value: { tag: string; value: unknown } };

let depth = 0;

/**
 * Runs `fn` one call deeper; past {@link MAX_CALL_DEPTH} it throws what
 * `tooDeep` makes instead. The count is shared by every call codec and
 * parser: work on calls is synchronous, so it is exactly the nesting of the
 * call being worked on.
 */
export function nestedCall<T>(fn: () => T, tooDeep: (message: string) => Error): T {
  if (depth >= MAX_CALL_DEPTH) {
    throw tooDeep(`calls nested deeper than ${MAX_CALL_DEPTH}`);
  }
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

/**
 * The codec of a call argument over a runtime's call enum, which `resolve`
 * gives on first use (the enum holds this very codec when a call takes a
 * call, so it cannot exist before it).
 */
export function callCodec(resolve: () => Type<CallEnumValue>): Type<CallRef> {
  let calls: Type<CallEnumValue> | undefined;
  const enumType = () => calls ??= resolve();
  return {
    desc: CALL_DESC,
    encodeTo: (w, v) =>
      nestedCall(
        () => enumType().encodeTo(w, { tag: v.pallet, value: { tag: v.call, value: v.args } }),
        (m) => new RangeError(`Cannot encode RuntimeCall: ${m}`),
      ),
    decodeFrom: (r) =>
      nestedCall(() => {
        const { tag, value } = enumType().decodeFrom(r);
        return { pallet: tag, call: value.tag, args: value.value as Record<string, unknown> };
      }, (m) => new DecodeError(m)),
  };
}

/**
 * The description of a runtime's call enum: pallets (with calls) by index,
 * their calls by index, each call's arguments as a struct — the same tree
 * the runtime's own call enum describes.
 */
export function runtimeCallDesc(calls: CallsDesc): TypeDesc {
  return {
    kind: "enum",
    name: "RuntimeCall",
    variants: calls.pallets.filter((p) => p.calls.length > 0).map((p) => ({
      name: p.name,
      index: p.index,
      type: {
        kind: "enum",
        name: `${p.name}.Call`,
        variants: p.calls.map((c) => ({
          name: c.name,
          index: c.index,
          type: { kind: "struct", name: `${p.name}.${c.name}`, fields: [...c.args] },
        })),
      },
    })),
  };
}

/** The arguments of `pallet.call` as a struct description, or a TypeError naming what is unknown. */
export function callArgsDesc(calls: CallsDesc, pallet: string, call: string): TypeDesc {
  const p = calls.pallets.find((x) => x.name === pallet);
  if (!p) {
    throw new TypeError(
      `unknown pallet ${JSON.stringify(pallet)}; expected one of ${
        calls.pallets.filter((x) => x.calls.length).map((x) => x.name).join(", ")
      }`,
    );
  }
  const c = p.calls.find((x) => x.name === call);
  if (!c) {
    throw new TypeError(
      `unknown call ${p.name}.${call}; expected one of ${p.calls.map((x) => x.name).join(", ")}`,
    );
  }
  return { kind: "struct", name: `${p.name}.${c.name}`, fields: [...c.args] };
}
