import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import fc from "fast-check";
import { validateProofs } from "@polkadot-api/substrate-bindings";
import { blake2_256 } from "../primitives/hashing.ts";
import { toHex, toHexRaw } from "../primitives/hex.ts";
import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie, verifyReadProof } from "./mod.ts";

const b = (...bytes: number[]) => new Uint8Array(bytes);

/** 500 account-like pairs: 32-byte prefix ++ blake2_128Concat-style 16 + 32 bytes, ~80-byte values. */
function accounts(n: number): [Uint8Array, Uint8Array][] {
  const prefix = blake2_256(b(1));
  return Array.from({ length: n }, (_, i) => {
    const id = blake2_256(b(i >> 8, i & 255));
    const key = new Uint8Array([...prefix, ...id.subarray(0, 16), ...id]);
    const value = new Uint8Array(80).fill(i & 255);
    return [key, value];
  });
}

function setup() {
  const store = new MemoryNodeStore();
  const trie = new Trie(store);
  const pairs = [...accounts(500), [b(1, 2), b(3)], [b(1, 2, 3), b(4)]] as [
    Uint8Array,
    Uint8Array,
  ][];
  const { root, nodes } = trie.commit(EMPTY_TRIE_ROOT, pairs);
  store.insert(nodes);
  return { trie, root, pairs };
}

Deno.test("prove() and verifyReadProof() agree for present and absent keys", () => {
  const { trie, root, pairs } = setup();
  const absent = [b(), b(1), b(1, 2, 3, 4), new Uint8Array(80).fill(9), pairs[0][0].slice(0, 40)];
  const keys = [...pairs.slice(0, 20).map(([k]) => k), pairs[500][0], pairs[501][0], ...absent];
  const proof = trie.prove(root, keys);
  const values = verifyReadProof(root, proof, keys);
  for (const [k, v] of pairs.slice(0, 20)) assertEquals(values.get(toHexRaw(k)), v);
  assertEquals(values.get("0102"), b(3));
  assertEquals(values.get("010203"), b(4));
  for (const k of absent) {
    assert(values.has(toHexRaw(k)));
    assertEquals(values.get(toHexRaw(k)), undefined);
  }
});

Deno.test("a one-key proof holds only the path and the hashed value", () => {
  const { trie, root, pairs } = setup();
  const proof = trie.prove(root, [pairs[3][0]]);
  assert(proof.length <= 8, `${proof.length} nodes`);
  assert(proof.some((n) => toHex(n) === toHex(pairs[3][1])), "the value node is in the proof");
  assertEquals(verifyReadProof(root, proof, [pairs[3][0]]).get(toHexRaw(pairs[3][0])), pairs[3][1]);
});

Deno.test("verifyReadProof() of the empty root proves every key absent without nodes", () => {
  const { trie } = setup();
  assertEquals(trie.prove(EMPTY_TRIE_ROOT, [b(1)]), []);
  assertEquals(verifyReadProof(EMPTY_TRIE_ROOT, [], [b(1)]), new Map([["01", undefined]]));
});

Deno.test("verifyReadProof() rejects a proof with a flipped byte in any node", () => {
  const { trie, root, pairs } = setup();
  const key = pairs[7][0];
  const proof = trie.prove(root, [key]);
  for (let n = 0; n < proof.length; n++) {
    for (const at of [0, proof[n].length >> 1, proof[n].length - 1]) {
      const tampered = proof.map((node) => node.slice());
      tampered[n][at] ^= 1;
      assertThrows(
        () => verifyReadProof(root, tampered, [key]),
        /^TypeError: Invalid read proof: /,
      );
    }
  }
});

Deno.test("verifyReadProof() rejects a proof with a node removed", () => {
  const { trie, root, pairs } = setup();
  const key = pairs[7][0];
  const proof = trie.prove(root, [key]);
  for (let n = 0; n < proof.length; n++) {
    const fewer = proof.filter((_, i) => i !== n);
    assertThrows(
      () => verifyReadProof(root, fewer, [key]),
      /Invalid read proof: no (node|value) for hash/,
    );
  }
});

Deno.test("verifyReadProof() rejects a proof checked against another root", () => {
  const { trie, root, pairs } = setup();
  const proof = trie.prove(root, [pairs[1][0]]);
  const other = trie.commit(root, [[pairs[1][0], b(0)]]).root;
  assertThrows(
    () => verifyReadProof(other, proof, [pairs[1][0]]),
    /Invalid read proof: no node for hash/,
  );
  assertThrows(
    () => verifyReadProof(root, proof, [pairs[2][0]]),
    /Invalid read proof/,
    "a key the proof does not cover",
  );
});

Deno.test("verifyReadProof() turns undecodable nodes into a clear error", () => {
  const garbage = b(0x01, 0x02);
  assertThrows(
    () => verifyReadProof(blake2_256(garbage), [garbage], [b(1)]),
    /^TypeError: Invalid read proof: Cannot decode trie node: reserved header 0x01/,
  );
});

Deno.test("substrate-bindings validateProofs accepts our proofs and finds our root and values", () => {
  const { trie, root, pairs } = setup();
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.nat(pairs.length - 1), { minLength: 1, maxLength: 5 }),
      (picks) => {
        const keys = picks.map((i) => pairs[i][0]);
        const proof = trie.prove(root, keys);
        const checked = validateProofs(proof);
        assert(checked !== null, "one root");
        assertEquals(checked.rootHash, toHex(root));
        for (const i of picks) {
          const value = pairs[i][1];
          if (value.length < 33) continue;
          const node: { type: string; value?: string } | undefined =
            checked.proofs[toHex(blake2_256(value))];
          assertEquals(node?.type, "Raw");
          assertEquals(node?.value, toHex(value));
        }
      },
    ),
    { numRuns: 50 },
  );
});
