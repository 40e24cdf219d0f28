/**
 * The watch page's money in a viewer's terms: a deposit picked in minutes
 * of watching, what was paid as seconds of watching, and how long the
 * deposit left lasts. Pure and exact (bigint planck); seconds are whole.
 *
 * @module
 */
import { parseAmount } from "../../client/units.ts";

/** Seconds of deposit left at which the page warns and offers a top-up. */
export const LOW_BALANCE_SECONDS = 30n;

/**
 * The deposit that pays `minutes` (typed: `"10"`, `"1.5"`) of watching at
 * `pricePerSecond`, rounded up to whole seconds.
 *
 * @throws {RangeError} saying what to type, when `minutes` is not a positive number of minutes
 * @example
 * ```ts
 * import { depositForMinutes } from "./watch_money.ts";
 * if (depositForMinutes("1.5", 10n) !== 900n) throw new Error("90 s at 10 a second");
 * ```
 */
export function depositForMinutes(minutes: string, pricePerSecond: bigint): bigint {
  let milli: bigint;
  try {
    milli = parseAmount(minutes, 3);
  } catch {
    throw new RangeError("Type the minutes of watching to pay for, e.g. 10");
  }
  if (milli === 0n) throw new RangeError("Type the minutes of watching to pay for, e.g. 10");
  const seconds = (milli * 60n + 999n) / 1000n;
  return seconds * pricePerSecond;
}

/**
 * Whole seconds of watching `planck` pays for at `pricePerSecond` (0 for a
 * free stream): what the meter shows beside what was paid, so the two
 * always agree.
 *
 * @example
 * ```ts
 * import { secondsFor } from "./watch_money.ts";
 * if (secondsFor(45n, 10n) !== 4n) throw new Error("4 whole seconds");
 * ```
 */
export function secondsFor(planck: bigint, pricePerSecond: bigint): bigint {
  return pricePerSecond > 0n && planck > 0n ? planck / pricePerSecond : 0n;
}

/** Whether `left` planck pays for {@link LOW_BALANCE_SECONDS} or less at `pricePerSecond`. */
export function isLow(left: bigint, pricePerSecond: bigint): boolean {
  return pricePerSecond > 0n && left < (LOW_BALANCE_SECONDS + 1n) * pricePerSecond;
}

/**
 * Seconds as a person reads a duration: `45 s`, `2 min 5 s`, `1 h 20 min`.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./watch_money.ts";
 * if (formatDuration(125n) !== "2 min 5 s") throw new Error("2 min 5 s");
 * ```
 */
export function formatDuration(seconds: bigint): string {
  const s = seconds < 0n ? 0n : seconds;
  if (s < 60n) return `${s} s`;
  if (s < 3600n) return s % 60n ? `${s / 60n} min ${s % 60n} s` : `${s / 60n} min`;
  const minutes = (s % 3600n) / 60n;
  return minutes ? `${s / 3600n} h ${minutes} min` : `${s / 3600n} h`;
}
