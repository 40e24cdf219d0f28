import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { amountFormat, parseAmountArg, parsePriceArg, planckOf } from "./amounts.ts";

const STREAM = { symbol: "STREAM", decimals: 12 };
const planck = (text: string, token = STREAM) => planckOf(parseAmountArg(text, "--amount"), token);
const perSecond = (text: string) => planckOf(parsePriceArg(text, "--price"), STREAM);

Deno.test("an amount is in the chain's token, or in planck with the suffix", () => {
  assertEquals(planck("1.5"), 1_500_000_000_000n);
  assertEquals(planck("1500000000000planck"), 1_500_000_000_000n);
  assertEquals(planck("1500000000000 Planck"), 1_500_000_000_000n);
  assertEquals(planck("2STREAM"), 2_000_000_000_000n);
  assertEquals(planck("2 stream"), 2_000_000_000_000n);
  assertEquals(planck("1_000"), 1_000_000_000_000_000n);
  assertEquals(planck(".5"), 500_000_000_000n);
  assertEquals(planck("0.000000000001"), 1n);
  assertEquals(planck("0"), 0n);
  // Another chain's decimals: the same text, other planck.
  assertEquals(planck("1.5", { symbol: "DOT", decimals: 10 }), 15_000_000_000n);
});

Deno.test("an amount that is empty, negative, garbage or finer than the chain's decimals is refused, naming the flag", () => {
  const refuses = (text: string, message: RegExp) => throws(() => planck(text), message);
  refuses("", /--amount: expected an amount, e\.g\. 1\.5/);
  refuses("  ", /--amount: expected an amount/);
  refuses("-1", /--amount -1: an amount cannot be negative/);
  refuses("abc", /--amount abc: expected an amount/);
  refuses("1e3", /--amount 1e3: expected an amount/);
  refuses("0x10", /--amount 0x10: expected an amount/);
  refuses("1.2.3", /expected an amount/);
  refuses("1,5", /expected an amount/);
  refuses("1.5planck", /--amount 1\.5planck: planck are whole/);
  refuses("1.5DOT", /--amount 1\.5DOT: this chain's token is STREAM/);
  refuses(
    "0.0000000000001",
    /--amount 0\.0000000000001: STREAM has 12 decimals, so at most 12 digits after the point/,
  );
  throws(() => parseAmountArg("-1", "--deposit"), /--deposit -1: an amount cannot be negative/);
});

Deno.test("a price is per second, minute or hour and becomes planck per second", () => {
  assertEquals(perSecond("0.6/min"), 10_000_000_000n);
  assertEquals(perSecond("0.01/s"), 10_000_000_000n);
  assertEquals(perSecond("36/h"), 10_000_000_000n);
  assertEquals(perSecond("0.6 / minute"), 10_000_000_000n);
  assertEquals(perSecond("10000000000planck/s"), 10_000_000_000n);
  assertEquals(perSecond("60planck/min"), 1n);
  assertEquals(perSecond("0"), 0n, "free needs no time");
  assertEquals(parsePriceArg("0.6/min", "--price").text, "0.6/min");
});

Deno.test("a price without its time, or not whole planck per second, is refused", () => {
  throws(() => perSecond("0.6"), /--price 0\.6: say per what: 0\.6\/min, 0\.6\/s or 0\.6\/h/);
  throws(() => perSecond("1/day"), /--price 1\/day: expected a price per s, min or h/);
  throws(() => perSecond("/min"), /--price: expected an amount/);
  throws(() => perSecond("-1/min"), /cannot be negative/);
  throws(
    () => perSecond("1planck/min"),
    /--price 1planck\/min: the chain charges whole planck per second.*multiple of 60 planck\/min/,
  );
});

Deno.test("amounts print in the token, exactly, or in planck when asked", () => {
  const format = amountFormat(STREAM);
  assertEquals(format.amount(1_500_000_000_000n), "1.5 STREAM");
  assertEquals(format.amount(1_000_000_000_000_000_000n), "1000000 STREAM");
  assertEquals(format.amount(1n), "0.000000000001 STREAM");
  assertEquals(format.price(10_000_000_000n), "0.6 STREAM/min");
  assertEquals(format.price(1n), "0.00000000006 STREAM/min");
  const exact = amountFormat(STREAM, { planck: true });
  assertEquals(exact.amount(1_500_000_000_000n), "1500000000000 planck");
  assertEquals(exact.price(10_000_000_000n), "10000000000 planck/s");
  assertEquals(amountFormat({ symbol: "planck", decimals: 0 }).amount(7n), "7 planck");
});

Deno.test("what is printed parses back to the same planck", () => {
  const format = amountFormat(STREAM);
  for (const p of [0n, 1n, 10_000_000_000n, 123_456_789_012_345_678n]) {
    assertEquals(planck(format.amount(p)), p);
    assertEquals(perSecond(format.price(p).replace(" STREAM", "")), p);
  }
});
