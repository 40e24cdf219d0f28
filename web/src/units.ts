/**
 * Amounts as people type and read them: `1.5` STREAM is `1_500_000_000_000`
 * planck with 12 decimals. Exact: bigint throughout, never a float.
 *
 * @module
 */

/**
 * The planck of a decimal token amount (`"1.5"`, `"0.000001"`, `"20"`).
 *
 * @throws {RangeError} `Cannot read amount: …` on anything but a non-negative decimal with at most `decimals` places
 * @example
 * ```ts
 * import { parseAmount } from "./units.ts";
 * if (parseAmount("1.5", 12) !== 1_500_000_000_000n) throw new Error("1.5");
 * ```
 */
export function parseAmount(text: string, decimals: number): bigint {
  const match = text.trim().replaceAll("_", "").match(/^(\d*)(?:\.(\d*))?$/);
  if (!match || (match[1] === "" && !match[2])) {
    throw new RangeError(`Cannot read amount: ${JSON.stringify(text)} is not a number`);
  }
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    throw new RangeError(`Cannot read amount: more than ${decimals} decimal places`);
  }
  return BigInt(match[1] || "0") * 10n ** BigInt(decimals) +
    BigInt(fraction.padEnd(decimals, "0") || "0");
}

/**
 * A planck amount in tokens, without trailing zeros (`1500000000000n` → `"1.5"`).
 *
 * @example
 * ```ts
 * import { formatAmount } from "./units.ts";
 * if (formatAmount(1_500_000_000_000n, 12) !== "1.5") throw new Error("1.5");
 * ```
 */
export function formatAmount(planck: bigint, decimals: number): string {
  const sign = planck < 0n ? "-" : "";
  const abs = planck < 0n ? -planck : planck;
  const unit = 10n ** BigInt(decimals);
  const whole = (abs / unit).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = (abs % unit).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}
