/**
 * What the forms check before anything is signed, each check giving the
 * reason a person reads beside the field (or `undefined` when the value is
 * good): an empty field, a title longer than the chain takes, an amount
 * that is not a number or more than the balance, an address that is not
 * one. Pure, so the rules are tested without a browser.
 *
 * @module
 */
import { ss58Decode } from "../../runtime/crypto/ss58.ts";
import { utf8 } from "../../runtime/primitives/bytes.ts";
import { formatAmount, parseAmount, type Token } from "../../client/units.ts";

/**
 * Why `text` is no title the chain would take: empty, or longer than
 * `maxBytes` bytes of UTF-8 (the chain counts bytes, not letters).
 *
 * @example
 * ```ts
 * import { titleProblem } from "./validate.ts";
 * if (titleProblem("  ", 128) !== "Enter a title") throw new Error("empty");
 * if (titleProblem("Night sky", 128) !== undefined) throw new Error("good");
 * ```
 */
export function titleProblem(text: string, maxBytes: number): string | undefined {
  if (!text.trim()) return "Enter a title";
  const bytes = utf8(text).length;
  if (bytes > maxBytes) return `Too long: ${bytes} bytes, the chain takes at most ${maxBytes}`;
  return undefined;
}

/**
 * Why `text` is no address on a chain of SS58 format `format`: empty, not
 * SS58, or another chain's format.
 *
 * @example
 * ```ts
 * import { addressProblem } from "./validate.ts";
 * if (addressProblem("", 42) !== "Enter an address") throw new Error("empty");
 * const alice = "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu";
 * if (addressProblem(alice, 42) !== undefined) throw new Error("good");
 * ```
 */
export function addressProblem(text: string, format: number): string | undefined {
  const address = text.trim();
  if (!address) return "Enter an address";
  try {
    const { prefix } = ss58Decode(address);
    if (prefix !== format) {
      return `An address of another network (format ${prefix}; this one is ${format})`;
    }
  } catch (e) {
    const why = (e as Error).message.replace(/^Cannot decode address: /, "");
    return /checksum/.test(why)
      ? "Not a valid address: its checksum does not match (a typo?)"
      : `Not a valid address (${why})`;
  }
  return undefined;
}

/** Bounds of {@link amountProblem}: at least `min`, at most `max` (with why, in words). */
export interface AmountBounds {
  /** Smallest planck accepted; a positive amount is required by default. */
  min?: bigint;
  /** Largest planck accepted, and what it is (`your free balance`, `what you can send`). */
  max?: { planck: bigint; what: string };
}

/**
 * Why `text` is no amount of `token` within `bounds`: empty, not a number,
 * more decimals than the token has, zero, or past a bound; the planck
 * otherwise.
 *
 * @example
 * ```ts
 * import { amountProblem } from "./validate.ts";
 * const token = { symbol: "STREAM", decimals: 12 };
 * const max = { planck: 10n ** 12n, what: "your free balance" };
 * if (amountProblem("2", token, { max }) !== "More than your free balance (1 STREAM)") {
 *   throw new Error("over");
 * }
 * if (amountProblem("0.5", token, { max }) !== 500_000_000_000n) throw new Error("good");
 * ```
 */
export function amountProblem(
  text: string,
  token: Token,
  bounds: AmountBounds = {},
): string | bigint {
  if (!text.trim()) return "Enter an amount";
  let planck: bigint;
  try {
    planck = parseAmount(text, token.decimals);
  } catch (e) {
    const reason = (e as Error).message.replace(/^Cannot read amount: /, "");
    return /decimal places/.test(reason)
      ? `${token.symbol} has at most ${token.decimals} decimals`
      : "Not a number";
  }
  const min = bounds.min ?? 1n;
  if (planck < min) {
    return min === 1n
      ? "Enter more than 0"
      : `At least ${formatAmount(min, token.decimals)} ${token.symbol}`;
  }
  if (bounds.max && planck > bounds.max.planck) {
    const max = bounds.max.planck < 0n ? 0n : bounds.max.planck;
    return `More than ${bounds.max.what} (${formatAmount(max, token.decimals)} ${token.symbol})`;
  }
  return planck;
}
