/**
 * A codec from a type's description alone: what a client needs to encode
 * calls and decode storage from a node's metadata, without the runtime's code.
 *
 * @module
 */
import { multiSignatureType } from "../crypto/multi_signature_codec.ts";
import { t, type Type, type TypeDesc } from "./types.ts";
import {
  callCodec,
  type CallEnumValue,
  type CallRef,
  type CallsDesc,
  runtimeCallDesc,
} from "./call.ts";

const PRIMITIVES: Record<string, Type<unknown>> = {
  bool: t.bool,
  u8: t.u8,
  u16: t.u16,
  u32: t.u32,
  u64: t.u64,
  u128: t.u128,
  str: t.str,
};

const COMPACTS: Record<string, Type<unknown>> = {
  u32: t.compactU32,
  u64: t.compactU64,
  u128: t.compactU128,
};

/**
 * The codec a description stands for; `fromJson`/`toJson` convert its values.
 * A call argument (`{ kind: "call" }`) is coded against `calls`, the
 * runtime's calls as its metadata lists them; without them, such a codec
 * fails when it is used.
 *
 * @example
 * ```ts
 * import { typeOfDesc } from "./from_desc.ts";
 * import { encode, t } from "./types.ts";
 * const transfer = t.struct("T", { to: t.accountId, amount: t.compactU128 });
 * const value = { to: new Uint8Array(32), amount: 5n };
 * const a = encode(transfer, value);
 * const b = encode(typeOfDesc(transfer.desc), value);
 * if (a.join() !== b.join()) throw new Error("same bytes");
 * ```
 */
export function typeOfDesc(desc: TypeDesc, calls?: CallsDesc): Type<unknown> {
  const type = codecOf(desc, calls);
  return desc.name === undefined || type.desc.name === desc.name ? type : t.named(type, desc.name);
}

function codecOf(desc: TypeDesc, calls: CallsDesc | undefined): Type<unknown> {
  const typeOf = (d: TypeDesc) => typeOfDesc(d, calls);
  switch (desc.kind) {
    case "primitive":
      if (desc.primitive === "str" && desc.max !== undefined) {
        return t.boundedStr(desc.max) as Type<unknown>;
      }
      return PRIMITIVES[desc.primitive];
    case "compact":
      return COMPACTS[desc.primitive];
    case "bytes":
      return (desc.max === undefined ? t.bytes : t.boundedBytes(desc.max)) as Type<unknown>;
    case "array":
      return t.fixedBytes(desc.length) as Type<unknown>;
    case "vec":
      return t.vec(typeOf(desc.item)) as Type<unknown>;
    case "option":
      return t.option(typeOf(desc.inner)) as Type<unknown>;
    case "tuple":
      return desc.items.length === 0
        ? t.unit as Type<unknown>
        : t.tuple(...desc.items.map(typeOf)) as Type<unknown>;
    case "struct":
      return t.struct(
        desc.name ?? "Struct",
        Object.fromEntries(desc.fields.map((f) => [f.name, typeOf(f.type)])),
      ) as Type<unknown>;
    case "enum":
      // Its TypeScript value is `{ type, signature }`, as the runtime's codec has it.
      if (desc.name === "MultiSignature") return multiSignatureType as Type<unknown>;
      return t.enum(
        desc.name ?? "Enum",
        Object.fromEntries(desc.variants.map((v) => [v.name, v.type ? typeOf(v.type) : null])),
        Object.fromEntries(desc.variants.map((v) => [v.name, v.index])),
      ) as Type<unknown>;
    case "call":
      return callTypeOf(calls) as Type<unknown>;
  }
}

const callTypes = new WeakMap<CallsDesc, Type<CallRef>>();

/**
 * The call codec over `calls`, one per `calls` object: the call enum it
 * resolves to holds this same codec wherever a call takes a call.
 */
function callTypeOf(calls: CallsDesc | undefined): Type<CallRef> {
  if (!calls) {
    return callCodec(() => {
      throw new TypeError("Cannot code a RuntimeCall: no runtime calls (metadata) given");
    });
  }
  let type = callTypes.get(calls);
  if (!type) {
    type = callCodec(() => typeOfDesc(runtimeCallDesc(calls), calls) as Type<CallEnumValue>);
    callTypes.set(calls, type);
  }
  return type;
}
