/**
 * SCALE types that describe themselves.
 *
 * Every type pairs its codec with a {@link TypeDesc}: a plain JSON tree that
 * metadata publishes, that clients use to encode calls from JSON, and that a
 * later SCALE-metadata type registry can be built from. Codecs and
 * descriptions come from one declaration, so they cannot disagree.
 *
 * Decoding is strict, as parity-scale-codec is: truncated input, a compact
 * that is not in its shortest form, an unknown enum index, an invalid bool or
 * invalid UTF-8 are {@link DecodeError}s, and {@link decode} rejects trailing
 * bytes. Lengths are checked against the bytes that remain before anything is
 * allocated, so garbage input can neither crash nor stall a decoder.
 *
 * @example
 * ```ts
 * import { decode, encode, t } from "./types.ts";
 * const Transfer = t.struct("Transfer", { to: t.accountId, amount: t.compactU128 });
 * const bytes = encode(Transfer, { to: new Uint8Array(32), amount: 10n });
 * if (decode(Transfer, bytes).amount !== 10n) throw new Error("round trip");
 * ```
 *
 * @module
 */
import { DecodeError, Reader, Writer } from "./_io.ts";

export { DecodeError, Reader, Writer };

/** The JSON description of a SCALE type, as metadata shows it. */
export type TypeDesc =
  & { name?: string }
  & (
    | { kind: "primitive"; primitive: "bool" | "u8" | "u16" | "u32" | "u64" | "u128" }
    // `max`: a bounded string or byte vector (Substrate's `BoundedVec<u8, _>`), in bytes.
    | { kind: "primitive"; primitive: "str"; max?: number }
    | { kind: "compact"; primitive: "u32" | "u64" | "u128" }
    | { kind: "bytes"; max?: number }
    | { kind: "array"; length: number }
    | { kind: "vec"; item: TypeDesc }
    | { kind: "option"; inner: TypeDesc }
    | { kind: "tuple"; items: TypeDesc[] }
    | { kind: "struct"; fields: { name: string; type: TypeDesc }[] }
    | { kind: "enum"; variants: { name: string; index: number; type?: TypeDesc }[] }
    // A call of the runtime (`RuntimeCall`): its shape is the runtime's calls,
    // which metadata lists, so it is named here, not spelled out (see call.ts).
    | { kind: "call" }
  );

/** A SCALE type: its description and its codec. */
export interface Type<T> {
  readonly desc: TypeDesc;
  encodeTo(w: Writer, value: T): void;
  decodeFrom(r: Reader): T;
}

/** The value type of a {@link Type}. */
export type ValueOf<X> = X extends Type<infer T> ? T : never;

/** SCALE bytes of `value`. */
export function encode<T>(type: Type<T>, value: T): Uint8Array {
  return encodeWith((w) => type.encodeTo(w, value));
}

/**
 * The bytes that `write` puts into a writer.
 *
 * PERF: one writer is reused across calls (a fresh one costs more than a
 * small encoding); a nested call, while it is lent out, gets its own.
 */
export function encodeWith(write: (w: Writer) => void): Uint8Array {
  const w = idleWriter ?? new Writer();
  idleWriter = undefined;
  w.length = 0;
  try {
    write(w);
    return w.finish();
  } finally {
    idleWriter = w;
  }
}

let idleWriter: Writer | undefined = new Writer();

/**
 * Decodes exactly the whole of `bytes` as `type`.
 *
 * @param what names the thing in the error message, e.g. `"extrinsic"`
 * @throws {DecodeError} `Cannot decode <what>: <reason>`
 */
export function decode<T>(type: Type<T>, bytes: Uint8Array, what = "value"): T {
  const r = new Reader(bytes);
  let value: T;
  try {
    value = type.decodeFrom(r);
  } catch (e) {
    throw new DecodeError(`Cannot decode ${what}: ${(e as Error).message}`);
  }
  if (r.remaining !== 0) {
    throw new DecodeError(`Cannot decode ${what}: ${r.remaining} trailing bytes`);
  }
  return value;
}

function named<T>(type: Type<T>, name: string): Type<T> {
  return { ...type, desc: { ...type.desc, name } };
}

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;

function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`Cannot encode ${what}: ${value} is out of range`);
  }
}

function checkBig(value: bigint, max: bigint, what: string): void {
  if (typeof value !== "bigint" || value < 0n || value > max) {
    throw new RangeError(`Cannot encode ${what}: ${value} is out of range`);
  }
}

