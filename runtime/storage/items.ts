/**
 * Typed storage items: values, maps and double maps.
 *
 * Pallets never touch raw keys. A key is `twox128(pallet) ++ twox128(item)`
 * followed, for maps, by each key hashed with the item's hasher, exactly as
 * Substrate's FRAME lays out storage, so a Substrate client can compute it.
 *
 * An item declared with a `default` reads as that default when absent
 * (Substrate's `ValueQuery`); without one it reads as `undefined`
 * (`OptionQuery`). Writing the default does not delete the key: use `remove`.
 *
 * @module
 */
import { decode, encode, type Type, type TypeDesc } from "../codec/types.ts";
import { byteString, concatBytes, utf8 } from "../primitives/bytes.ts";
import { blake2_128Concat, identity, twox128, twox64Concat } from "../primitives/hashing.ts";
import { type Overlay, type StateReader, type StorageKey, storageKey } from "./overlay.ts";

/** Map key hashers, by their Substrate names. All keep keys iterable; Twox64Concat only for keys nobody can choose. */
export const HASHERS = {
  Blake2_128Concat: blake2_128Concat,
  Twox64Concat: twox64Concat,
  Identity: identity,
} as const;

/** The name of a map key hasher. */
export type HasherName = keyof typeof HASHERS;

/** What metadata says about a storage item. */
export interface StorageItemMeta {
  name: string;
  kind: "value" | "map" | "doubleMap";
  hashers: HasherName[];
  keys: TypeDesc[];
  value: TypeDesc;
  /** Hex of the encoded default, when the item has one. */
  default?: Uint8Array;
  docs: string;
}

/** Anything declared in a pallet's storage. */
export interface StorageItem {
  readonly meta: StorageItemMeta;
  /** `twox128(pallet) ++ twox128(item)`. */
  readonly prefix: Uint8Array;
}

/** The storage prefix of an item. */
export function itemPrefix(pallet: string, item: string): Uint8Array {
  return concatBytes(twox128(utf8(pallet)), twox128(utf8(item)));
}

/**
 * The full storage keys of a map's most recently used keys, by the
 * `byteString` of the encoded key, each with its overlay id.
 *
 * PERF: hashing a key costs several µs on Deno (mostly allocation), and so
 * does building its id; a block touches the same accounts again and again.
 * Bounded, dropping the oldest, so that a flood of fresh keys cannot grow
 * memory. The cached arrays are shared: callers must not mutate a key.
 */
class KeyCache {
  readonly #keys = new Map<string, StorageKey>();

  constructor(readonly limit = 4096) {}

  /** The cached key under `id`, or the key `make()` builds, remembered under it. */
  get(id: string, make: () => Uint8Array): StorageKey {
    let key = this.#keys.get(id);
    if (key === undefined) {
      key = storageKey(make());
      if (this.#keys.size >= this.limit) this.#keys.delete(this.#keys.keys().next().value!);
      this.#keys.set(id, key);
    }
    return key;
  }
}

abstract class Item<V, D extends V | undefined> implements StorageItem {
  readonly prefix: Uint8Array;
  abstract readonly meta: StorageItemMeta;

  constructor(
    pallet: string,
    readonly name: string,
    readonly valueType: Type<V>,
    readonly defaultValue: D,
  ) {
    this.prefix = itemPrefix(pallet, name);
  }

  protected read(state: StateReader, key: StorageKey): V | D {
    const raw = state.get(key.bytes, key.id);
    if (raw !== undefined) return decode(this.valueType, raw, this.name);
    // A fresh copy: a caller may mutate what it read, and the default is shared.
    return typeof this.defaultValue === "object"
      ? structuredClone(this.defaultValue)
      : this.defaultValue;
  }

  protected write(state: Overlay, key: StorageKey, value: V | D): void {
    if (value === undefined) state.delete(key.bytes, key.id);
    else state.set(key.bytes, encode(this.valueType, value as V), key.id);
  }

  protected metaOf(
    kind: StorageItemMeta["kind"],
    hashers: HasherName[],
    keys: TypeDesc[],
    docs: string,
  ): StorageItemMeta {
    return {
      name: this.name,
      kind,
      hashers,
      keys,
      value: this.valueType.desc,
      default: this.defaultValue === undefined
        ? undefined
        : encode(this.valueType, this.defaultValue as V),
      docs,
    };
  }
}

/** A single value. */
export class StorageValue<V, D extends V | undefined = V | undefined> extends Item<V, D> {
  readonly meta: StorageItemMeta;

  readonly #key: StorageKey;

  constructor(pallet: string, name: string, type: Type<V>, defaultValue: D, docs: string) {
    super(pallet, name, type, defaultValue);
    this.meta = this.metaOf("value", [], [], docs);
    this.#key = storageKey(this.prefix);
  }

