import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { keypairFromUri } from "../../runtime/crypto/keypair.ts";
import { ss58Encode } from "../../runtime/crypto/ss58.ts";
import { addressProblem, amountProblem, titleProblem } from "./validate.ts";

const STREAM = { symbol: "STREAM", decimals: 12 };
const alice = ss58Encode(keypairFromUri("//Alice").publicKey);

Deno.test("titleProblem refuses an empty title and counts UTF-8 bytes against the chain's limit", () => {
  assertEquals(titleProblem("", 8), "Enter a title");
  assertEquals(titleProblem("   ", 8), "Enter a title");
  assertEquals(titleProblem("12345678", 8), undefined);
  assertEquals(titleProblem("ééééé", 8), "Too long: 10 bytes, the chain takes at most 8");
});

Deno.test("addressProblem refuses empty, garbled, mistyped and other networks' addresses", () => {
  assertEquals(addressProblem(` ${alice} `, 42), undefined);
  assertEquals(addressProblem("", 42), "Enter an address");
  match(addressProblem("not an address", 42)!, /^Not a valid address/);
  const typo = alice.slice(0, -1) + (alice.endsWith("a") ? "b" : "a");
  match(addressProblem(typo, 42)!, /checksum/);
  assertEquals(
    addressProblem(ss58Encode(keypairFromUri("//Alice").publicKey, 0), 42),
    "An address of another network (format 0; this one is 42)",
  );
});

Deno.test("amountProblem gives the planck, or why not: empty, not a number, decimals, zero, bounds", () => {
  const max = { planck: 2_000_000_000_000n, what: "your free balance" };
  assertEquals(amountProblem("1.5", STREAM, { max }), 1_500_000_000_000n);
  assertEquals(amountProblem("", STREAM), "Enter an amount");
  assertEquals(amountProblem("abc", STREAM), "Not a number");
  assertEquals(amountProblem("-1", STREAM), "Not a number");
  assertEquals(amountProblem("0.0000000000001", STREAM), "STREAM has at most 12 decimals");
  assertEquals(amountProblem("0", STREAM), "Enter more than 0");
  assertEquals(amountProblem("0", STREAM, { min: 0n }), 0n);
  assertEquals(amountProblem("2.5", STREAM, { max }), "More than your free balance (2 STREAM)");
  assertEquals(
    amountProblem("1", STREAM, { min: 2_000_000_000_000n }),
    "At least 2 STREAM",
  );
  assertEquals(
    amountProblem("1", STREAM, { max: { planck: -5n, what: "what you can send" } }),
    "More than what you can send (0 STREAM)",
  );
});
