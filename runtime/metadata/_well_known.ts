/**
 * Well-known types whose metadata is Substrate's own rather than what the
 * codec describes: where the codec decodes a part of Substrate's type (the
 * dispatch errors this runtime raises, one two-byte `Mortal` variant for the
 * 255 of `Era`), metadata shows the whole, which has the same bytes for every
 * value the runtime produces, so that clients that know the type by path
 * and clients that read its definition agree.
 *
 * @module
 */
import type { PortableVariant, TypeRegistry } from "./registry.ts";

/** `()`. */
export function unitType(r: TypeRegistry): number {
  return r.add({ def: { tag: "tuple", types: [] } });
}

/** `[u8; n]`. */
export function byteArray(r: TypeRegistry, n: number): number {
  return r.add({ def: { tag: "array", len: n, type: r.primitive("u8") } });
}

/** A newtype over `[u8; n]` at `path` (`AccountId32`, `H256`, signatures). */
export function byteNewtype(r: TypeRegistry, path: string, n: number): number {
  return r.add({
    path: path.split("::"),
    def: { tag: "composite", fields: [{ type: byteArray(r, n), typeName: `[u8; ${n}]` }] },
  });
}

function unitEnum(r: TypeRegistry, path: string, names: string[]): number {
  return r.add({
    path: path.split("::"),
    def: {
      tag: "variant",
      variants: names.map((name, index) => ({ name, index, fields: [] })),
    },
  });
}

/**
 * `sp_runtime::generic::era::Era`: `Immortal` (0), then `Mortal1(u8)` to
 * `Mortal255(u8)`: the first byte is the variant, the second its field, so
 * a mortal era is two bytes as `runtime/extrinsic/era.ts` writes it.
 */
export function eraType(r: TypeRegistry): number {
  const u8 = r.primitive("u8");
  const variants: PortableVariant[] = [{ name: "Immortal", index: 0, fields: [] }];
  for (let i = 1; i < 256; i++) {
    variants.push({ name: `Mortal${i}`, index: i, fields: [{ type: u8 }] });
  }
  return r.add({
    path: ["sp_runtime", "generic", "era", "Era"],
    def: { tag: "variant", variants },
  });
}

/** `sp_runtime::DispatchError` with Substrate's variants (this runtime raises a subset). */
export function dispatchErrorType(r: TypeRegistry): number {
  const moduleError = r.add({
    path: ["sp_runtime", "ModuleError"],
    def: {
      tag: "composite",
      fields: [
        { name: "index", type: r.primitive("u8"), typeName: "u8" },
        { name: "error", type: byteArray(r, 4), typeName: "[u8; MAX_MODULE_ERROR_ENCODED_SIZE]" },
      ],
    },
  });
  const token = unitEnum(r, "sp_runtime::TokenError", [
    "FundsUnavailable",
    "OnlyProvider",
    "BelowMinimum",
    "CannotCreate",
    "UnknownAsset",
    "Frozen",
    "Unsupported",
    "CannotCreateHold",
    "NotExpendable",
    "Blocked",
  ]);
  const arithmetic = unitEnum(r, "sp_arithmetic::ArithmeticError", [
    "Underflow",
    "Overflow",
    "DivisionByZero",
  ]);
  const transactional = unitEnum(r, "sp_runtime::TransactionalError", ["LimitReached", "NoLayer"]);
  const one = (type: number, typeName: string) => [{ type, typeName }];
  const names: [string, { type: number; typeName: string }[]][] = [
    ["Other", []],
    ["CannotLookup", []],
    ["BadOrigin", []],
    ["Module", one(moduleError, "ModuleError")],
    ["ConsumerRemaining", []],
    ["NoProviders", []],
    ["TooManyConsumers", []],
    ["Token", one(token, "TokenError")],
    ["Arithmetic", one(arithmetic, "ArithmeticError")],
    ["Transactional", one(transactional, "TransactionalError")],
    ["Exhausted", []],
    ["Corruption", []],
    ["Unavailable", []],
    ["RootNotAllowed", []],
  ];
  return r.add({
    path: ["sp_runtime", "DispatchError"],
    def: {
      tag: "variant",
      variants: names.map(([name, fields], index) => ({ name, index, fields })),
    },
  });
}

/**
 * `sp_runtime::MultiSignature`: `Ed25519([u8; 64])`, `Sr25519([u8; 64])`,
 * `Ecdsa([u8; 65])`, each in its `sp_core` newtype.
 */
export function multiSignatureType(r: TypeRegistry): number {
  const variant = (name: string, index: number, path: string, n: number) => ({
    name,
    index,
    fields: [{ type: byteNewtype(r, path, n), typeName: `${path.split("::")[1]}::Signature` }],
  });
  return r.add({
    path: ["sp_runtime", "MultiSignature"],
    def: {
      tag: "variant",
      variants: [
        variant("Ed25519", 0, "sp_core::ed25519::Signature", 64),
        variant("Sr25519", 1, "sp_core::sr25519::Signature", 64),
        variant("Ecdsa", 2, "sp_core::ecdsa::Signature", 65),
      ],
    },
  });
}

/** Types metadata shows as Substrate's, whatever the codec describes, by the codec's name. */
export const OVERRIDES: Record<string, (r: TypeRegistry) => number> = {
  Era: eraType,
  DispatchError: dispatchErrorType,
  MultiSignature: multiSignatureType,
};
