import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import fc from "fast-check";
import { compareBytes } from "../primitives/bytes.ts";
import { blake2_256 } from "../primitives/hashing.ts";
import { fromHex, toHex, toHexRaw } from "../primitives/hex.ts";
import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie } from "./mod.ts";
import vectors from "./testdata/substrate_vectors.json" with { type: "json" };

const b = (...bytes: number[]) => new Uint8Array(bytes);

function fresh(): { store: MemoryNodeStore; trie: Trie } {
  const store = new MemoryNodeStore();
  return { store, trie: new Trie(store) };
}

/** Commits and persists. */
function apply(
  store: MemoryNodeStore,
  trie: Trie,
  root: Uint8Array,
  changes: [Uint8Array, Uint8Array | null][],
): Uint8Array {
  const out = trie.commit(root, changes);
  store.insert(out.nodes);
  return out.root;
}

// --- An independent, deliberately naive root: sp-trie's `trie_root` over sorted pairs. ---

function compact(n: number): number[] {
  if (n < 64) return [n << 2];
  if (n < 1 << 14) return [((n << 2) | 1) & 255, n >> 6];
  throw new RangeError("test values stay short");
}

function header(
  kind: "leaf" | "branch",
  valueKind: "none" | "inline" | "hashed",
  n: number,
): number[] {
  const [prefix, bits] = kind === "leaf"
    ? valueKind === "hashed" ? [0x20, 5] : [0x40, 6]
    : valueKind === "hashed"
    ? [0x10, 4]
    : valueKind === "inline"
    ? [0xc0, 6]
    : [0x80, 6];
  const max = (1 << bits) - 1;
  if (n < max) return [prefix | n];
  const out = [prefix | max];
  let rest = n - max;
  for (; rest >= 255; rest -= 255) out.push(255);
  out.push(rest);
  return out;
}

function referenceNode(pairs: [number[], Uint8Array][]): number[] {
  const lcp = pairs.length === 1 ? pairs[0][0].length : (() => {
    const [a, z] = [pairs[0][0], pairs[pairs.length - 1][0]];
    let i = 0;
    while (i < a.length && i < z.length && a[i] === z[i]) i++;
    return i;
  })();
  const partial = pairs[0][0].slice(0, lcp);
  const packed = partial.length % 2 ? [partial[0]] : [];
  for (let i = partial.length % 2; i < partial.length; i += 2) {
    packed.push((partial[i] << 4) | partial[i + 1]);
  }
  let value: Uint8Array | undefined;
  let rest = pairs;
  if (pairs[0][0].length === lcp) {
    value = pairs[0][1];
    rest = pairs.slice(1);
  }
  const valueKind = value === undefined ? "none" : value.length >= 33 ? "hashed" : "inline";
  const valueBytes = value === undefined
    ? []
    : valueKind === "hashed"
    ? [...blake2_256(value)]
    : [...compact(value.length), ...value];
  if (rest.length === 0) return [...header("leaf", valueKind, lcp), ...packed, ...valueBytes];
  let bitmap = 0;
  const children: number[] = [];
  for (let nib = 0; nib < 16; nib++) {
    const group = rest.filter(([k]) => k[lcp] === nib).map(([k, v]) =>
      [k.slice(lcp + 1), v] as [number[], Uint8Array]
    );
    if (group.length === 0) continue;
    bitmap |= 1 << nib;
    const enc = referenceNode(group);
    const ref = enc.length >= 32 ? [...blake2_256(new Uint8Array(enc))] : enc;
    children.push(...compact(ref.length), ...ref);
  }
  return [
    ...header("branch", valueKind, lcp),
    ...packed,
    bitmap & 255,
    bitmap >> 8,
    ...valueBytes,
    ...children,
  ];
}

function referenceRoot(model: Map<string, Uint8Array>): Uint8Array {
  const pairs = [...model].map(([k, v]) => [fromHex(k), v] as const)
    .sort((x, y) => compareBytes(x[0], y[0]))
    .map(([k, v]) => [[...k].flatMap((x) => [x >> 4, x & 15]), v] as [number[], Uint8Array]);
  return blake2_256(new Uint8Array(pairs.length === 0 ? [0] : referenceNode(pairs)));
}