const bool: Type<boolean> = {
  desc: { kind: "primitive", primitive: "bool" },
  encodeTo: (w, v) => w.u8(v ? 1 : 0),
  decodeFrom: (r) => {
    const b = r.u8();
    if (b > 1) throw new DecodeError(`invalid bool ${b}`);
    return b === 1;
  },
};

const u8: Type<number> = {
  desc: { kind: "primitive", primitive: "u8" },
  encodeTo: (w, v) => (checkUint(v, 0xff, "u8"), w.u8(v)),
  decodeFrom: (r) => r.u8(),
};

const u16: Type<number> = {
  desc: { kind: "primitive", primitive: "u16" },
  encodeTo: (w, v) => (checkUint(v, 0xffff, "u16"), w.u16(v)),
  decodeFrom: (r) => r.u16(),
};

const u32: Type<number> = {
  desc: { kind: "primitive", primitive: "u32" },
  encodeTo: (w, v) => (checkUint(v, 0xffffffff, "u32"), w.u32(v)),
  decodeFrom: (r) => r.u32(),
};

const u64: Type<bigint> = {
  desc: { kind: "primitive", primitive: "u64" },
  encodeTo: (w, v) => (checkBig(v, U64_MAX, "u64"), w.u64(v)),
  decodeFrom: (r) => r.u64(),
};

const u128: Type<bigint> = {
  desc: { kind: "primitive", primitive: "u128" },
  encodeTo: (w, v) => {
    checkBig(v, U128_MAX, "u128");
    w.u64(v & U64_MAX);
    w.u64(v >> 64n);
  },
  decodeFrom: (r) => {
    const lo = r.u64();
    return lo | (r.u64() << 64n);
  },
};

/** Writes a SCALE compact integer. */
export function writeCompact(w: Writer, v: bigint | number): void {
  if (typeof v === "number") {
    if (v < 0x40) return w.u8(v << 2);
    if (v < 0x4000) return w.u16((v << 2) | 1);
    if (v < 0x40000000) return w.u32(((v << 2) | 2) >>> 0);
    v = BigInt(v);
  }
  if (v < 0x40000000n) return writeCompact(w, Number(v));
  const bytes: number[] = [];
  while (v > 0n) {
    bytes.push(Number(v & 0xffn));
    v >>= 8n;
  }
  while (bytes.length < 4) bytes.push(0);
  w.u8(((bytes.length - 4) << 2) | 3);
  for (const b of bytes) w.u8(b);
}

/**
 * Reads a SCALE compact integer no greater than `max`, rejecting any encoding
 * that is not the shortest (parity-scale-codec does the same).
 */
export function readCompact(r: Reader, max: bigint): bigint {
  const first = r.bytes[r.pos];
  if (first === undefined) throw new DecodeError("unexpected end of input");
  let value: bigint;
  switch (first & 3) {
    case 0:
      value = BigInt(r.u8() >> 2);
      break;
    case 1:
      value = BigInt(r.u16() >> 2);
      if (value < 0x40n) throw new DecodeError("compact not in canonical form");
      break;
    case 2:
      value = BigInt(r.u32() >>> 2);
      if (value < 0x4000n) throw new DecodeError("compact not in canonical form");
      break;
    default: {
      const n = (r.u8() >> 2) + 4;
      const bytes = r.take(n);
      if (bytes[n - 1] === 0) throw new DecodeError("compact not in canonical form");
      value = 0n;
      for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
      if (value < 0x40000000n) throw new DecodeError("compact not in canonical form");
    }
  }
  if (value > max) throw new DecodeError(`compact ${value} out of range`);
  return value;
}

/** Reads a compact length prefix and checks that `length * minItemSize` bytes remain. */
function readLength(r: Reader, minItemSize: number): number {
  const n = Number(readCompact(r, 0xffffffffn));
  if (n * minItemSize > r.remaining) {
    throw new DecodeError(`length ${n} exceeds the ${r.remaining} remaining bytes`);
  }
  return n;
}

const compactU32: Type<number> = {
  desc: { kind: "compact", primitive: "u32" },
  encodeTo: (w, v) => (checkUint(v, 0xffffffff, "Compact<u32>"), writeCompact(w, v)),
  decodeFrom: (r) => Number(readCompact(r, 0xffffffffn)),
};

