import assert from "node:assert/strict";
import fc from "fast-check";
import { formatAmount, parseAmount, tokenOf } from "./units.ts";

Deno.test("parseAmount() reads whole, fractional and bare-point amounts exactly", () => {
  assert.equal(parseAmount("20", 12), 20_000_000_000_000n);
  assert.equal(parseAmount("0.000000000001", 12), 1n);
  assert.equal(parseAmount(".5", 2), 50n);
  assert.equal(parseAmount("7.", 2), 700n);
  assert.equal(parseAmount(" 1_000 ", 0), 1000n);
});

Deno.test("parseAmount() refuses what is not a non-negative decimal that fits the decimals", () => {
  for (const bad of ["", ".", "-1", "1e3", "0x10", "1.2.3", "abc", "1,5"]) {
    assert.throws(() => parseAmount(bad, 12), RangeError, bad);
  }
  assert.throws(() => parseAmount("0.001", 2), /more than 2 decimal places/);
});

Deno.test("formatAmount() groups thousands unless told not to, and drops trailing zeros", () => {
  assert.equal(formatAmount(1_234_567_500_000_000_000n, 12), "1,234,567.5");
  assert.equal(formatAmount(1_234_567_500_000_000_000n, 12, { group: false }), "1234567.5");
  assert.equal(formatAmount(0n, 12), "0");
  assert.equal(formatAmount(-5n, 1), "-0.5");
  assert.equal(formatAmount(7n, 0), "7");
});

Deno.test("parseAmount() inverts formatAmount(), grouped or not", () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (planck) => {
    assert.equal(parseAmount(formatAmount(planck, 12).replaceAll(",", ""), 12), planck);
    assert.equal(parseAmount(formatAmount(planck, 12, { group: false }), 12), planck);
  }));
});

Deno.test("tokenOf() takes the chain's first token and counts in planck when it names none", () => {
  assert.deepEqual(tokenOf({ tokenSymbol: "STREAM", tokenDecimals: 12 }), {
    symbol: "STREAM",
    decimals: 12,
  });
  assert.deepEqual(tokenOf({ tokenSymbol: ["DOT", "X"], tokenDecimals: [10, 3] }), {
    symbol: "DOT",
    decimals: 10,
  });
  assert.deepEqual(tokenOf({}), { symbol: "planck", decimals: 0 });
  assert.deepEqual(tokenOf({ tokenSymbol: "X", tokenDecimals: -1 }), {
    symbol: "planck",
    decimals: 0,
  });
});
