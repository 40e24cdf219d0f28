/**
 * JSON views of SCALE values, driven by {@link TypeDesc} alone.
 *
 * Chain specs, the CLI's `tx call PALLET CALL '<args>'` and RPC answers turn
 * JSON into typed values and back through these two functions, so a newly
 * declared call or genesis config needs no hand-written parser. Errors name
 * the path of the bad field: `balances.balances[3][1]: expected an integer`.
 *
 * Shapes: integers as JSON numbers (or decimal strings for big ones), bytes
 * as `0x` hex, accounts as SS58 (or `0x` hex), options as `null` or the value,
 * structs as objects, tuples and vecs as arrays, enums as `"Variant"` or
 * `{ "Variant": value }` (a `MultiSignature` too: `{ "Sr25519": "0x…" }`,
 * whose value in TypeScript is `{ type, signature }`), and a call (an argument that carries a call, as
 * sudo's does) as `{ "pallet": "Balances", "call": "forceSetBalance",
 * "args": { … } }` (the shape of `tx call PALLET CALL '<args>'`; `args` may
 * be left out when the call takes none) or as the call's SCALE in `0x` hex.
 * Calls need the runtime's calls to resolve against: pass its metadata as
 * `calls`.
 *
 * @module
 */
import type { MultiSignatureValue } from "../crypto/signature_types.ts";
import { ss58Decode, ss58Encode } from "../crypto/ss58.ts";
import { fromHex, toHex } from "../primitives/hex.ts";
import { decode, type TypeDesc } from "./types.ts";
import { CALL_DESC, callArgsDesc, type CallRef, type CallsDesc, nestedCall } from "./call.ts";
import { typeOfDesc } from "./from_desc.ts";

/** A JSON value that does not fit its type; `path` names the field. */
export class JsonTypeError extends TypeError {
  override name = "JsonTypeError";
  constructor(readonly path: string, readonly reason: string) {
    super(`${path || "value"}: ${reason}`);
  }
}

const MAX: Record<string, bigint> = {
  u8: 0xffn,
  u16: 0xffffn,
  u32: 0xffffffffn,
  u64: (1n << 64n) - 1n,
  u128: (1n << 128n) - 1n,
};

function integer(json: unknown, max: bigint, path: string): bigint {
  let value: bigint;
  if (typeof json === "number" && Number.isSafeInteger(json)) value = BigInt(json);
  else if (typeof json === "string" && /^[0-9]+$/.test(json)) value = BigInt(json);
  else if (typeof json === "bigint") value = json;
  else throw new JsonTypeError(path, `expected an integer, got ${JSON.stringify(json)}`);
  if (value < 0n || value > max) throw new JsonTypeError(path, `${value} is out of range`);
  return value;
}