const compactU64: Type<bigint> = {
  desc: { kind: "compact", primitive: "u64" },
  encodeTo: (w, v) => (checkBig(v, U64_MAX, "Compact<u64>"), writeCompact(w, v)),
  decodeFrom: (r) => readCompact(r, U64_MAX),
};

const compactU128: Type<bigint> = {
  desc: { kind: "compact", primitive: "u128" },
  encodeTo: (w, v) => (checkBig(v, U128_MAX, "Compact<u128>"), writeCompact(w, v)),
  decodeFrom: (r) => readCompact(r, U128_MAX),
};

const bytes: Type<Uint8Array> = {
  desc: { kind: "bytes" },
  encodeTo: (w, v) => {
    writeCompact(w, v.length);
    w.bytes(v);
  },
  decodeFrom: (r) => r.take(readLength(r, 1)).slice(),
};

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

const str: Type<string> = {
  desc: { kind: "primitive", primitive: "str" },
  encodeTo: (w, v) => bytes.encodeTo(w, utf8Encoder.encode(v)),
  decodeFrom: (r) => {
    const raw = r.take(readLength(r, 1));
    try {
      return utf8Decoder.decode(raw);
    } catch {
      throw new DecodeError("invalid UTF-8 in string");
    }
  },
};

/**
 * Bytes of at most `max` (Substrate's `BoundedVec<u8, ConstU32<max>>`):
 * longer input is refused at decoding, so an extrinsic carrying it is
 * invalid before any fee is taken.
 */
function boundedBytes(max: number): Type<Uint8Array> {
  return {
    desc: { kind: "bytes", max },
    encodeTo: (w, v) => {
      if (v.length > max) throw new RangeError(`Cannot encode bytes: ${v.length} exceed ${max}`);
      bytes.encodeTo(w, v);
    },
    decodeFrom: (r) => {
      const length = readLength(r, 1);
      if (length > max) throw new DecodeError(`${length} bytes exceed the bound of ${max}`);
      return r.take(length).slice();
    },
  };
}

/** A UTF-8 string of at most `max` bytes, refused at decoding when longer (see {@link boundedBytes}). */
function boundedStr(max: number): Type<string> {
  return {
    desc: { kind: "primitive", primitive: "str", max },
    encodeTo: (w, v) => {
      const raw = utf8Encoder.encode(v);
      if (raw.length > max) {
        throw new RangeError(`Cannot encode a string: ${raw.length} bytes exceed ${max}`);
      }
      bytes.encodeTo(w, raw);
    },
    decodeFrom: (r) => {
      const start = r.pos;
      const length = readLength(r, 1);
      if (length > max) throw new DecodeError(`a string of ${length} bytes exceeds ${max}`);
      r.pos = start;
      return str.decodeFrom(r);
    },
  };
}

/** `[u8; length]`: fixed-size bytes. */
function fixedBytes(length: number): Type<Uint8Array> {
  return {
    desc: { kind: "array", length },
    encodeTo: (w, v) => {
      if (!(v instanceof Uint8Array) || v.length !== length) {
        throw new RangeError(`Cannot encode [u8; ${length}]: got ${v?.length} bytes`);
      }
      w.bytes(v);
    },
    decodeFrom: (r) => r.take(length).slice(),
  };
}