// --- Tests ---

Deno.test("EMPTY_TRIE_ROOT is blake2-256 of the empty node [0x00]", () => {
  assertEquals(EMPTY_TRIE_ROOT, blake2_256(b(0)));
  assertEquals(toHex(EMPTY_TRIE_ROOT), vectors.roots[0].root);
  const { trie } = fresh();
  assertEquals(trie.get(EMPTY_TRIE_ROOT, b(1)), undefined);
  assertEquals([...trie.entries(EMPTY_TRIE_ROOT, b())], []);
});

Deno.test("commit() gives Substrate's root nodes and roots for the published vectors", () => {
  for (const v of vectors.roots) {
    if (v.pairs.length === 0) continue;
    const { trie } = fresh();
    const { root, nodes } = trie.commit(
      EMPTY_TRIE_ROOT,
      v.pairs.map(([k, val]) => [fromHex(k), fromHex(val)] as const),
    );
    if (v.rootNode !== undefined) {
      assertEquals(toHex(root), toHex(blake2_256(fromHex(v.rootNode))), v.name);
      assertEquals(toHex(nodes.get(toHexRaw(root))!), v.rootNode, v.name);
    }
    if (v.root !== undefined) assertEquals(toHex(root), v.root, v.name);
  }
});

Deno.test("get() reads back inserted values, updated values and nothing after delete", () => {
  const { store, trie } = fresh();
  let root = apply(store, trie, EMPTY_TRIE_ROOT, [
    [b(1, 2, 3), b(10)],
    [b(1, 2), b(11)],
    [b(1, 2, 4), b(12)],
    [b(), b(13)],
    [b(9), new Uint8Array(0)],
  ]);
  assertEquals(trie.get(root, b(1, 2, 3)), b(10));
  assertEquals(trie.get(root, b(1, 2)), b(11));
  assertEquals(trie.get(root, b(1, 2, 4)), b(12));
  assertEquals(trie.get(root, b()), b(13), "the empty key is a key");
  assertEquals(trie.get(root, b(9)), new Uint8Array(0), "an empty value is not a deletion");
  assertEquals(trie.get(root, b(1)), undefined);
  assertEquals(trie.get(root, b(1, 2, 3, 4)), undefined);
  const before = root;
  root = apply(store, trie, root, [[b(1, 2), null], [b(1, 2, 3), b(20)]]);
  assertEquals(trie.get(root, b(1, 2)), undefined);
  assertEquals(trie.get(root, b(1, 2, 3)), b(20));
  assertEquals(trie.get(before, b(1, 2, 3)), b(10), "old roots stay readable");
  assertEquals(
    root,
    referenceRoot(new Map([["010203", b(20)], ["010204", b(12)], ["", b(13)], ["09", b()]])),
  );
});

Deno.test("commit() lets the last change of a repeated key win and ignores no-op deletes", () => {
  const { store, trie } = fresh();
  const root = apply(store, trie, EMPTY_TRIE_ROOT, [[b(1), b(1)], [b(1), b(2)], [b(2), b(3)]]);
  assertEquals(trie.get(root, b(1)), b(2));
  const same = trie.commit(root, [[b(7), null], [b(1, 5), null], [b(), null]]);
  assertEquals(same.root, root);
  assertEquals(same.nodes.size, 0);
});

Deno.test("deleting every key returns EMPTY_TRIE_ROOT", () => {
  const { store, trie } = fresh();
  const keys = Array.from(
    { length: 300 },
    (_, i) => blake2_256(b(i >> 8, i & 255)).subarray(0, 1 + (i % 5)),
  );
  const root = apply(store, trie, EMPTY_TRIE_ROOT, keys.map((k, i) => [k, b(i & 255, 1)]));
  assertEquals(apply(store, trie, root, keys.map((k) => [k, null])), EMPTY_TRIE_ROOT);
});

