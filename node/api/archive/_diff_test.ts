/**
 * `storageDiff` between two states: each added, modified and deleted key
 * under the items once, in key order, with the return types its items ask for.
 */
import assert from "node:assert/strict";
import { blake2_256 } from "../../../runtime/primitives/hashing.ts";
import { fromHex, toHex } from "../../../runtime/primitives/hex.ts";
import { EMPTY_STATE, Overlay } from "../../../runtime/storage/overlay.ts";
import { diffItems, storageDiff } from "./_diff.ts";

function states() {
  const previous = new Overlay(EMPTY_STATE);
  for (const [key, value] of [["0x01aa", "0x01"], ["0x01bb", "0x02"], ["0x02aa", "0x04"]]) {
    previous.set(fromHex(key), fromHex(value));
  }
  const state = new Overlay(previous);
  state.set(fromHex("0x01aa"), fromHex("0x09"));
  state.delete(fromHex("0x01bb"));
  state.set(fromHex("0x01dd"), fromHex("0x05"));
  state.set(fromHex("0x02aa"), fromHex("0x04")); // written, but unchanged
  state.set(fromHex("0x03"), fromHex("0x06"));
  return { previous, state };
}

function diff(items: unknown) {
  const { previous, state } = states();
  return [...storageDiff(previous, state, diffItems(items))].filter((e) => e !== null);
}

Deno.test("storageDiff reports added, modified and deleted keys under a prefix, a deleted one with what it held", () => {
  assert.deepEqual(
    diff([{ key: "0x01", returnType: "value" }, { key: "0x01bb", returnType: "hash" }]),
    [
      { event: "storageDiff", key: "0x01aa", type: "modified", value: "0x09" },
      {
        event: "storageDiff",
        key: "0x01bb",
        type: "deleted",
        value: "0x02",
        hash: toHex(blake2_256(fromHex("0x02"))),
      },
      { event: "storageDiff", key: "0x01dd", type: "added", value: "0x05" },
    ],
  );
});

Deno.test("storageDiff without items compares every key, and overlapping items report a key once", () => {
  const all = diff(undefined).map((e) => `${e.key} ${e.type}`);
  assert.deepEqual(all, ["0x01aa modified", "0x01bb deleted", "0x01dd added", "0x03 added"]);
  const overlapping = diff([
    { key: "0x01", returnType: "value" },
    { key: "0x01", returnType: "value" },
    { returnType: "hash" },
    { key: "0x01aa", returnType: "hash" },
  ]);
  assert.deepEqual(overlapping.map((e) => e.key), ["0x01aa", "0x01bb", "0x01dd", "0x03"]);
  assert.equal(overlapping[3].value, undefined, "0x03 is only under the hash item");
  assert.equal(overlapping[0].value, "0x09");
});

Deno.test("storageDiff finds nothing in a child trie (Sutantra's state has none) or among unchanged keys", () => {
  assert.deepEqual(diff([{ returnType: "value", childTrieKey: "0x1234" }]), []);
  assert.deepEqual(diff([{ key: "0x02", returnType: "value" }]), []);
  assert.deepEqual(diff([]), []);
});
