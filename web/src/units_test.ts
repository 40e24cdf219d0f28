import assert from "node:assert/strict";
import fc from "fast-check";
import { formatAmount, parseAmount } from "./units.ts";

Deno.test("parseAmount() reads whole, fractional and bare-point amounts exactly", () => {
  assert.equal(parseAmount("20", 12), 20_000_000_000_000n);
  assert.equal(parseAmount("0.000000000001", 12), 1n);
  assert.equal(parseAmount(".5", 2), 50n);
  assert.equal(parseAmount("7.", 2), 700n);
  assert.equal(parseAmount(" 1_000 ", 0), 1000n);
});

Deno.test("parseAmount() refuses what is not a non-negative decimal that fits the decimals", () => {
  for (const bad of ["", ".", "-1", "1e3", "0x10", "1.2.3", "abc"]) {
    assert.throws(() => parseAmount(bad, 12), RangeError, bad);
  }
  assert.throws(() => parseAmount("0.001", 2), /more than 2 decimal places/);
});

Deno.test("formatAmount() groups thousands and drops trailing zeros", () => {
  assert.equal(formatAmount(1_234_567_500_000_000_000n, 12), "1,234,567.5");
  assert.equal(formatAmount(0n, 12), "0");
  assert.equal(formatAmount(-5n, 1), "-0.5");
});

Deno.test("parseAmount() inverts formatAmount()", () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (planck) => {
    assert.equal(parseAmount(formatAmount(planck, 12).replaceAll(",", ""), 12), planck);
  }));
});
