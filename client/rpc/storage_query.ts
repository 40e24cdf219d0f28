/**
 * The items of a `chainHead_v1_storage` or `archive_v1_storage` query, read
 * from one state: what each requested item yields, lazily, so a descendants
 * query can pause between pages (for `chainHead_v1_continue`, or to let the
 * node serve others).
 *
 * @module
 */
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { RpcError } from "./error.ts";
import { hexParam } from "./params.ts";

/** What a storage item asks for. */
export type StorageQueryType =
  | "value"
  | "hash"
  | "closestDescendantMerkleValue"
  | "descendantsValues"
  | "descendantsHashes";

const TYPES: ReadonlySet<string> = new Set<StorageQueryType>([
  "value",
  "hash",
  "closestDescendantMerkleValue",
  "descendantsValues",
  "descendantsHashes",
]);

/** One requested item. */
export interface StorageQuery {
  key: Uint8Array;
  type: StorageQueryType;
  /** A descendants query resumes strictly after this key (`archive_v1_storage`'s `paginationStartKey`). */
  startAfter?: Uint8Array;
}

/** One item of an `operationStorageItems` event. */
export interface StorageItemJson {
  key: string;
  value?: string;
  hash?: string;
  closestDescendantMerkleValue?: string;
}

/**
 * The `items` param, checked (`-32602` naming the bad item). With
 * `paginated` (`archive_v1_storage`) an item may carry `paginationStartKey`,
 * which only a descendants query takes.
 */
export function storageQueries(value: unknown, paginated = false): StorageQuery[] {
  if (!Array.isArray(value)) throw new RpcError(-32602, "Invalid params: items must be an array");
  return value.map((item, i) => {
    const { key, type, paginationStartKey } = (item ?? {}) as Record<string, unknown>;
    if (typeof type !== "string" || !TYPES.has(type)) {
      throw new RpcError(-32602, `Invalid params: items[${i}].type is not a storage query type`);
    }
    const query: StorageQuery = {
      key: hexParam([key], 0, `items[${i}].key`),
      type: type as StorageQueryType,
    };
    if (!paginated || paginationStartKey === undefined) return query;
    if (!type.startsWith("descendants")) {
      throw new RpcError(
        -32602,
        `Invalid params: items[${i}].paginationStartKey is only valid for descendantsValues and descendantsHashes`,
      );
    }
    return {
      ...query,
      startAfter: hexParam([paginationStartKey], 0, `items[${i}].paginationStartKey`),
    };
  });
}

/** What a storage query reads besides the state: the trie's Merkle values. */
export type MerkleValueOf = (key: Uint8Array) => Uint8Array | undefined;

/**
 * The result items of `queries` against `state`, in the order asked. Reads
 * happen as the iteration reaches them, so a paused query holds no more
 * than its place in the trie.
 */
export function* storageItems(
  state: StateReader,
  merkleValueOf: MerkleValueOf,
  queries: StorageQuery[],
): Generator<StorageItemJson> {
  for (const { key, type, startAfter } of queries) {
    switch (type) {
      case "value":
      case "hash": {
        const value = state.get(key);
        if (value !== undefined) yield item(key, value, type === "hash");
        break;
      }
      case "closestDescendantMerkleValue": {
        const merkle = merkleValueOf(key);
        if (merkle !== undefined) {
          yield { key: toHex(key), closestDescendantMerkleValue: toHex(merkle) };
        }
        break;
      }
      default:
        for (const [k, value] of state.entries(key, startAfter)) {
          yield item(k, value, type === "descendantsHashes");
        }
    }
  }
}

function item(key: Uint8Array, value: Uint8Array, hashed: boolean): StorageItemJson {
  return hashed
    ? { key: toHex(key), hash: toHex(blake2_256(value)) }
    : { key: toHex(key), value: toHex(value) };
}
