import assert from "node:assert/strict";
import fc from "fast-check";
import { AccountId, getSs58AddressInfo } from "@polkadot-api/substrate-bindings";
import { base58 } from "@scure/base";
import { fromHex, toHexRaw } from "../primitives/hex.ts";
import { ss58Decode, ss58Encode } from "./ss58.ts";
import vectors from "./testdata/substrate_keys.json" with { type: "json" };

const alice = vectors.ed25519["//Alice"];
const bob = vectors.ed25519["//Bob"];

Deno.test("ss58Encode gives Substrate's addresses of //Alice and //Bob", () => {
  assert.equal(ss58Encode(fromHex(alice.publicKeyHex)), alice.ss58_42);
  assert.equal(ss58Encode(fromHex(alice.publicKeyHex), 0), alice.ss58_0);
  assert.equal(ss58Encode(fromHex(bob.publicKeyHex), 42), bob.ss58_42);
});

Deno.test("ss58Decode takes the vectors apart", () => {
  assert.deepEqual(ss58Decode(alice.ss58_0), { publicKey: fromHex(alice.publicKeyHex), prefix: 0 });
  const decoded = ss58Decode(bob.ss58_42);
  assert.equal(decoded.prefix, 42);
  assert.equal(toHexRaw(decoded.publicKey), bob.publicKeyHex);
});

Deno.test("ss58Decode(ss58Encode(key, prefix)) = (key, prefix), and matches polkadot-api", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.integer({ min: 0, max: 16383 }),
      (publicKey, prefix) => {
        const address = ss58Encode(publicKey, prefix);
        assert.deepEqual(ss58Decode(address), { publicKey, prefix });
        assert.equal(address, AccountId(prefix).dec(publicKey));
        const info = getSs58AddressInfo(address);
        assert.ok(info.isValid);
        assert.deepEqual(info.publicKey, publicKey);
        // polkadot-api reports a two-byte prefix as its raw big-endian bytes, not the network id.
        if (prefix < 64) assert.equal(info.ss58Format, prefix);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("ss58Decode explains what is wrong", () => {
  const bytes = base58.decode(alice.ss58_42);
  const corrupt = bytes.slice();
  corrupt[corrupt.length - 1] ^= 1;
  const cases: [string, string][] = [
    [base58.encode(corrupt), "Cannot decode address: bad checksum"],
    [alice.ss58_42.replace("5", "0"), "Cannot decode address: bad base58"],
    [
      base58.encode(bytes.subarray(0, 20)),
      "Cannot decode address: bad length 20 bytes, expected 35",
    ],
    [
      base58.encode(Uint8Array.of(200, ...bytes.subarray(1))),
      "Cannot decode address: bad prefix byte 200",
    ],
    ["", "Cannot decode address: bad length 0"],
  ];
  for (const [address, message] of cases) {
    assert.throws(() => ss58Decode(address), { name: "TypeError", message }, address);
  }
});

Deno.test("garbage never crashes ss58Decode: it decodes or throws a TypeError", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.uint8Array().map((b) => base58.encode(b))), (text) => {
      try {
        ss58Decode(text);
      } catch (error) {
        assert.ok(error instanceof TypeError, String(error));
      }
    }),
  );
});

Deno.test("ss58Encode refuses a bad prefix or key length", () => {
  assert.throws(() => ss58Encode(new Uint8Array(32), 16384), RangeError);
  assert.throws(() => ss58Encode(new Uint8Array(32), -1), RangeError);
  assert.throws(() => ss58Encode(new Uint8Array(33)), TypeError);
});
