/**
 * From the codec's type descriptions ({@link TypeDesc}) to registry ids,
 * with Substrate's paths for the types Substrate tooling knows by path.
 *
 * Clients key behaviour on paths: polkadot.js swaps in its own definition
 * of a type it recognises by path (and of a one-word path such as
 * `["Weight"]`, which is how it broke decoding once), and polkadot-api
 * finds the extrinsic's parts by them. So every named type gets a path:
 * Substrate's own from {@link PATHS} for the well-known ones, else one under
 * the crate of the pallet that declares it (`pallet_streams::types::StreamInfo`)
 * or `sutantra_runtime::types`.
 *
 * @module
 */
import type { TypeDesc } from "../codec/types.ts";
import { palletCrate, snakeCase } from "./_names.ts";
import { OVERRIDES } from "./_well_known.ts";
import type { PortableField, PortableType, TypeDef, TypeRegistry } from "./registry.ts";

/** A type's id and the name a field of it shows (`"Balance"` for a u128 named so). */
export interface FieldType {
  type: number;
  typeName?: string;
}

type Params = (lower: Lowering, def: TypeDef) => { name: string; type?: number }[];

/**
 * Substrate's path of each well-known type, by the codec's name for it, with
 * its generic parameters where clients read them.
 */
const PATHS: Record<string, { path: string; params?: Params }> = {
  AccountInfo: {
    path: "frame_system::AccountInfo",
    params: (_l, def) => [
      { name: "Nonce", type: fieldOf(def, "nonce") },
      { name: "AccountData", type: fieldOf(def, "data") },
    ],
  },
  AccountData: {
    path: "pallet_balances::types::AccountData",
    params: (_l, def) => [{ name: "Balance", type: fieldOf(def, "free") }],
  },
  MultiAddress: {
    path: "sp_runtime::multiaddress::MultiAddress",
    params: (l, def) => [
      { name: "AccountId", type: variantFieldOf(def, "Id") },
      { name: "AccountIndex", type: l.registry.primitive("u32") },
    ],
  },
  Weight: { path: "sp_weights::weight_v2::Weight" },
  ModuleError: { path: "sp_runtime::ModuleError" },
  ArithmeticError: { path: "sp_arithmetic::ArithmeticError" },
  DispatchInfo: { path: "frame_support::dispatch::DispatchInfo" },
  DispatchClass: { path: "frame_support::dispatch::DispatchClass" },
  Pays: { path: "frame_support::dispatch::Pays" },
  Phase: { path: "frame_system::Phase" },
  LastRuntimeUpgradeInfo: { path: "frame_system::LastRuntimeUpgradeInfo" },
  Header: { path: "sp_runtime::generic::header::Header" },
  DigestItem: { path: "sp_runtime::generic::digest::DigestItem" },
  RuntimeVersion: { path: "sp_version::RuntimeVersion" },
  BlockWeights: { path: "frame_system::limits::BlockWeights" },
  WeightsPerClass: { path: "frame_system::limits::WeightsPerClass" },
  BlockLength: { path: "frame_system::limits::BlockLength" },
  PerDispatchClass: {
    path: "frame_support::dispatch::PerDispatchClass",
    params: (_l, def) => [{ name: "T", type: fieldOf(def, "normal") }],
  },
  Result: {
    path: "Result",
    params: (_l, def) => [
      { name: "T", type: variantFieldOf(def, "Ok") },
      { name: "E", type: variantFieldOf(def, "Err") },
    ],
  },
};

/**
 * Byte arrays Substrate wraps in a newtype with a path (clients show an
 * `AccountId32` as an address, not as 32 numbers).
 */
const WRAPPERS: Record<string, string> = {
  AccountId: "sp_core::crypto::AccountId32",
  H256: "primitive_types::H256",
  Signature: "sp_core::ed25519::Signature",
  AuthorityId: "sp_core::ed25519::Public",
};

function fieldOf(def: TypeDef, name: string): number | undefined {
  return def.tag === "composite" ? def.fields.find((f) => f.name === name)?.type : undefined;
}

function variantFieldOf(def: TypeDef, name: string): number | undefined {
  return def.tag === "variant"
    ? def.variants.find((v) => v.name === name)?.fields[0]?.type
    : undefined;
}

/** Turns type descriptions into registry ids; `runtimeCall` is what `{ kind: "call" }` stands for. */
export class Lowering {
  constructor(readonly registry: TypeRegistry, readonly runtimeCall: number) {}

  /** The id of `desc`; `pallet` names the crate its unknown named types belong to. */
  id(desc: TypeDesc, pallet?: string): number {
    return this.field(desc, pallet).type;
  }

