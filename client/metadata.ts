/**
 * Working from a node's metadata document: encoding a call from JSON
 * arguments, computing and decoding storage entries, and decoding events
 * with the names and docs of pallet errors.
 *
 * @module
 */
import { decode, encode, readCompact, Reader, t } from "../runtime/codec/types.ts";
import { fromHex } from "../runtime/primitives/hex.ts";
import { typeOfDesc } from "../runtime/codec/from_desc.ts";
import { fromJson, toJson } from "../runtime/codec/json.ts";
import type { PalletMetadata, RuntimeMetadata } from "../runtime/executive/metadata.ts";
import { concatBytes, utf8 } from "../runtime/primitives/bytes.ts";
import { type HasherName, HASHERS } from "../runtime/storage/items.ts";
import { twox128 } from "../runtime/primitives/hashing.ts";

/** A pallet by name, case-insensitive (`balances` finds `Balances`). */
export function palletOf(metadata: RuntimeMetadata, name: string): PalletMetadata {
  const pallet = metadata.pallets.find((p) => p.name.toLowerCase() === name.toLowerCase());
  if (!pallet) {
    throw new TypeError(
      `No pallet ${name}; the node has ${metadata.pallets.map((p) => p.name).join(", ")}`,
    );
  }
  return pallet;
}

/**
 * Whether `given` names `name`, in the TypeScript spelling or Substrate's
 * snake_case (`transfer_keep_alive` names `transferKeepAlive`, `new_free`
 * names `newFree`), as polkadot.js and the metadata spell calls and fields.
 *
 * @example
 * ```ts
 * import { namesMatch } from "./metadata.ts";
 * if (!namesMatch("transferKeepAlive", "transfer_keep_alive")) throw new Error("snake_case");
 * if (namesMatch("transferKeepAlive", "transfer")) throw new Error("another call");
 * ```
 */
export function namesMatch(name: string, given: string): boolean {
  return name === given || name.toLowerCase() === given.replaceAll("_", "").toLowerCase();
}

/**
 * The SCALE call `pallet.call(args)`, with `args` as JSON (amounts as
 * strings or numbers, accounts as SS58 or hex, enums as `{"Variant": value}`,
 * a call as `{"pallet": …, "call": …, "args": {…}}`). Call and argument
 * names may be spelled as in TypeScript or in Substrate's snake_case.
 *
 * @throws {TypeError} naming the unknown call or the bad argument
 */
export function encodeCallFromJson(
  metadata: RuntimeMetadata,
  palletName: string,
  callName: string,
  args: Record<string, unknown>,
): Uint8Array {
  const pallet = palletOf(metadata, palletName);
  const call = pallet.calls.find((c) => namesMatch(c.name, callName));
  if (!call) {
    throw new TypeError(
      `No call ${pallet.name}.${callName}; it has ${pallet.calls.map((c) => c.name).join(", ")}`,
    );
  }
  const named: Record<string, unknown> = {};
  for (const [given, value] of Object.entries(args)) {
    const arg = call.args.find((a) => namesMatch(a.name, given));
    if (!arg) {
      throw new TypeError(
        `${pallet.name}.${call.name} has no argument ${given}; it takes ${
          call.args.map((a) => a.name).join(", ") || "none"
        }`,
      );
    }
    named[arg.name] = value;
  }
  // A call argument (sudo's `call`) resolves against the metadata's calls.
  const parts = call.args.map((arg) => {
    const value = fromJson(arg.type, named[arg.name], arg.name, metadata);
    return encode(typeOfDesc(arg.type, metadata), value);
  });
  return concatBytes(new Uint8Array([pallet.index, call.index]), ...parts);
}

