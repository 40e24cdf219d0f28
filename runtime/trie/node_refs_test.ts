import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import { equalBytes } from "../primitives/bytes.ts";
import { toHexRaw } from "../primitives/hex.ts";
import { decodeNode, HASH_LENGTH, KIND_BRANCH } from "./_node.ts";
import { EMPTY_TRIE_ROOT, MemoryNodeStore, type NodeRefChanges, Trie } from "./mod.ts";

/** How often each stored node (and stored value) is referenced in the trie at `root`. */
function occurrences(store: MemoryNodeStore, root: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  if (equalBytes(root, EMPTY_TRIE_ROOT)) return out;
  const bump = (hash: string) => out.set(hash, (out.get(hash) ?? 0) + 1);
  const visit = (enc: Uint8Array) => {
    const node = decodeNode(enc);
    if (node.vOff >= 0 && node.vHashed) {
      bump(toHexRaw(enc.subarray(node.vOff, node.vOff + HASH_LENGTH)));
    }
    if (node.kind !== KIND_BRANCH) return;
    for (const ref of node.kids!) {
      if (ref < 0) continue;
      const child = enc.subarray(ref >> 6, (ref >> 6) + (ref & 63));
      if (child.length !== HASH_LENGTH) visit(child);
      else {
        bump(toHexRaw(child));
        visit(store.get(child)!);
      }
    }
  };
  bump(toHexRaw(root));
  visit(store.get(root)!);
  return out;
}

/** `after - before`, without zeros. */
function difference(after: Map<string, number>, before: Map<string, number>) {
  const out = new Map<string, number>();
  for (const hash of new Set([...after.keys(), ...before.keys()])) {
    const d = (after.get(hash) ?? 0) - (before.get(hash) ?? 0);
    if (d !== 0) out.set(hash, d);
  }
  return out;
}

function net(refs: NodeRefChanges): Map<string, number> {
  return difference(refs.added, refs.removed);
}

// Few keys with shared prefixes and few distinct values, short and long: identical leaves and
// stored values at several places, branches that split and merge, values that come back.
const keyArb = fc.constantFrom(
  ...[[], [1], [1, 2], [1, 2, 3], [1, 3], [0x12], [0x12, 0x34], [2], [2, 0], [2, 0, 0]].map((k) =>
    new Uint8Array(k)
  ),
);
const valueArb = fc.oneof(
  fc.constantFrom(null, new Uint8Array([7]), new Uint8Array([8])),
  fc.constantFrom(new Uint8Array(40).fill(1), new Uint8Array(40).fill(2)),
);
const batchArb = fc.array(fc.tuple(keyArb, valueArb), { minLength: 1, maxLength: 6 });

Deno.test("commit() counts exactly the references it adds and drops, node by node", () => {
  fc.assert(
    fc.property(fc.array(batchArb, { minLength: 1, maxLength: 12 }), (batches) => {
      const store = new MemoryNodeStore();
      const trie = new Trie(store);
      let root = EMPTY_TRIE_ROOT;
      let before = occurrences(store, root);
      for (const batch of batches) {
        const out = trie.commit(root, batch);
        store.insert(out.nodes);
        root = out.root;
        const after = occurrences(store, root);
        assertEquals(net(out.refs), difference(after, before));
        for (const hash of out.refs.added.keys()) assertEquals(out.nodes.has(hash), true);
        before = after;
      }
    }),
    { numRuns: 1000 },
  );
});

Deno.test("a commit that changes nothing adds and drops no reference", () => {
  const store = new MemoryNodeStore();
  const trie = new Trie(store);
  const first = trie.commit(EMPTY_TRIE_ROOT, [[new Uint8Array([1]), new Uint8Array(40)]]);
  store.insert(first.nodes);
  const again = trie.commit(first.root, [[new Uint8Array([2]), null]]);
  assertEquals([again.refs.added.size, again.refs.removed.size], [0, 0]);
});