Deno.test("values of 33 bytes or more are stored as hashed-value nodes", () => {
  const { store, trie } = fresh();
  const long = new Uint8Array(33).fill(7);
  const short = new Uint8Array(32).fill(8);
  const { root, nodes } = trie.commit(EMPTY_TRIE_ROOT, [[b(0xaa), long]]);
  store.insert(nodes);
  // A leaf with a hashed value: 0b001 + 2 nibbles, partial key, then the value's hash.
  const leaf = nodes.get(toHexRaw(root))!;
  assertEquals(leaf, new Uint8Array([0x22, 0xaa, ...blake2_256(long)]));
  assertEquals(nodes.get(toHexRaw(blake2_256(long))), long, "the value is its own node");
  assertEquals(trie.get(root, b(0xaa)), long);
  const inline = trie.commit(EMPTY_TRIE_ROOT, [[b(0xaa), short]]);
  assertEquals(
    inline.nodes.get(toHexRaw(inline.root)),
    new Uint8Array([0x42, 0xaa, 32 << 2, ...short]),
  );
  // A branch with a hashed value: 0b0001 header.
  const branch = trie.commit(EMPTY_TRIE_ROOT, [[b(0xaa), long], [b(0xaa, 1), b(1)], [
    b(0xaa, 2),
    b(2),
  ]]);
  assertEquals(branch.nodes.get(toHexRaw(branch.root))![0], 0x12);
  assertEquals(branch.root, referenceRoot(new Map([["aa", long], ["aa01", b(1)], ["aa02", b(2)]])));
});

Deno.test("long partial keys use continuation bytes in the header", () => {
  const { store, trie } = fresh();
  for (const len of [31, 32, 63, 64, 200, 300]) {
    const key = new Uint8Array(len).fill(0x5a);
    const root = apply(store, trie, EMPTY_TRIE_ROOT, [[key, b(1)], [
      new Uint8Array(len + 1).fill(0x5a),
      b(2),
    ]]);
    assertEquals(trie.get(root, key), b(1));
    const model = new Map([[toHexRaw(key), b(1)], [
      toHexRaw(new Uint8Array(len + 1).fill(0x5a)),
      b(2),
    ]]);
    assertEquals(root, referenceRoot(model), `key length ${len}`);
  }
});

Deno.test("entries() yields pairs under a prefix in key order, strictly after startAfter", () => {
  const { store, trie } = fresh();
  const keys = [
    b(),
    b(1),
    b(1, 0),
    b(1, 0, 0),
    b(1, 0x10),
    b(1, 0xff),
    b(2),
    b(2, 0),
    b(0x12),
    b(0xff, 0xff),
  ];
  const root = apply(store, trie, EMPTY_TRIE_ROOT, keys.map((k, i) => [k, b(i)]));
  const list = (prefix: Uint8Array, after?: Uint8Array) =>
    [...trie.entries(root, prefix, after)].map(([k, v]) => [toHexRaw(k), v[0]]);
  assertEquals(list(b()), keys.map((k, i) => [toHexRaw(k), i]));
  assertEquals(list(b(1)), [["01", 1], ["0100", 2], ["010000", 3], ["0110", 4], ["01ff", 5]]);
  assertEquals(list(b(1, 0)), [["0100", 2], ["010000", 3]]);
  assertEquals(list(b(3)), []);
  assertEquals(list(b(1, 0, 0, 0)), []);
  assertEquals(list(b(1), b(1, 0)), [["010000", 3], ["0110", 4], ["01ff", 5]]);
  assertEquals(list(b(1), b(1, 0x0f)), [["0110", 4], ["01ff", 5]]);
  assertEquals(list(b(1), b(0)), list(b(1)), "startAfter before the prefix");
  assertEquals(list(b(1), b(2)), [], "startAfter past the prefix");
  assertEquals(list(b(), b(2)), [["0200", 7], ["12", 8], ["ffff", 9]]);
  assertEquals(list(b(), b()), list(b()).slice(1), "the empty key itself is skipped");
});

Deno.test("entries() is lazy: taking the first pair reads only its path", () => {
  let reads = 0;
  const inner = new MemoryNodeStore();
  const counting = { get: (h: Uint8Array) => (reads++, inner.get(h)) };
  const writer = new Trie(inner);
  const keys = Array.from({ length: 2000 }, (_, i) => blake2_256(b(i >> 8, i & 255)));
  const { root, nodes } = writer.commit(EMPTY_TRIE_ROOT, keys.map((k) => [k, b(1)]));
  inner.insert(nodes);
  const reader = new Trie(counting);
  const first = reader.entries(root, b()).next();
  assert(!first.done);
  assert(reads < 10, `read ${reads} nodes`);
});