/** A storage item of a pallet, with its key and value codecs. */
export function storageItemOf(metadata: RuntimeMetadata, palletName: string, itemName: string) {
  const pallet = palletOf(metadata, palletName);
  const item = pallet.storage.items.find((i) => i.name === itemName);
  if (!item) {
    throw new TypeError(
      `No storage ${pallet.name}.${itemName}; it has ${
        pallet.storage.items.map((i) => i.name).join(", ")
      }`,
    );
  }
  return { pallet, item };
}

/** `twox128(pallet) ++ twox128(item)`: the prefix of every key of `pallet.item`. */
export function storagePrefix(metadata: RuntimeMetadata, palletName: string, itemName: string) {
  const { pallet, item } = storageItemOf(metadata, palletName, itemName);
  return concatBytes(twox128(utf8(pallet.storage.prefix)), twox128(utf8(item.name)));
}

/** Bytes each hasher puts before the key itself (`Identity` puts none). */
const HASH_BYTES: Record<string, number> = { Blake2_128Concat: 16, Twox64Concat: 8, Identity: 0 };

/** The first map key (as JSON) of a raw key of a `Blake2_128Concat`/`Twox64Concat`/`Identity` map. */
export function mapKeyToJson(
  metadata: RuntimeMetadata,
  palletName: string,
  itemName: string,
  rawKey: Uint8Array,
): unknown {
  const { item } = storageItemOf(metadata, palletName, itemName);
  const skip = HASH_BYTES[item.hashers[0]] ?? 0;
  const type = typeOfDesc(item.keys[0]);
  const r = new Reader(rawKey.subarray(32 + skip));
  return toJson(item.keys[0], type.decodeFrom(r), metadata.ss58Format);
}

/**
 * Every key (JSON, in order) of `rawKey`, a key of the map or double map
 * `pallet.item`: what listing `Streams.StreamRelays` (stream, relay) pairs needs.
 *
 * @throws {TypeError} when a hasher does not keep its key (it cannot be read back)
 */
export function storageKeysToJson(
  metadata: RuntimeMetadata,
  palletName: string,
  itemName: string,
  rawKey: Uint8Array,
): unknown[] {
  const { pallet, item } = storageItemOf(metadata, palletName, itemName);
  const r = new Reader(rawKey.subarray(32));
  return item.keys.map((desc, i) => {
    const skip = HASH_BYTES[item.hashers[i]];
    if (skip === undefined) {
      throw new TypeError(
        `Cannot read ${pallet.name}.${item.name} keys: hasher ${item.hashers[i]}`,
      );
    }
    r.take(skip);
    return toJson(desc, typeOfDesc(desc).decodeFrom(r), metadata.ss58Format);
  });
}

/**
 * The raw key of `pallet.item` at `keys` (JSON, one per map key):
 * `twox128(pallet) ++ twox128(item) ++ hasher(key)…`.
 *
 * @throws {TypeError} when the number of keys is wrong or a key does not fit its type
 */
export function storageKeyFromJson(
  metadata: RuntimeMetadata,
  palletName: string,
  itemName: string,
  keys: unknown[],
): Uint8Array {
  const { pallet, item } = storageItemOf(metadata, palletName, itemName);
  if (keys.length !== item.keys.length) {
    throw new TypeError(
      `${pallet.name}.${item.name} takes ${item.keys.length} key(s), got ${keys.length}`,
    );
  }
  return storageKeyPrefixFromJson(metadata, palletName, itemName, keys);
}

/**
 * The prefix of every key of `pallet.item` whose first keys are `keys`
 * (JSON; fewer than the item has): `Streams.StreamRelays` at `[0]` prefixes
 * the relays of stream 0.
 *
 * @throws {TypeError} when there are more keys than the item has, or a key does not fit its type
 */
