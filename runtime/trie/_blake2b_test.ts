import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import { blake2_256 } from "../primitives/hashing.ts";
import { blake2b256Into } from "./_blake2b.ts";

function hash(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  blake2b256Into(data, 0, data.length, out, 0);
  return out;
}

Deno.test("blake2b256Into equals @noble blake2-256 for every length across block boundaries", () => {
  for (let len = 0; len <= 600; len++) {
    const data = Uint8Array.from({ length: len }, (_, i) => (i * 131 + len) & 255);
    assertEquals(hash(data), blake2_256(data), `length ${len}`);
  }
});

Deno.test("blake2b256Into hashes a slice in place and writes at an offset", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(40), fc.nat(40), (data, pre, at) => {
      const buf = new Uint8Array(pre + data.length + 7);
      buf.set(data, pre);
      const out = new Uint8Array(at + 32);
      blake2b256Into(buf, pre, data.length, out, at);
      assertEquals(out.subarray(at), blake2_256(data));
    }),
  );
});