// Keys from a tiny alphabet so that random sets share prefixes, branch values and merges.
const keyArb = fc.array(fc.constantFrom(0x00, 0x01, 0x10, 0x11, 0xf0), { maxLength: 4 })
  .map((a) => new Uint8Array(a));
const valueArb = fc.oneof(
  fc.uint8Array({ maxLength: 4 }),
  fc.uint8Array({ minLength: 30, maxLength: 40 }),
);
const batchArb = fc.array(fc.tuple(keyArb, fc.option(valueArb, { freq: 3 })), { maxLength: 12 });

Deno.test("commit() matches a Map model and a from-scratch reference root under random batches", () => {
  fc.assert(
    fc.property(fc.array(batchArb, { minLength: 1, maxLength: 8 }), (batches) => {
      const { store, trie } = fresh();
      const model = new Map<string, Uint8Array>();
      let root = EMPTY_TRIE_ROOT;
      for (const batch of batches) {
        root = apply(store, trie, root, batch);
        for (const [k, v] of batch) {
          v === null ? model.delete(toHexRaw(k)) : model.set(toHexRaw(k), v);
        }
        assertEquals(toHex(root), toHex(referenceRoot(model)));
        for (const [k] of batch) assertEquals(trie.get(root, k), model.get(toHexRaw(k)));
        const sorted = [...model].sort(([x], [y]) => compareBytes(fromHex(x), fromHex(y)));
        assertEquals([...trie.entries(root, b())].map(([k, v]) => [toHexRaw(k), v]), sorted);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("the root depends only on the final set, not on the history that built it", () => {
  fc.assert(
    fc.property(fc.array(batchArb, { minLength: 1, maxLength: 6 }), fc.nat(), (batches, seed) => {
      const a = fresh();
      let root = EMPTY_TRIE_ROOT;
      const model = new Map<string, Uint8Array>();
      for (const batch of batches) {
        root = apply(a.store, a.trie, root, batch);
        for (const [k, v] of batch) {
          v === null ? model.delete(toHexRaw(k)) : model.set(toHexRaw(k), v);
        }
      }
      // The same set in one shuffled batch, and one key at a time in reverse.
      const pairs = [...model].map(([k, v]) => [fromHex(k), v] as [Uint8Array, Uint8Array]);
      const shuffled = pairs.map((p, i) => [(i * 7919 + seed) % 1000003, p] as const)
        .sort((x, y) => x[0] - y[0]).map(([, p]) => p);
      const c = fresh();
      assertEquals(apply(c.store, c.trie, EMPTY_TRIE_ROOT, shuffled), root);
      let one = EMPTY_TRIE_ROOT;
      for (const p of pairs.reverse()) one = apply(c.store, c.trie, one, [p]);
      assertEquals(one, root);
    }),
    { numRuns: 200 },
  );
});

Deno.test("get() on a root whose nodes are not stored throws a clear error", () => {
  const { trie } = fresh();
  let error: unknown;
  try {
    trie.get(new Uint8Array(32).fill(1), b(1));
  } catch (e) {
    error = e;
  }
  assert(error instanceof RangeError && /missing node 0x0101/.test(error.message));
});

Deno.test("get() returns values that own their buffer, so scale-ts decoders read them right", async () => {
  const { u32 } = await import("scale-ts");
  const { store, trie } = fresh();
  const small = u32.enc(0x01020304);
  const big = new Uint8Array(40).fill(9);
  const root = apply(store, trie, EMPTY_TRIE_ROOT, [[b(1), small], [b(2), big], [b(1, 1), b(5)]]);
  for (const key of [b(1), b(2)]) {
    const v = trie.get(root, key)!;
    assertEquals(v.byteOffset, 0);
    assertEquals(v.byteLength, v.buffer.byteLength);
  }
  assertEquals(u32.dec(trie.get(root, b(1))!), 0x01020304);
});
