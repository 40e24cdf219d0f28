/**
 * Every key of a raw storage key of a map or double map, as JSON: what a
 * page needs to list `Streams.StreamRelays` (stream, relay) pairs.
 * `client/metadata.ts`'s `mapKeyToJson` reads the first key only.
 *
 * @module
 */
import { Reader } from "../../runtime/codec/types.ts";
import { typeOfDesc } from "../../runtime/codec/from_desc.ts";
import { toJson } from "../../runtime/codec/json.ts";
import type { RuntimeMetadata } from "../../runtime/executive/metadata.ts";
import { storageItemOf } from "../../client/metadata.ts";

/** Bytes each hasher puts before the key itself (`Identity` puts none). */
const HASH_BYTES: Record<string, number> = { Blake2_128Concat: 16, Twox64Concat: 8, Identity: 0 };

/**
 * The keys (JSON, in order) of `rawKey`, a key of `pallet.item`.
 *
 * @throws {TypeError} when a hasher does not keep its key (it cannot be read back)
 */
export function storageKeysToJson(
  metadata: RuntimeMetadata,
  pallet: string,
  item: string,
  rawKey: Uint8Array,
): unknown[] {
  const { item: meta } = storageItemOf(metadata, pallet, item);
  const r = new Reader(rawKey.subarray(32));
  return meta.keys.map((desc, i) => {
    const skip = HASH_BYTES[meta.hashers[i]];
    if (skip === undefined) {
      throw new TypeError(`Cannot read ${pallet}.${item} keys: hasher ${meta.hashers[i]}`);
    }
    r.take(skip);
    return toJson(desc, typeOfDesc(desc).decodeFrom(r), metadata.ss58Format);
  });
}
