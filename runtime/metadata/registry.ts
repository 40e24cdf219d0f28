/**
 * A portable type registry in `scale-info`'s shape: every type of the
 * metadata gets an id, and types refer to each other by id.
 *
 * A type is a path (`["sp_core", "crypto", "AccountId32"]`), generic
 * parameters, a definition (composite, variant, sequence, array, tuple,
 * primitive, compact or bit sequence) and docs, encoded as
 * `scale_info::PortableRegistry` encodes it. Adding a type that is already
 * there (same path, parameters and definition) returns the id it has, as
 * `scale-info` interns one id per Rust type. A recursive type (a call that
 * holds calls) {@link TypeRegistry.reserve reserves} its id first and
 * {@link TypeRegistry.define defines} it once its parts have ids.
 *
 * @example
 * ```ts
 * import { TypeRegistry } from "./registry.ts";
 * const registry = new TypeRegistry();
 * const u8 = registry.primitive("u8");
 * const bytes = registry.add({ def: { tag: "sequence", type: u8 } });
 * if (registry.add({ def: { tag: "sequence", type: u8 } }) !== bytes) throw new Error("dedup");
 * ```
 *
 * @module
 */
import { writeCompact, type Writer } from "../codec/types.ts";

/** `scale_info::TypeDefPrimitive`, in its variant order. */
export const PRIMITIVES = [
  "bool",
  "char",
  "str",
  "u8",
  "u16",
  "u32",
  "u64",
  "u128",
  "u256",
  "i8",
  "i16",
  "i32",
  "i64",
  "i128",
  "i256",
] as const;

/** A primitive type's name. */
export type Primitive = typeof PRIMITIVES[number];

/** A field of a composite or of a variant: named (a struct) or not (a tuple struct). */
export interface PortableField {
  name?: string;
  type: number;
  /** The field's type as the source spells it (`"Balance"`, `"T::AccountId"`). */
  typeName?: string;
  docs?: string[];
}

/** A variant of an enum. */
export interface PortableVariant {
  name: string;
  fields: PortableField[];
  index: number;
  docs?: string[];
}

/** `scale_info::TypeDef`. */
export type TypeDef =
  | { tag: "composite"; fields: PortableField[] }
  | { tag: "variant"; variants: PortableVariant[] }
  | { tag: "sequence"; type: number }
  | { tag: "array"; len: number; type: number }
  | { tag: "tuple"; types: number[] }
  | { tag: "primitive"; primitive: Primitive }
  | { tag: "compact"; type: number }
  | { tag: "bitSequence"; bitStoreType: number; bitOrderType: number };

/** A type of the registry. */
export interface PortableType {
  path?: string[];
  /** Generic parameters: a name, and the type it stands for (none when it is not used). */
  params?: { name: string; type?: number }[];
  def: TypeDef;
  docs?: string[];
}

/** A registry of types with ids, deduplicated by path, parameters and definition. */
export class TypeRegistry {
  readonly #types: (PortableType | undefined)[] = [];
  readonly #ids = new Map<string, number>();

  /** The number of ids handed out. */
  get size(): number {
    return this.#types.length;
  }

  /** The type with id `id`; a RangeError when it is not defined (yet). */
  get(id: number): PortableType {
    const type = this.#types[id];
    if (!type) throw new RangeError(`Unknown type id ${id}`);
    return type;
  }

  /** The id of `type`, added when no equal type is there yet. */
  add(type: PortableType): number {
    const key = identity(type);
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#types.length;
      this.#types.push(type);
      this.#ids.set(key, id);
    }
    return id;
  }

  /** The id of a primitive. */
  primitive(primitive: Primitive): number {
    return this.add({ def: { tag: "primitive", primitive } });
  }

  /** An id for a type that will be {@link define}d later (a type that contains itself). */
  reserve(): number {
    this.#types.push(undefined);
    return this.#types.length - 1;
  }

  /** Defines a {@link reserve}d id. */
  define(id: number, type: PortableType): void {
    if (this.#types[id] !== undefined) throw new RangeError(`Type id ${id} is already defined`);
    this.#types[id] = type;
    this.#ids.set(identity(type), id);
  }

  /**
   * Writes `PortableRegistry`: `Vec<PortableType { Compact<u32> id, Type }>`.
   *
   * @throws {RangeError} when a reserved id was never defined, or a type refers to an unknown id
   */
  encodeTo(w: Writer): void {
    writeCompact(w, this.#types.length);
    this.#types.forEach((type, id) => {
      if (!type) throw new RangeError(`Type id ${id} was reserved but never defined`);
      writeCompact(w, id);
      this.#encodeType(w, type);
    });
  }

  #ref(w: Writer, id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.#types.length) {
      throw new RangeError(`Unknown type id ${id}`);
    }
    writeCompact(w, id);
  }

  #encodeType(w: Writer, type: PortableType): void {
    writeStrings(w, type.path ?? []);
    const params = type.params ?? [];
    writeCompact(w, params.length);
    for (const p of params) {
      writeString(w, p.name);
      if (p.type === undefined) w.u8(0);
      else {
        w.u8(1);
        this.#ref(w, p.type);
      }
    }
    this.#encodeDef(w, type.def);
    writeStrings(w, type.docs ?? []);
  }

  #encodeFields(w: Writer, fields: PortableField[]): void {
    writeCompact(w, fields.length);
    for (const f of fields) {
      writeOptionString(w, f.name);
      this.#ref(w, f.type);
      writeOptionString(w, f.typeName);
      writeStrings(w, f.docs ?? []);
    }
  }

  #encodeDef(w: Writer, def: TypeDef): void {
    switch (def.tag) {
      case "composite":
        w.u8(0);
        return this.#encodeFields(w, def.fields);
      case "variant":
        w.u8(1);
        writeCompact(w, def.variants.length);
        for (const v of def.variants) {
          writeString(w, v.name);
          this.#encodeFields(w, v.fields);
          w.u8(v.index);
          writeStrings(w, v.docs ?? []);
        }
        return;
      case "sequence":
        w.u8(2);
        return this.#ref(w, def.type);
      case "array":
        w.u8(3);
        w.u32(def.len);
        return this.#ref(w, def.type);
      case "tuple":
        w.u8(4);
        writeCompact(w, def.types.length);
        for (const id of def.types) this.#ref(w, id);
        return;
      case "primitive":
        w.u8(5);
        return w.u8(PRIMITIVES.indexOf(def.primitive));
      case "compact":
        w.u8(6);
        return this.#ref(w, def.type);
      case "bitSequence":
        w.u8(7);
        this.#ref(w, def.bitStoreType);
        return this.#ref(w, def.bitOrderType);
    }
  }
}

/** What makes two types one: path, parameters and definition (docs do not). */
function identity(type: PortableType): string {
  return JSON.stringify([type.path ?? [], type.params ?? [], type.def]);
}

const utf8 = new TextEncoder();

/** Writes a SCALE `String`. */
export function writeString(w: Writer, s: string): void {
  const bytes = utf8.encode(s);
  writeCompact(w, bytes.length);
  w.bytes(bytes);
}

/** Writes a SCALE `Vec<String>`. */
export function writeStrings(w: Writer, list: readonly string[]): void {
  writeCompact(w, list.length);
  for (const s of list) writeString(w, s);
}

/** Writes a SCALE `Option<String>`. */
export function writeOptionString(w: Writer, s: string | undefined): void {
  if (s === undefined) return w.u8(0);
  w.u8(1);
  writeString(w, s);
}
