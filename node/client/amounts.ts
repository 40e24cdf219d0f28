/**
 * Amounts on the command line: `--amount 1.5` is 1.5 of the chain's token
 * (STREAM), `--amount 1500000000000planck` is planck, `--price 0.6/min` is
 * a price per minute (the chain keeps it per second). The parser cannot know
 * the chain's decimals before connecting, so a flag parses to an
 * {@link AmountArg} and becomes planck once the node has said its token
 * ({@link planckOf}); amounts are printed in the token, or in planck with
 * `--planck` ({@link amountFormat}).
 *
 * @module
 */
import { formatAmount, parseAmount, type Token } from "../../client/units.ts";

/** The time a price is given per: a second, a minute or an hour. */
export type Per = "s" | "min" | "h";

/** An amount as typed, before the chain's decimals are known. */
export interface AmountArg {
  /** The flag it came from, for messages (`--amount`). */
  flag: string;
  /** What was typed. */
  text: string;
  /** The number, with its decimal point if any (`"1.5"`); whole when `unit` is planck. */
  value: string;
  /** Planck, or the chain's token (by `symbol` when one was typed: checked once connected). */
  unit: "planck" | "token";
  /** The token's symbol as typed (`2STREAM`), if it was. */
  symbol?: string;
  /** For a price: the time it is per. */
  per?: Per;
}

const SECONDS: Record<Per, bigint> = { s: 1n, min: 60n, h: 3600n };
const PER_NAMES: Record<string, Per> = {
  s: "s",
  sec: "s",
  second: "s",
  min: "min",
  minute: "min",
  h: "h",
  hour: "h",
};
const EXAMPLE = "e.g. 1.5 (in the chain's token, STREAM on dev) or 1500000000000planck";

/**
 * Reads an amount flag: a non-negative decimal in the chain's token
 * (`1.5`, `1_000`, `2STREAM`) or whole planck (`1500000000000planck`).
 *
 * @throws {TypeError} naming the flag, for an empty, negative, malformed or fractional-planck amount
 * @example
 * ```ts
 * import { parseAmountArg } from "./amounts.ts";
 * const arg = parseAmountArg("1500planck", "--amount");
 * if (arg.unit !== "planck" || arg.value !== "1500") throw new Error("planck");
 * ```
 */
export function parseAmountArg(text: string, flag: string): AmountArg {
  const trimmed = text.trim();
  if (trimmed === "") throw new TypeError(`${flag}: expected an amount, ${EXAMPLE}`);
  if (trimmed.startsWith("-")) throw new TypeError(`${flag} ${text}: an amount cannot be negative`);
  const match = trimmed.match(/^(\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)\s*([A-Za-z]+)?$/);
  if (!match) throw new TypeError(`${flag} ${text}: expected an amount, ${EXAMPLE}`);
  const value = match[1].replaceAll("_", "");
  const suffix = match[2];
  if (suffix?.toLowerCase() === "planck") {
    if (!/^\d+$/.test(value)) {
      throw new TypeError(`${flag} ${text}: planck are whole (the chain's smallest unit)`);
    }
    return { flag, text, value, unit: "planck" };
  }
  return { flag, text, value, unit: "token", ...(suffix ? { symbol: suffix } : {}) };
}

/**
 * Reads a price flag: an amount per second, minute or hour (`0.6/min`,
 * `0.01/s`, `36/h`, `10000000000planck/s`), or `0` (free). A bare amount is
 * refused: a price per minute (as the web app shows it) read per second would
 * cost sixty times as much.
 *
 * @throws {TypeError} naming the flag, for a malformed amount or a missing or unknown time
 * @example
 * ```ts
 * import { parsePriceArg } from "./amounts.ts";
 * const price = parsePriceArg("0.6/min", "--price");
 * if (price.value !== "0.6" || price.per !== "min") throw new Error("per minute");
 * ```
 */
export function parsePriceArg(text: string, flag: string): AmountArg {
  const slash = text.lastIndexOf("/");
  if (slash < 0) {
    const amount = parseAmountArg(text, flag);
    if (/^[0.]*$/.test(amount.value)) return { ...amount, per: "s" };
    throw new TypeError(
      `${flag} ${text}: say per what: ${text}/min, ${text}/s or ${text}/h ` +
        "(the chain charges per second; the web app shows prices per minute)",
    );
  }
  const per = PER_NAMES[text.slice(slash + 1).trim().toLowerCase()];
  if (!per) {
    throw new TypeError(`${flag} ${text}: expected a price per s, min or h, e.g. 0.6/min`);
  }
  return { ...parseAmountArg(text.slice(0, slash), flag), text, per };
}

/**
 * The planck `arg` stands for on a chain with `token`; a price becomes
 * planck per second, as the chain keeps it.
 *
 * @throws {TypeError} when the amount has more decimals than the token,
 * names another token, or a price is not a whole number of planck per second
 */
export function planckOf(arg: AmountArg, token: Token): bigint {
  const { flag, text } = arg;
  if (arg.symbol !== undefined && arg.symbol.toLowerCase() !== token.symbol.toLowerCase()) {
    throw new TypeError(`${flag} ${text}: this chain's token is ${token.symbol}`);
  }
  let planck: bigint;
  if (arg.unit === "planck") planck = BigInt(arg.value);
  else {
    try {
      planck = parseAmount(arg.value, token.decimals);
    } catch {
      throw new TypeError(
        `${flag} ${text}: ${token.symbol} has ${token.decimals} decimals, so at most ` +
          `${token.decimals} digits after the point`,
      );
    }
  }
  if (arg.per === undefined) return planck;
  const seconds = SECONDS[arg.per];
  if (planck % seconds !== 0n) {
    throw new TypeError(
      `${flag} ${text}: the chain charges whole planck per second, and this is ` +
        `${planck} planck per ${seconds} s; give a multiple of ${seconds} planck/${arg.per}`,
    );
  }
  return planck / seconds;
}

/** How a command prints amounts and prices. */
export interface AmountFormat {
  /** `1.5 STREAM`, or `1500000000000 planck` with `--planck`. */
  amount(planck: bigint): string;
  /** A price per second as people compare them: `0.6 STREAM/min` (`10000000000 planck/s` with `--planck`). */
  price(perSecond: bigint): string;
}

/**
 * Prints in `token` (exact decimals, no grouping, so what is printed can be
 * typed back), or in planck when `planck` is set or the chain names no token.
 *
 * @example
 * ```ts
 * import { amountFormat } from "./amounts.ts";
 * const format = amountFormat({ symbol: "STREAM", decimals: 12 });
 * if (format.price(10_000_000_000n) !== "0.6 STREAM/min") throw new Error(format.price(10_000_000_000n));
 * ```
 */
export function amountFormat(token: Token, options: { planck?: boolean } = {}): AmountFormat {
  if (options.planck || token.decimals === 0 && token.symbol === "planck") {
    return { amount: (p) => `${p} planck`, price: (p) => `${p} planck/s` };
  }
  const amount = (p: bigint) => `${formatAmount(p, token.decimals, { group: false })}`;
  return {
    amount: (p) => `${amount(p)} ${token.symbol}`,
    price: (p) => `${amount(p * SECONDS.min)} ${token.symbol}/min`,
  };
}
