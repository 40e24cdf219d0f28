import assert from "node:assert/strict";
import { u64 } from "scale-ts";
import { toHexRaw } from "../primitives/hex.ts";
import { blake2_256 } from "../primitives/hashing.ts";
import { DEV_PHRASE, junctionChainCode, parseSecretUri } from "./secret_uri.ts";

const shape = (uri: string) => {
  const { phrase, junctions, password } = parseSecretUri(uri);
  return { phrase, path: junctions.map((j) => (j.hard ? "//" : "/") + j.code), password };
};

Deno.test("parseSecretUri splits phrase, path and password as Substrate does", () => {
  assert.deepEqual(shape("//Alice"), {
    phrase: DEV_PHRASE,
    path: ["//Alice"],
    password: undefined,
  });
  assert.deepEqual(shape(""), { phrase: DEV_PHRASE, path: [], password: undefined });
  assert.deepEqual(shape("hello world//a/b//c///pass/word"), {
    phrase: "hello world",
    path: ["//a", "/b", "//c"],
    password: "pass/word",
  });
  assert.deepEqual(shape("0xabcd//1"), { phrase: "0xabcd", path: ["//1"], password: undefined });
  assert.deepEqual(shape("///"), { phrase: DEV_PHRASE, path: [], password: "" });
  assert.deepEqual(shape("//Alice///"), { phrase: DEV_PHRASE, path: ["//Alice"], password: "" });
  assert.deepEqual(shape("//stash 1//x y"), {
    phrase: DEV_PHRASE,
    path: ["//stash 1", "//x y"],
    password: undefined,
  });
});

Deno.test("parseSecretUri refuses text that is neither phrase nor path", () => {
  for (const uri of ["not-a-phrase", "abc//x///p\nq", "é"]) {
    assert.throws(() => parseSecretUri(uri), { name: "TypeError" }, uri);
  }
});

Deno.test("junctionChainCode: u64 numbers, SCALE strings, and blake2 of long ones", () => {
  const padded = (hex: string) => hex.padEnd(64, "0");
  assert.equal(toHexRaw(junctionChainCode("Alice")), padded("14416c696365"));
  assert.equal(toHexRaw(junctionChainCode("1")), padded("0100000000000000"));
  assert.equal(toHexRaw(junctionChainCode("18446744073709551615")), padded("ffffffffffffffff"));
  // One past u64::MAX is a string of 20 characters: compact(20) = 0x50.
  assert.equal(toHexRaw(junctionChainCode("18446744073709551616")).slice(0, 2), "50");
  assert.equal(toHexRaw(junctionChainCode("")), padded("00"));
  const long = "x".repeat(32); // SCALE is 33 bytes, so it is hashed
  const scale = new Uint8Array([32 << 2, ...new TextEncoder().encode(long)]);
  assert.equal(toHexRaw(junctionChainCode(long)), toHexRaw(blake2_256(scale)));
  const thirtyOne = "y".repeat(31); // SCALE is exactly 32 bytes: kept as is
  assert.equal(junctionChainCode(thirtyOne)[0], 31 << 2);
  assert.equal(toHexRaw(junctionChainCode("7")), toHexRaw(padBytes(u64.enc(7n))));
});

function padBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  out.set(bytes);
  return out;
}
