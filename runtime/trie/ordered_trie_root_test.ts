import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { compact } from "@polkadot-api/substrate-bindings";
import { blake2_256 } from "../primitives/hashing.ts";
import { EMPTY_TRIE_ROOT, MemoryNodeStore, orderedTrieRoot, Trie } from "./mod.ts";

Deno.test("orderedTrieRoot([]) is the empty trie root", () => {
  assertEquals(orderedTrieRoot([]), EMPTY_TRIE_ROOT);
});

Deno.test("orderedTrieRoot() of one item is a leaf keyed by Compact(0)", () => {
  // Key 0x00 (Compact 0) is two nibbles: leaf header 0x42, partial 0x00, value 0x04 0xaa.
  assertEquals(
    orderedTrieRoot([new Uint8Array([0xaa])]),
    blake2_256(new Uint8Array([0x42, 0x00, 0x04, 0xaa])),
  );
});

Deno.test("orderedTrieRoot() equals a trie keyed by SCALE Compact<u32> index", () => {
  for (const n of [2, 3, 17, 64, 65, 300]) {
    const items = Array.from({ length: n }, (_, i) => new Uint8Array(i % 50).fill(i & 255));
    const trie = new Trie(new MemoryNodeStore());
    const expected = trie.commit(
      EMPTY_TRIE_ROOT,
      items.map((item, i) => [compact.enc(i), item] as const),
    ).root;
    assertEquals(orderedTrieRoot(items), expected, `${n} items`);
  }
});