export function storageKeyPrefixFromJson(
  metadata: RuntimeMetadata,
  palletName: string,
  itemName: string,
  keys: unknown[],
): Uint8Array {
  const { pallet, item } = storageItemOf(metadata, palletName, itemName);
  if (keys.length > item.keys.length) {
    throw new TypeError(
      `${pallet.name}.${item.name} takes ${item.keys.length} key(s), got ${keys.length}`,
    );
  }
  const hashed = keys.map((key, i) => {
    const desc = item.keys[i];
    const encoded = encode(typeOfDesc(desc), fromJson(desc, key, `key ${i + 1}`));
    return HASHERS[item.hashers[i] as HasherName](encoded);
  });
  return concatBytes(twox128(utf8(pallet.storage.prefix)), twox128(utf8(item.name)), ...hashed);
}

/**
 * A pallet's constant as JSON, found by name as {@link namesMatch} does
 * (`MaxTitleBytes`, `existentialDeposit` or `existential_deposit`).
 *
 * @throws {TypeError} when the pallet has no such constant
 */
export function constantToJson(
  metadata: RuntimeMetadata,
  palletName: string,
  name: string,
): unknown {
  const pallet = palletOf(metadata, palletName);
  const constant = pallet.constants.find((c) => namesMatch(c.name, name));
  if (!constant) throw new TypeError(`No constant ${name} in ${pallet.name}`);
  const value = decode(typeOfDesc(constant.type), fromHex(constant.value), constant.name);
  return toJson(constant.type, value, metadata.ss58Format);
}

/** A stored value as JSON (or the item's default when absent, or `null`). */
export function storageValueToJson(
  metadata: RuntimeMetadata,
  palletName: string,
  itemName: string,
  bytes: Uint8Array | undefined,
): unknown {
  const { item } = storageItemOf(metadata, palletName, itemName);
  const raw = bytes ?? (item.default ? fromHex(item.default) : undefined);
  if (!raw) return null;
  return toJson(item.value, decode(typeOfDesc(item.value), raw, item.name), metadata.ss58Format);
}

/** An event record decoded by the metadata. */
export interface DecodedEvent {
  phase: { tag: string; value?: number };
  pallet: string;
  name: string;
  fields: Record<string, unknown>;
  docs: string;
}

/** Decodes `System.Events` with the metadata. */
export function decodeEventsWith(metadata: RuntimeMetadata, bytes: Uint8Array): DecodedEvent[] {
  const r = new Reader(bytes);
  const count = Number(readCompact(r, 0xffffffffn));
  const phase = t.enum("Phase", {
    ApplyExtrinsic: t.u32,
    Finalization: null,
    Initialization: null,
  });
  const topics = t.vec(t.hash);
  const out: DecodedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const p = phase.decodeFrom(r) as { tag: string; value?: number };
    const palletIndex = r.u8();
    const eventIndex = r.u8();
    const pallet = metadata.pallets.find((x) => x.index === palletIndex);
    const event = pallet?.events.find((e) => e.index === eventIndex);
    if (!pallet || !event) throw new RangeError(`Unknown event ${palletIndex}/${eventIndex}`);
    const fields: Record<string, unknown> = {};
    for (const field of event.fields) {
      fields[field.name] = toJson(
        field.type,
        typeOfDesc(field.type).decodeFrom(r),
        metadata.ss58Format,
      );
    }
    topics.decodeFrom(r);
    out.push({ phase: p, pallet: pallet.name, name: event.name, fields, docs: event.docs });
  }
  return out;
}

/** The name and docs of the pallet error a `Module` dispatch error (as JSON) points at. */
export function moduleErrorOf(
  metadata: RuntimeMetadata,
  dispatchError: unknown,
): { pallet: string; name: string; docs: string } | undefined {
  const module = (dispatchError as { Module?: { index: number; error: string } }).Module;
  if (!module) return undefined;
  const pallet = metadata.pallets.find((p) => p.index === module.index);
  const errorIndex = parseInt(module.error.slice(2, 4), 16);
  const error = pallet?.errors.find((e) => e.index === errorIndex);
  return pallet && error ? { pallet: pallet.name, name: error.name, docs: error.docs } : undefined;
}