function hexBytes(json: unknown, path: string, length?: number): Uint8Array {
  if (typeof json !== "string" || !json.startsWith("0x")) {
    throw new JsonTypeError(path, `expected 0x-prefixed hex, got ${JSON.stringify(json)}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = fromHex(json);
  } catch (e) {
    throw new JsonTypeError(path, (e as Error).message);
  }
  if (length !== undefined && bytes.length !== length) {
    throw new JsonTypeError(path, `expected ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** The 32-byte account of an SS58 address or `0x` hex public key. */
export function accountFromJson(json: unknown, path = "account"): Uint8Array {
  if (typeof json === "string" && !json.startsWith("0x")) {
    try {
      return ss58Decode(json).publicKey;
    } catch {
      throw new JsonTypeError(path, `invalid SS58 address ${JSON.stringify(json)}`);
    }
  }
  return hexBytes(json, path, 32);
}

/** The SS58 address of an account. */
export function accountToSs58(account: Uint8Array, ss58Format = 42): string {
  return ss58Encode(account, ss58Format);
}

/**
 * The typed value of `json` as `desc` says; a call resolves against `calls`.
 *
 * @throws {JsonTypeError} naming the path of the first field that does not fit
 */
export function fromJson(
  desc: TypeDesc,
  json: unknown,
  path = "",
  calls?: CallsDesc,
): unknown {
  const from = (d: TypeDesc, j: unknown, p: string) => fromJson(d, j, p, calls);
  switch (desc.kind) {
    case "primitive":
      if (desc.primitive === "bool") {
        if (typeof json !== "boolean") throw new JsonTypeError(path, "expected true or false");
        return json;
      }
      if (desc.primitive === "str") {
        if (typeof json !== "string") throw new JsonTypeError(path, "expected a string");
        return bounded(json, new TextEncoder().encode(json).length, desc.max, path);
      }
      return bigOrSmall(desc.primitive, integer(json, MAX[desc.primitive], path));
    case "compact":
      return bigOrSmall(desc.primitive, integer(json, MAX[desc.primitive], path));
    case "bytes": {
      const bytes = typeof json === "string" && !json.startsWith("0x")
        ? new TextEncoder().encode(json)
        : hexBytes(json, path);
      return bounded(bytes, bytes.length, desc.max, path);
    }
    case "array":
      if (desc.name === "AccountId") return accountFromJson(json, path);
      return hexBytes(json, path, desc.length);
    case "vec":
      if (!Array.isArray(json)) throw new JsonTypeError(path, "expected an array");
      return json.map((item, i) => from(desc.item, item, `${path}[${i}]`));
    case "option":
      return json === null || json === undefined ? undefined : from(desc.inner, json, path);
    case "tuple":
      if (!Array.isArray(json) || json.length !== desc.items.length) {
        throw new JsonTypeError(path, `expected an array of ${desc.items.length} items`);
      }
      return desc.items.map((item, i) => from(item, json[i], `${path}[${i}]`));
    case "struct": {
      if (typeof json !== "object" || json === null || Array.isArray(json)) {
        throw new JsonTypeError(path, "expected an object");
      }
      const obj = json as Record<string, unknown>;
      const known = new Set(desc.fields.map((f) => f.name));
      for (const key of Object.keys(obj)) {
        if (!known.has(key)) throw new JsonTypeError(join(path, key), "unknown field");
      }
      const out: Record<string, unknown> = {};
      for (const field of desc.fields) {
        const p = join(path, field.name);
        if (!(field.name in obj) && field.type.kind !== "option") {
          throw new JsonTypeError(p, "missing field");
        }
        out[field.name] = from(field.type, obj[field.name], p);
      }
      return out;
    }
    case "enum": {
      const [name, value] = typeof json === "string"
        ? [json, undefined]
        : typeof json === "object" && json !== null && Object.keys(json).length === 1
        ? Object.entries(json)[0]
        : [undefined, undefined];
      const variant = desc.variants.find((v) => v.name === name);
      if (!variant) {
        const names = desc.variants.map((v) => v.name).join(", ");
        throw new JsonTypeError(path, `expected one of ${names}`);
      }
      if (!variant.type) return { tag: variant.name };
      const inner = from(variant.type, value, join(path, variant.name));
      // A MultiSignature's value is `{ type, signature }` (runtime/crypto), not `{ tag, value }`.
      if (desc.name === "MultiSignature") return { type: variant.name, signature: inner };
      return { tag: variant.name, value: inner };
    }
    case "call":
      return callFromJson(json, path, calls);
  }
}

const CALL_FIELDS = new Set(["pallet", "call", "args"]);

function callFromJson(json: unknown, path: string, calls: CallsDesc | undefined): CallRef {
  if (!calls) throw new JsonTypeError(path, "a call needs the runtime's calls (its metadata)");
  if (typeof json === "string") {
    const bytes = hexBytes(json, path);
    try {
      return decode(typeOfDesc(CALL_DESC, calls), bytes, "call") as CallRef;
    } catch (e) {
      throw new JsonTypeError(path, (e as Error).message);
    }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new JsonTypeError(path, 'expected {"pallet", "call", "args"} or the call\'s 0x hex');
  }
  const obj = json as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!CALL_FIELDS.has(key)) throw new JsonTypeError(join(path, key), "unknown field");
  }
  for (const key of ["pallet", "call"]) {
    if (typeof obj[key] !== "string") throw new JsonTypeError(join(path, key), "expected a name");
  }
  const pallet =
    calls.pallets.find((p) => p.name.toLowerCase() === (obj.pallet as string).toLowerCase())
      ?.name ?? obj.pallet as string;
  const call = obj.call as string;
  let args: TypeDesc;
  try {
    args = callArgsDesc(calls, pallet, call);
  } catch (e) {
    throw new JsonTypeError(path, (e as Error).message);
  }
  return nestedCall(
    () => ({
      pallet,
      call,
      args: fromJson(args, obj.args ?? {}, join(path, "args"), calls) as Record<string, unknown>,
    }),
    (message) => new JsonTypeError(path, message),
  );
}

/** `value` of `length` bytes, or an error naming the bound it exceeds. */
function bounded<T>(value: T, length: number, max: number | undefined, path: string): T {
  if (max !== undefined && length > max) {
    throw new JsonTypeError(path, `${length} bytes exceed the bound of ${max}`);
  }
  return value;
}

function bigOrSmall(primitive: string, value: bigint): number | bigint {
  return primitive === "u64" || primitive === "u128" ? value : Number(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The JSON view of a typed value: the inverse of {@link fromJson}. */
export function toJson(
  desc: TypeDesc,
  value: unknown,
  ss58Format = 42,
  calls?: CallsDesc,
): unknown {
  const to = (d: TypeDesc, v: unknown) => toJson(d, v, ss58Format, calls);
  switch (desc.kind) {
    case "primitive":
    case "compact":
      return typeof value === "bigint"
        ? (value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString())
        : value;
    case "bytes":
      return toHex(value as Uint8Array);
    case "array":
      return desc.name === "AccountId"
        ? accountToSs58(value as Uint8Array, ss58Format)
        : toHex(value as Uint8Array);
    case "vec":
      return (value as unknown[]).map((v) => to(desc.item, v));
    case "option":
      return value === undefined ? null : to(desc.inner, value);
    case "tuple":
      return desc.items.map((item, i) => to(item, (value as unknown[])[i]));
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const field of desc.fields) {
        out[field.name] = to(field.type, (value as Record<string, unknown>)[field.name]);
      }
      return out;
    }
    case "enum": {
      const { tag, value: inner } = desc.name === "MultiSignature"
        ? {
          tag: (value as MultiSignatureValue).type,
          value: (value as MultiSignatureValue).signature,
        }
        : value as { tag: string; value?: unknown };
      const variant = desc.variants.find((v) => v.name === tag);
      if (!variant?.type) return tag;
      return { [tag]: to(variant.type, inner) };
    }
    case "call": {
      if (!calls) throw new TypeError("Cannot show a RuntimeCall as JSON: no runtime calls given");
      const { pallet, call, args } = value as CallRef;
      return { pallet, call, args: to(callArgsDesc(calls, pallet, call), args) };
    }
  }
}