  /** The id of `desc` and the type name a field of it shows. */
  field(desc: TypeDesc, pallet?: string): FieldType {
    const typeName = desc.name;
    const override = typeName === undefined ? undefined : OVERRIDES[typeName];
    if (override) return { type: override(this.registry), typeName };
    const wrapper = typeName === undefined ? undefined : WRAPPERS[typeName];
    if (wrapper) {
      const inner = this.id({ ...desc, name: undefined }, pallet);
      return {
        type: this.registry.add({
          path: wrapper.split("::"),
          def: { tag: "composite", fields: [{ type: inner, typeName: innerName(desc) }] },
        }),
        typeName,
      };
    }
    return { type: this.#lower(desc, pallet), typeName };
  }

  #lower(desc: TypeDesc, pallet: string | undefined): number {
    const r = this.registry;
    switch (desc.kind) {
      case "primitive":
        if (desc.primitive === "str" && desc.max !== undefined) return this.#boundedVec();
        return r.primitive(desc.primitive);
      case "compact":
        return r.add({ def: { tag: "compact", type: r.primitive(desc.primitive) } });
      case "bytes":
        if (desc.max !== undefined) return this.#boundedVec();
        return r.add({ def: { tag: "sequence", type: r.primitive("u8") } });
      case "array":
        return r.add({ def: { tag: "array", len: desc.length, type: r.primitive("u8") } });
      case "vec":
        return r.add({ def: { tag: "sequence", type: this.id(desc.item, pallet) } });
      case "option": {
        const inner = this.id(desc.inner, pallet);
        return r.add({
          path: ["Option"],
          params: [{ name: "T", type: inner }],
          def: {
            tag: "variant",
            variants: [
              { name: "None", index: 0, fields: [] },
              { name: "Some", index: 1, fields: [{ type: inner, typeName: "T" }] },
            ],
          },
        });
      }
      case "tuple":
        return r.add({ def: { tag: "tuple", types: desc.items.map((d) => this.id(d, pallet)) } });
      case "struct":
        return this.#named(desc.name, pallet, {
          tag: "composite",
          fields: this.fields(desc.fields, pallet),
        });
      case "enum":
        return this.#named(desc.name, pallet, {
          tag: "variant",
          variants: desc.variants.map((v) => ({
            name: v.name,
            index: v.index,
            fields: this.variantFields(v.type, pallet, desc.name === "Result"),
          })),
        });
      case "call":
        return this.runtimeCall;
    }
  }

  /**
   * `BoundedVec<u8, S>` as scale-info shows it: a composite around `Vec<u8>`,
   * the bound `S` a skipped type parameter (the bound itself is a constant).
   */
  #boundedVec(): number {
    const r = this.registry;
    const u8 = r.primitive("u8");
    const vec = r.add({ def: { tag: "sequence", type: u8 } });
    return r.add({
      path: ["bounded_collections", "bounded_vec", "BoundedVec"],
      params: [{ name: "T", type: u8 }, { name: "S" }],
      def: { tag: "composite", fields: [{ type: vec, typeName: "Vec<T>" }] },
    });
  }

  /** Named fields, snake_case, each with its type name. */
  fields(fields: readonly { name: string; type: TypeDesc }[], pallet?: string): PortableField[] {
    return fields.map((f) => ({ name: snakeCase(f.name), ...this.field(f.type, pallet) }));
  }

  /**
   * The fields of an enum variant carrying `type`: a call's or an event's
   * own struct (named `Pallet.item`) becomes the variant's named fields, a
   * tuple its unnamed fields, anything else one unnamed field. `Result`'s
   * unit variants carry `()`, as Rust's `Result<(), E>` does.
   */
  variantFields(type: TypeDesc | undefined, pallet?: string, unitField = false): PortableField[] {
    if (!type) {
      return unitField ? [{ type: this.registry.add({ def: { tag: "tuple", types: [] } }) }] : [];
    }
    if (type.kind === "struct" && type.name?.includes(".")) return this.fields(type.fields, pallet);
    if (type.kind === "tuple" && type.name === undefined) {
      return type.items.map((item) => this.field(item, pallet));
    }
    return [this.field(type, pallet)];
  }

  #named(name: string | undefined, pallet: string | undefined, def: TypeDef): number {
    const known = name === undefined ? undefined : PATHS[name];
    const path = known ? known.path.split("::") : fallbackPath(name ?? "Anonymous", pallet);
    const type: PortableType = { path, def };
    if (known?.params) type.params = known.params(this, def);
    return this.registry.add(type);
  }
}

function fallbackPath(name: string, pallet: string | undefined): string[] {
  return [pallet ? palletCrate(pallet) : "sutantra_runtime", "types", ...name.split(".")];
}

function innerName(desc: TypeDesc): string | undefined {
  return desc.kind === "array" ? `[u8; ${desc.length}]` : undefined;
}
