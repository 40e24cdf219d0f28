/**
 * `archive_v1_storageDiff`'s items and the differences they ask for: the
 * keys added, modified or deleted between two states, under the items'
 * prefixes, in key order.
 *
 * @module
 */
import { blake2_256 } from "../../../runtime/primitives/hashing.ts";
import { compareBytes, equalBytes } from "../../../runtime/primitives/bytes.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import type { StateReader } from "../../../runtime/storage/overlay.ts";
import { ErrorCode, RpcError } from "../../rpc/mod.ts";
import { hexParam } from "../../../client/rpc/params.ts";

/** One requested part of a diff. */
export interface DiffItem {
  /** Keys that start with it (every key when empty). */
  prefix: Uint8Array;
  returnType: "value" | "hash";
  /** Set when the item asks about a child trie (Sutantra's state has none). */
  childTrie: boolean;
}

/** One `storageDiff` event. */
export interface StorageDiffJson {
  event: "storageDiff";
  key: string;
  value?: string;
  hash?: string;
  type: "added" | "modified" | "deleted";
}

/**
 * The `items` param, checked (`-32602` naming the bad item). Absent (or
 * `null`), it asks for the values of every key of the main trie, as the
 * spec says.
 */
export function diffItems(value: unknown): DiffItem[] {
  if (value === undefined || value === null) {
    return [{ prefix: new Uint8Array(), returnType: "value", childTrie: false }];
  }
  if (!Array.isArray(value)) {
    throw new RpcError(ErrorCode.InvalidParams, "Invalid params: items must be an array");
  }
  return value.map((item, i) => {
    if (typeof item !== "object" || item === null) {
      throw new RpcError(ErrorCode.InvalidParams, `Invalid params: items[${i}] must be an object`);
    }
    const { key, returnType, childTrieKey } = item as Record<string, unknown>;
    if (returnType !== "value" && returnType !== "hash") {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Invalid params: items[${i}].returnType must be "value" or "hash"`,
      );
    }
    const prefix = key === undefined ? new Uint8Array() : hexParam([key], 0, `items[${i}].key`);
    const child = childTrieKey !== undefined && childTrieKey !== null;
    if (child) hexParam([childTrieKey], 0, `items[${i}].childTrieKey`);
    return { prefix, returnType, childTrie: child };
  });
}

/**
 * The differences of `state` from `previous` under the main-trie `items`,
 * each key once with every return type its items ask for (`value` and
 * `hash` in one event when both do); a deleted key reports what it held.
 * Between them, `null`s mark keys compared and found unchanged: points
 * where the caller may pause.
 *
 * PERF: every key under the items' prefixes is read in both states (as
 * Substrate does), so the cost grows with the keys under them, not with
 * the changes.
 */
export function* storageDiff(
  previous: StateReader,
  state: StateReader,
  items: DiffItem[],
): Generator<StorageDiffJson | null> {
  const main = items.filter((item) => !item.childTrie);
  // Walk each covering prefix once: one that another starts with adds nothing.
  const prefixes = main.map((item) => item.prefix)
    .filter((p, i, all) => !all.some((q, j) => startsWith(p, q) && (q.length < p.length || j < i)))
    .sort(compareBytes);
  for (const prefix of prefixes) {
    for (const change of changes(previous, state, prefix)) {
      if (change === null) {
        yield null;
        continue;
      }
      const [key, before, after] = change;
      const asked = main.filter((item) => startsWith(key, item.prefix));
      const reported = after ?? before!;
      const event: StorageDiffJson = {
        event: "storageDiff",
        key: toHex(key),
        type: before === undefined ? "added" : after === undefined ? "deleted" : "modified",
      };
      if (asked.some((item) => item.returnType === "value")) event.value = toHex(reported);
      if (asked.some((item) => item.returnType === "hash")) {
        event.hash = toHex(blake2_256(reported));
      }
      yield event;
    }
  }
}

/** Keys under `prefix` whose value differs (`null` for one that does not), by a merge of both orders. */
function* changes(
  previous: StateReader,
  state: StateReader,
  prefix: Uint8Array,
): Generator<[Uint8Array, Uint8Array | undefined, Uint8Array | undefined] | null> {
  const old = previous.entries(prefix)[Symbol.iterator]();
  const now = state.entries(prefix)[Symbol.iterator]();
  let a = old.next();
  let b = now.next();
  while (!a.done || !b.done) {
    const order = a.done ? 1 : b.done ? -1 : compareBytes(a.value[0], b.value[0]);
    if (order < 0) {
      yield [a.value![0], a.value![1], undefined];
      a = old.next();
    } else if (order > 0) {
      yield [b.value![0], undefined, b.value![1]];
      b = now.next();
    } else {
      const [key, before] = a.value!;
      const after = b.value![1];
      yield equalBytes(before, after) ? null : [key, before, after];
      a = old.next();
      b = now.next();
    }
  }
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  return key.length >= prefix.length && equalBytes(key.subarray(0, prefix.length), prefix);
}
