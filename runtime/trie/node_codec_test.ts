import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import fc from "fast-check";
import { trieNodeDec } from "@polkadot-api/substrate-bindings";
import { blake2_256 } from "../primitives/hashing.ts";
import { toHex, toHexRaw } from "../primitives/hex.ts";
import { decodeNode, KIND_BRANCH, KIND_LEAF } from "./_node.ts";
import { nibbleAt } from "./_nibbles.ts";
import { EMPTY_TRIE_ROOT, Trie } from "./mod.ts";

const NO_NODES = { get: () => undefined };

/** Every node a random batch produces, as Substrate-bindings and we decode it. */
Deno.test("decodeNode() agrees with substrate-bindings trieNodeDec on every node we encode", () => {
  const keyArb = fc.oneof(
    fc.uint8Array({ maxLength: 6 }),
    fc.uint8Array({ minLength: 40, maxLength: 70 }),
  );
  const valueArb = fc.oneof(
    fc.uint8Array({ maxLength: 3 }),
    fc.uint8Array({ minLength: 33, maxLength: 90 }),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(keyArb, valueArb), { minLength: 1, maxLength: 40 }), (pairs) => {
      const { nodes } = new Trie(NO_NODES).commit(EMPTY_TRIE_ROOT, pairs);
      const values = new Set(pairs.map(([, v]) => toHexRaw(blake2_256(v))));
      for (const [hash, enc] of nodes) {
        assertEquals(toHexRaw(blake2_256(enc)), hash);
        if (values.has(hash)) continue; // a stored value, not a node
        // trieNodeDec (scale-ts) reads `enc.buffer` from 0: give it a copy of its own.
        const theirs = trieNodeDec(enc.slice());
        const ours = decodeNode(enc);
        let partial = "";
        for (let i = 0; i < ours.pLen; i++) partial += nibbleAt(enc, ours.pOff + i).toString(16);
        assertEquals(theirs.partialKey, partial);
        const type = ours.kind === KIND_LEAF
          ? ours.vHashed ? "LeafWithHash" : "Leaf"
          : ours.vHashed
          ? "BranchWithHash"
          : ours.vOff >= 0
          ? "BranchWithVal"
          : "Branch";
        assertEquals(theirs.type, type);
        if (ours.kind === KIND_BRANCH) {
          const children: Record<string, string> = {};
          ours.kids!.forEach((ref, i) => {
            if (ref >= 0) {
              children[i.toString(16)] = toHex(enc.subarray(ref >> 6, (ref >> 6) + (ref & 63)));
            }
          });
          assertEquals((theirs as { children: unknown }).children, children);
        }
        if (ours.vOff >= 0) {
          const value = toHex(enc.subarray(ours.vOff, ours.vOff + ours.vLen));
          // trieNodeDec leaves a leaf's inline value with its length prefix.
          const theirValue = (theirs as { value: string }).value;
          assert(theirValue.endsWith(value.slice(2)), `${theirValue} vs ${value}`);
        }
      }
    }),
    { numRuns: 200 },
  );
});

Deno.test("decodeNode() never crashes on garbage: it returns a node or throws RangeError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      try {
        decodeNode(bytes);
      } catch (e) {
        assert(e instanceof RangeError, String(e));
        assert(/^Cannot decode trie node: /.test(e.message));
      }
    }),
    { numRuns: 2000 },
  );
});

Deno.test("decodeNode() rejects malformed nodes Substrate rejects", () => {
  const rejects = (hex: string, why: RegExp) => {
    let error: unknown;
    try {
      decodeNode(Uint8Array.from(hex.match(/../g)!.map((x) => parseInt(x, 16))));
    } catch (e) {
      error = e;
    }
    assert(error instanceof RangeError && why.test(error.message), `${hex}: ${error}`);
  };
  rejects("8000000400", /branch without children/);
  rejects("4311ab04ff", /non-zero partial key padding/);
  rejects("42aa04bb00", /trailing bytes/);
  rejects("42aa08bb", /unexpected end of input/);
  rejects("0000", /trailing bytes after empty node/);
  rejects("0f", /reserved header/);
});
