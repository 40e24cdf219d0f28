/**
 * How a claimed increase is split between creator, relay and reward pot.
 *
 * @module
 */

/** Parts per billion in a whole. */
export const PERBILL = 1_000_000_000n;

/** The parts of a claimed amount. */
export interface Split {
  creator: bigint;
  relay: bigint;
  pot: bigint;
}

/**
 * Splits `amount` by the perbill shares: the relay's and the pot's parts are
 * rounded down and the creator gets the rest, rounding dust included. Without
 * a relay (the creator claims) the relay's share goes to the creator too. The
 * parts always add up to `amount` exactly.
 *
 * @example
 * ```ts
 * import { splitClaim } from "./_split.ts";
 * const s = splitClaim(1_000n, 800_000_000n, 150_000_000n, true);
 * if (s.creator !== 800n || s.relay !== 150n || s.pot !== 50n) throw new Error("split");
 * ```
 */
export function splitClaim(
  amount: bigint,
  creatorPerbill: bigint,
  relayPerbill: bigint,
  withRelay: boolean,
): Split {
  const potPerbill = PERBILL - creatorPerbill - relayPerbill;
  const relay = withRelay ? amount * relayPerbill / PERBILL : 0n;
  const pot = amount * potPerbill / PERBILL;
  return { creator: amount - relay - pot, relay, pot };
}
