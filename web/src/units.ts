/**
 * Amounts as people type and read them: `1.5` STREAM is `1_500_000_000_000`
 * planck with 12 decimals. Exact: bigint throughout, never a float. The
 * page and the CLI share one spelling, `client/units.ts`.
 *
 * @example
 * ```ts
 * import { formatAmount, parseAmount } from "./units.ts";
 * if (formatAmount(parseAmount("1.5", 12), 12) !== "1.5") throw new Error("1.5");
 * ```
 *
 * @module
 */
export { formatAmount, parseAmount } from "../../client/units.ts";
