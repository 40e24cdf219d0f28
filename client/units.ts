/**
 * Amounts as people type and read them: `1.5` STREAM is `1_500_000_000_000`
 * planck with 12 decimals. Exact: bigint throughout, never a float. The
 * token's symbol and decimals are the chain's (`system_properties`), so
 * the CLI and the web app learn them from the node they talk to.
 *
 * @module
 */

/** A chain's token as `system_properties` names it: `STREAM` with 12 decimals on dev and local. */
export interface Token {
  /** What amounts are printed in: `STREAM`. */
  symbol: string;
  /** How many of the planck's digits are after the point: `1` STREAM is 10^decimals planck. */
  decimals: number;
}

/**
 * The token `system_properties` describes. A chain that names none counts
 * in planck (symbol `planck`, no decimals), so nothing is ever scaled by a
 * guess.
 *
 * @example
 * ```ts
 * import { tokenOf } from "./units.ts";
 * const token = tokenOf({ tokenSymbol: "STREAM", tokenDecimals: 12 });
 * if (token.symbol !== "STREAM" || token.decimals !== 12) throw new Error("STREAM");
 * if (tokenOf({}).symbol !== "planck") throw new Error("planck");
 * ```
 */
export function tokenOf(properties: { tokenSymbol?: unknown; tokenDecimals?: unknown }): Token {
  // Substrate lets a chain list several tokens; the first is its native one.
  const first = (v: unknown) => Array.isArray(v) ? v[0] : v;
  const symbol = first(properties.tokenSymbol);
  const decimals = first(properties.tokenDecimals);
  if (
    typeof symbol !== "string" || typeof decimals !== "number" || !Number.isInteger(decimals) ||
    decimals < 0
  ) {
    return { symbol: "planck", decimals: 0 };
  }
  return { symbol, decimals };
}

/**
 * The planck of a decimal token amount (`"1.5"`, `"0.000001"`, `"20"`,
 * `"1_000"`).
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
 * A planck amount in tokens, without trailing zeros (`1500000000000n` →
 * `"1.5"`), thousands grouped with commas unless `group` is false (the
 * CLI's output, which a user pastes back into `--amount`).
 *
 * @example
 * ```ts
 * import { formatAmount } from "./units.ts";
 * if (formatAmount(1_234_500_000_000_000n, 12) !== "1,234.5") throw new Error("grouped");
 * if (formatAmount(1_234_500_000_000_000n, 12, { group: false }) !== "1234.5") throw new Error("plain");
 * ```
 */
export function formatAmount(
  planck: bigint,
  decimals: number,
  options: { group?: boolean } = {},
): string {
  const sign = planck < 0n ? "-" : "";
  const abs = planck < 0n ? -planck : planck;
  const unit = 10n ** BigInt(decimals);
  const digits = (abs / unit).toString();
  const whole = options.group === false ? digits : digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = (abs % unit).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}