  /** The raw storage key. */
  get key(): Uint8Array {
    return this.prefix;
  }

  get(state: StateReader): V | D {
    return this.read(state, this.#key);
  }

  set(state: Overlay, value: V | D): void {
    this.write(state, this.#key, value);
  }

  remove(state: Overlay): void {
    state.delete(this.#key.bytes, this.#key.id);
  }

  exists(state: StateReader): boolean {
    return state.get(this.#key.bytes, this.#key.id) !== undefined;
  }

  /**
   * For a value stored as a SCALE `Vec`: appends one encoded item without
   * decoding what is there (events, deposited many times per block).
   */
  appendItem(state: Overlay, item: Uint8Array): void {
    state.append(this.#key.bytes, item, this.#key.id);
  }

  /** Reads, applies `fn`, writes back what it returns, and returns that. */
  mutate(state: Overlay, fn: (value: V | D) => V | D): V | D {
    const next = fn(this.get(state));
    this.set(state, next);
    return next;
  }
}

/** A map from `K` to `V`. */
export class StorageMap<K, V, D extends V | undefined = V | undefined> extends Item<V, D> {
  readonly meta: StorageItemMeta;
  readonly #hash: (b: Uint8Array) => Uint8Array;
  readonly #keys = new KeyCache();

  constructor(
    pallet: string,
    name: string,
    readonly hasher: HasherName,
    readonly keyType: Type<K>,
    valueType: Type<V>,
    defaultValue: D,
    docs: string,
  ) {
    super(pallet, name, valueType, defaultValue);
    this.#hash = HASHERS[hasher];
    this.meta = this.metaOf("map", [hasher], [keyType.desc], docs);
  }

  /** The raw storage key of `key` (shared: do not mutate it). */
  keyOf(key: K): Uint8Array {
    return this.#key(key).bytes;
  }

  #key(key: K): StorageKey {
    // A fixed-size byte key (an account) is its own encoding.
    const encoded = this.keyType.desc.kind === "array" && key instanceof Uint8Array &&
        key.length === this.keyType.desc.length
      ? key
      : encode(this.keyType, key);
    return this.#keys.get(
      byteString(encoded),
      () => concatBytes(this.prefix, this.#hash(encoded)),
    );
  }

  get(state: StateReader, key: K): V | D {
    return this.read(state, this.#key(key));
  }

  set(state: Overlay, key: K, value: V | D): void {
    this.write(state, this.#key(key), value);
  }

  remove(state: Overlay, key: K): void {
    const { bytes, id } = this.#key(key);
    state.delete(bytes, id);
  }

  contains(state: StateReader, key: K): boolean {
    const { bytes, id } = this.#key(key);
    return state.get(bytes, id) !== undefined;
  }

  /** Reads, applies `fn`, writes back what it returns, and returns that. */
  mutate(state: Overlay, key: K, fn: (value: V | D) => V | D): V | D {
    const ref = this.#key(key);
    const next = fn(this.read(state, ref));
    this.write(state, ref, next);
    return next;
  }

  /** Every stored pair, in key order of the hashed keys. */
  *entries(state: StateReader): Generator<[K, V]> {
    for (const [raw, value] of state.entries(this.prefix)) {
      const hashed = raw.subarray(this.prefix.length);
      yield [
        decodeConcatKey(this.hasher, this.keyType, hashed, this.name),
        decode(this.valueType, value, this.name),
      ];
    }
  }

  /** Deletes every pair. */
  clear(state: Overlay): void {
    state.clearPrefix(this.prefix);
  }
}

/** A map from two keys `(K1, K2)` to `V`, iterable by the first key. */
export class StorageDoubleMap<K1, K2, V, D extends V | undefined = V | undefined>
  extends Item<V, D> {
  readonly meta: StorageItemMeta;
  readonly #hash1: (b: Uint8Array) => Uint8Array;
  readonly #hash2: (b: Uint8Array) => Uint8Array;
  readonly #keys = new KeyCache();

  constructor(
    pallet: string,
    name: string,
    readonly hashers: [HasherName, HasherName],
    readonly keyTypes: [Type<K1>, Type<K2>],
    valueType: Type<V>,
    defaultValue: D,
    docs: string,
  ) {
    super(pallet, name, valueType, defaultValue);
    this.#hash1 = HASHERS[hashers[0]];
    this.#hash2 = HASHERS[hashers[1]];
    this.meta = this.metaOf("doubleMap", hashers, [keyTypes[0].desc, keyTypes[1].desc], docs);
  }

  /** The raw key prefix of every pair under `k1`. */
  prefixOf(k1: K1): Uint8Array {
    return concatBytes(this.prefix, this.#hash1(encode(this.keyTypes[0], k1)));
  }

  /** The raw storage key of `(k1, k2)` (shared: do not mutate it). */
  keyOf(k1: K1, k2: K2): Uint8Array {
    return this.#key(k1, k2).bytes;
  }

  #key(k1: K1, k2: K2): StorageKey {
    const encoded1 = encode(this.keyTypes[0], k1);
    const encoded2 = encode(this.keyTypes[1], k2);
    return this.#keys.get(
      `${encoded1.length}:${byteString(encoded1)}${byteString(encoded2)}`,
      () => concatBytes(this.prefix, this.#hash1(encoded1), this.#hash2(encoded2)),
    );
  }

  get(state: StateReader, k1: K1, k2: K2): V | D {
    return this.read(state, this.#key(k1, k2));
  }

  set(state: Overlay, k1: K1, k2: K2, value: V | D): void {
    this.write(state, this.#key(k1, k2), value);
  }

  remove(state: Overlay, k1: K1, k2: K2): void {
    const { bytes, id } = this.#key(k1, k2);
    state.delete(bytes, id);
  }

  contains(state: StateReader, k1: K1, k2: K2): boolean {
    const { bytes, id } = this.#key(k1, k2);
    return state.get(bytes, id) !== undefined;
  }

  /** Reads, applies `fn`, writes back what it returns, and returns that. */
  mutate(state: Overlay, k1: K1, k2: K2, fn: (value: V | D) => V | D): V | D {
    const ref = this.#key(k1, k2);
    const next = fn(this.read(state, ref));
    this.write(state, ref, next);
    return next;
  }

  /** Every `(k2, value)` stored under `k1`, in key order of the hashed second key. */
  *entriesOf(state: StateReader, k1: K1): Generator<[K2, V]> {
    const prefix = this.prefixOf(k1);
    for (const [raw, value] of state.entries(prefix)) {
      yield [
        decodeConcatKey(this.hashers[1], this.keyTypes[1], raw.subarray(prefix.length), this.name),
        decode(this.valueType, value, this.name),
      ];
    }
  }

  /** Deletes every pair under `k1`. */
  clearPrefix(state: Overlay, k1: K1): void {
    state.clearPrefix(this.prefixOf(k1));
  }
}

function decodeConcatKey<K>(
  hasher: HasherName,
  type: Type<K>,
  hashed: Uint8Array,
  item: string,
): K {
  const skip = hasher === "Blake2_128Concat" ? 16 : hasher === "Twox64Concat" ? 8 : 0;
  return decode(type, hashed.subarray(skip), `${item} key`);
}

/** Declares a value; the pallet and item names are bound by {@link declareStorage}. */
export function value<V, D extends V | undefined = undefined>(
  spec: { type: Type<V>; default?: D; docs: string },
): (pallet: string, name: string) => StorageValue<V, D> {
  return (pallet, name) => new StorageValue(pallet, name, spec.type, spec.default as D, spec.docs);
}

/** Declares a map; see {@link value}. */
export function map<K, V, D extends V | undefined = undefined>(
  spec: { hasher: HasherName; key: Type<K>; value: Type<V>; default?: D; docs: string },
): (pallet: string, name: string) => StorageMap<K, V, D> {
  return (pallet, name) =>
    new StorageMap(pallet, name, spec.hasher, spec.key, spec.value, spec.default as D, spec.docs);
}

/** Declares a double map; see {@link value}. */
export function doubleMap<K1, K2, V, D extends V | undefined = undefined>(
  spec: {
    hashers: [HasherName, HasherName];
    keys: [Type<K1>, Type<K2>];
    value: Type<V>;
    default?: D;
    docs: string;
  },
): (pallet: string, name: string) => StorageDoubleMap<K1, K2, V, D> {
  return (pallet, name) =>
    new StorageDoubleMap(
      pallet,
      name,
      spec.hashers,
      spec.keys,
      spec.value,
      spec.default as D,
      spec.docs,
    );
}

/**
 * Binds storage declarations to a pallet name.
 *
 * @example
 * ```ts
 * import { declareStorage, value } from "./items.ts";
 * import { t } from "../codec/types.ts";
 * const storage = declareStorage("Template", {
 *   Something: value({ type: t.u32, default: 0, docs: "A number." }),
 * });
 * if (storage.Something.prefix.length !== 32) throw new Error("prefix");
 * ```
 */
export function declareStorage<
  S extends Record<string, (pallet: string, name: string) => StorageItem>,
>(
  pallet: string,
  specs: S,
): { [K in keyof S]: ReturnType<S[K]> } {
  const out: Record<string, StorageItem> = {};
  for (const [name, make] of Object.entries(specs)) out[name] = make(pallet, name);
  return out as { [K in keyof S]: ReturnType<S[K]> };
}
