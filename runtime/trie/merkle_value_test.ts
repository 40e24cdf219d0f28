/**
 * `closestDescendantMerkleValue`: the Merkle value of the node at or just
 * below a key, as `chainHead_v1_storage` reports it.
 */
import assert from "node:assert/strict";
import { blake2_256 } from "../primitives/hashing.ts";
import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie } from "./mod.ts";

const b = (...bytes: number[]) => new Uint8Array(bytes);

function build(pairs: [Uint8Array, Uint8Array][]) {
  const store = new MemoryNodeStore();
  const trie = new Trie(store);
  const { root, nodes } = trie.commit(EMPTY_TRIE_ROOT, pairs);
  store.insert(nodes);
  return { trie, root, store };
}

const pairs: [Uint8Array, Uint8Array][] = [
  [b(1, 2, 3), new Uint8Array(40).fill(7)],
  [b(1, 2, 4), new Uint8Array(40).fill(8)],
  [b(1, 2, 4, 5), b(9)],
  [b(9, 9), new Uint8Array(40).fill(1)],
];

Deno.test("closestDescendantMerkleValue() of the empty key is the root; of an absent prefix, nothing", () => {
  const { trie, root } = build(pairs);
  assert.deepEqual(trie.closestDescendantMerkleValue(root, b()), root);
  assert.equal(trie.closestDescendantMerkleValue(root, b(5)), undefined);
  assert.equal(trie.closestDescendantMerkleValue(root, b(1, 2, 3, 0)), undefined);
  assert.equal(trie.closestDescendantMerkleValue(EMPTY_TRIE_ROOT, b()), undefined);
});

Deno.test("closestDescendantMerkleValue() is the hash of a stored node or an inline node's encoding", () => {
  const { trie, root, store } = build(pairs);
  for (const key of [b(1), b(1, 2), b(1, 2, 3), b(1, 2, 4), b(1, 2, 4, 5), b(9)]) {
    const merkle = trie.closestDescendantMerkleValue(root, key)!;
    assert.ok(merkle, `a value for ${key}`);
    if (merkle.length === 32) assert.ok(store.get(merkle), `node ${key} is stored by its hash`);
    else assert.ok(merkle.length < 32, "an inline node is shorter than a hash");
  }
  // A key inside a node's partial key shares that node's Merkle value.
  assert.deepEqual(
    trie.closestDescendantMerkleValue(root, b(9)),
    trie.closestDescendantMerkleValue(root, b(9, 9)),
  );
});

Deno.test("closestDescendantMerkleValue() changes with a value under the key and only then", () => {
  const { trie, root, store } = build(pairs);
  const under = trie.commit(root, [[b(1, 2, 3), b(0)]]);
  store.insert(under.nodes);
  const beside = trie.commit(root, [[b(9, 9), b(0)]]);
  store.insert(beside.nodes);
  const before = trie.closestDescendantMerkleValue(root, b(1, 2))!;
  assert.notDeepEqual(trie.closestDescendantMerkleValue(under.root, b(1, 2)), before);
  assert.deepEqual(trie.closestDescendantMerkleValue(beside.root, b(1, 2)), before);
  assert.deepEqual(blake2_256(store.get(root)!), root);
});