/** `Vec<T>`. */
function vec<T>(item: Type<T>): Type<T[]> {
  return {
    desc: { kind: "vec", item: item.desc },
    encodeTo: (w, v) => {
      writeCompact(w, v.length);
      for (const x of v) item.encodeTo(w, x);
    },
    decodeFrom: (r) => {
      const n = readLength(r, 1);
      const out: T[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = item.decodeFrom(r);
      return out;
    },
  };
}

/** `Option<T>`, as `T | undefined`. */
function option<T>(inner: Type<T>): Type<T | undefined> {
  return {
    desc: { kind: "option", inner: inner.desc },
    encodeTo: (w, v) => {
      if (v === undefined) return w.u8(0);
      w.u8(1);
      inner.encodeTo(w, v);
    },
    decodeFrom: (r) => {
      const tag = r.u8();
      if (tag === 0) return undefined;
      if (tag === 1) return inner.decodeFrom(r);
      throw new DecodeError(`invalid Option tag ${tag}`);
    },
  };
}

type TupleValues<Ts extends readonly Type<unknown>[]> = {
  -readonly [K in keyof Ts]: ValueOf<Ts[K]>;
};

/** A tuple `(A, B, ...)` as a JS array. */
function tuple<Ts extends readonly Type<unknown>[]>(...items: Ts): Type<TupleValues<Ts>> {
  return {
    desc: { kind: "tuple", items: items.map((i) => i.desc) },
    encodeTo: (w, v) => items.forEach((item, i) => item.encodeTo(w, v[i])),
    decodeFrom: (r) => items.map((item) => item.decodeFrom(r)) as TupleValues<Ts>,
  };
}

type Fields = Record<string, Type<unknown>>;
type StructValue<F extends Fields> = { [K in keyof F]: ValueOf<F[K]> };

/** A struct: fields encoded in declaration order. */
function struct<F extends Fields>(name: string, fields: F): Type<StructValue<F>> {
  const entries = Object.entries(fields);
  return {
    desc: {
      kind: "struct",
      name,
      fields: entries.map(([field, type]) => ({ name: field, type: type.desc })),
    },
    encodeTo: (w, v) => {
      for (const [field, type] of entries) type.encodeTo(w, (v as Record<string, unknown>)[field]);
    },
    decodeFrom: (r) => {
      const out: Record<string, unknown> = {};
      for (const [field, type] of entries) out[field] = type.decodeFrom(r);
      return out as StructValue<F>;
    },
  };
}

/** Variants of an enum: a type for variants that carry data, `null` for unit variants. */
export type Variants = Record<string, Type<unknown> | null>;

/** The value of an enum: `{ tag }` or `{ tag, value }`. */
export type EnumValue<V extends Variants> = {
  [K in keyof V]: V[K] extends Type<infer T> ? { tag: K; value: T } : { tag: K };
}[keyof V];

/**
 * An enum: variant `i` (in declaration order, or at `indices[name]`) is
 * encoded as the byte `i` followed by its data.
 */
function enumOf<V extends Variants>(
  name: string,
  variants: V,
  indices?: Partial<Record<keyof V, number>>,
): Type<EnumValue<V>> {
  const list = Object.entries(variants).map(([variant, type], i) => ({
    name: variant,
    index: indices?.[variant] ?? i,
    type: type ?? undefined,
  }));
  const byName = new Map(list.map((v) => [v.name, v]));
  const byIndex = new Map(list.map((v) => [v.index, v]));
  if (byIndex.size !== list.length) throw new TypeError(`Enum ${name}: duplicate variant index`);
  return {
    desc: {
      kind: "enum",
      name,
      variants: list.map((v) => (v.type ? { name: v.name, index: v.index, type: v.type.desc } : {
        name: v.name,
        index: v.index,
      })),
    },
    encodeTo: (w, v) => {
      const variant = byName.get(v.tag as string);
      if (!variant) throw new RangeError(`Cannot encode ${name}: unknown variant ${String(v.tag)}`);
      w.u8(variant.index);
      variant.type?.encodeTo(w, (v as { value?: unknown }).value);
    },
    decodeFrom: (r) => {
      const index = r.u8();
      const variant = byIndex.get(index);
      if (!variant) throw new DecodeError(`unknown ${name} variant index ${index}`);
      if (!variant.type) return { tag: variant.name } as EnumValue<V>;
      return { tag: variant.name, value: variant.type.decodeFrom(r) } as EnumValue<V>;
    },
  };
}

const unit: Type<null> = {
  desc: { kind: "tuple", items: [] },
  encodeTo: () => {},
  decodeFrom: () => null,
};

/**
 * The type vocabulary. Amounts (`Balance`) are `u128` as bigint; block numbers
 * `u32`; accounts the 32-byte ed25519 public key.
 */
export const t = {
  bool,
  u8,
  u16,
  u32,
  u64,
  u128,
  compactU32,
  compactU64,
  compactU128,
  str,
  bytes,
  boundedStr,
  boundedBytes,
  unit,
  fixedBytes,
  vec,
  option,
  tuple,
  struct,
  enum: enumOf,

  named,
  accountId: named(fixedBytes(32), "AccountId"),
  hash: named(fixedBytes(32), "H256"),
  balance: named(u128, "Balance"),
  compactBalance: named(compactU128, "Compact<Balance>"),
  blockNumber: named(u32, "BlockNumber"),
  signature: named(fixedBytes(64), "Signature"),
};
