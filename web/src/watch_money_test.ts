import assert from "node:assert/strict";
import fc from "fast-check";
import {
  depositForMinutes,
  formatDuration,
  isLow,
  LOW_BALANCE_SECONDS,
  secondsFor,
} from "./watch_money.ts";

Deno.test("depositForMinutes() pays whole seconds of watching, rounding a fraction of one up", () => {
  assert.equal(depositForMinutes("10", 1_000_000_000n), 600_000_000_000n);
  assert.equal(depositForMinutes("0.5", 7n), 210n);
  assert.equal(depositForMinutes("0.001", 7n), 7n, "0.06 s pays a whole second");
  assert.equal(depositForMinutes(" 2 ", 0n), 0n, "a free stream");
});

Deno.test("depositForMinutes() refuses what is not a positive number of minutes, saying what to type", () => {
  for (const bad of ["", "0", "-1", "ten", "1e3", "0.0001"]) {
    assert.throws(() => depositForMinutes(bad, 10n), /Type the minutes of watching/, bad);
  }
});

Deno.test("the seconds the meter shows are what the amount paid buys: they never disagree", () => {
  fc.assert(fc.property(
    fc.bigInt({ min: 1n, max: 10n ** 15n }),
    fc.bigInt({ min: 0n, max: 10n ** 9n }),
    (price, seconds) => {
      // A voucher pays whole seconds; one paid a part of a second more shows the whole ones.
      assert.equal(secondsFor(price * seconds, price), seconds);
      assert.equal(secondsFor(price * seconds + price - 1n, price), seconds);
    },
  ));
  assert.equal(secondsFor(100n, 0n), 0n, "a free stream");
});

Deno.test(`isLow() at ${LOW_BALANCE_SECONDS} s of deposit left or less`, () => {
  assert.equal(isLow(31n * 10n, 10n), false);
  assert.equal(isLow(30n * 10n + 9n, 10n), true);
  assert.equal(isLow(0n, 10n), true);
  assert.equal(isLow(0n, 0n), false, "a free stream never runs out");
});

Deno.test("formatDuration() reads as a person says it", () => {
  assert.equal(formatDuration(0n), "0 s");
  assert.equal(formatDuration(59n), "59 s");
  assert.equal(formatDuration(60n), "1 min");
  assert.equal(formatDuration(3_599n), "59 min 59 s");
  assert.equal(formatDuration(3_600n), "1 h");
  assert.equal(formatDuration(4_830n), "1 h 20 min");
  assert.equal(formatDuration(-3n), "0 s");
});
