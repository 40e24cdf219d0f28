import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { blake2b } from "@noble/hashes/blake2.js";
import fc from "fast-check";
import { blake2bInto } from "./blake2b.ts";

function hash(data: Uint8Array, outLen: number): Uint8Array {
  const out = new Uint8Array(outLen);
  blake2bInto(data, 0, data.length, out, 0, outLen);
  return out;
}

Deno.test("blake2bInto equals @noble blake2b for every length across block boundaries", () => {
  for (let len = 0; len <= 600; len++) {
    const data = Uint8Array.from({ length: len }, (_, i) => (i * 131 + len) & 255);
    for (const outLen of [16, 32]) {
      assertEquals(hash(data, outLen), blake2b(data, { dkLen: outLen }), `length ${len}/${outLen}`);
    }
  }
});

Deno.test("blake2bInto gives every digest length from 1 to 64", () => {
  const data = new TextEncoder().encode("sutantra");
  for (let outLen = 1; outLen <= 64; outLen++) {
    assertEquals(hash(data, outLen), blake2b(data, { dkLen: outLen }), `digest ${outLen}`);
  }
});

Deno.test("blake2bInto hashes a slice in place and writes at an offset", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(40), fc.nat(40), (data, pre, at) => {
      const buf = new Uint8Array(pre + data.length + 7);
      buf.set(data, pre);
      const out = new Uint8Array(at + 32);
      blake2bInto(buf, pre, data.length, out, at, 32);
      assertEquals(out.subarray(at), blake2b(data, { dkLen: 32 }));
    }),
  );
});

Deno.test("blake2bInto agrees with @noble on megabytes (the WebAssembly path)", () => {
  const data = Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 7919) & 255);
  assertEquals(hash(data, 32), blake2b(data, { dkLen: 32 }));
  assertEquals(hash(data, 16), blake2b(data, { dkLen: 16 }));
});
