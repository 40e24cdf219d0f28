/**
 * Transaction mortality (Substrate's `Era`): an immortal transaction, or one
 * valid only for `period` blocks from a birth block.
 *
 * @module
 */
import { DecodeError, type Reader, type Type, type Writer } from "../codec/types.ts";

/** Immortal, or mortal for `period` blocks (a power of two, 4..65536) at `phase`. */
export type Era = { kind: "immortal" } | { kind: "mortal"; period: number; phase: number };

/** The immortal era. */
export const IMMORTAL: Era = { kind: "immortal" };

/**
 * A mortal era valid for about `period` blocks from block `current`, as
 * Substrate's `Era::mortal` rounds it.
 *
 * @example
 * ```ts
 * import { mortal } from "./era.ts";
 * const era = mortal(64, 42);
 * if (era.kind !== "mortal" || era.period !== 64 || era.phase !== 42) throw new Error("era");
 * ```
 */
export function mortal(period: number, current: number): Era {
  let p = 4;
  while (p < period && p < 65536) p *= 2;
  const phase = current % p;
  const quantize = Math.max(p >> 12, 1);
  return { kind: "mortal", period: p, phase: Math.floor(phase / quantize) * quantize };
}

/** Blocks a transaction stays valid for when a client signs it (as polkadot.js). */
export const DEFAULT_MORTAL_PERIOD = 64;

/** How far finality may lag the best block before transactions are born on the best one. */
const MAX_FINALITY_LAG = 16;

/** A block as a signer names it: its number and hash. */
export interface BlockAt {
  number: number;
  hash: Uint8Array;
}

/**
 * The era every Sutantra client signs with: mortal for
 * {@link DEFAULT_MORTAL_PERIOD} blocks, born at the finalized block (which
 * no re-org can take away), or at the best block when finality lags it by
 * more than 16 blocks. A mortal transaction cannot be replayed once it has
 * died, even after its sender is reaped and its nonce starts again at 0.
 * Returns the era and its birth block's hash, which the signature binds.
 *
 * @example
 * ```ts
 * import { signingEra } from "./era.ts";
 * const finalized = { number: 100, hash: new Uint8Array(32).fill(1) };
 * const { era, eraBlockHash } = signingEra({ number: 102, hash: new Uint8Array(32) }, finalized);
 * if (era.kind !== "mortal" || era.period !== 64 || eraBlockHash !== finalized.hash) throw new Error();
 * ```
 */
export function signingEra(
  best: BlockAt,
  finalized: BlockAt,
): { era: Era; eraBlockHash: Uint8Array } {
  const birth = best.number - finalized.number > MAX_FINALITY_LAG ? best : finalized;
  return { era: mortal(DEFAULT_MORTAL_PERIOD, birth.number), eraBlockHash: birth.hash };
}

/** The first block a mortal era is valid in, seen from block `current`. */
export function eraBirth(era: Era, current: number): number {
  if (era.kind === "immortal") return 0;
  return Math.floor((Math.max(current, era.phase) - era.phase) / era.period) * era.period +
    era.phase;
}

/** The first block an era is no longer valid in. */
export function eraDeath(era: Era, current: number): number {
  return era.kind === "immortal" ? Infinity : eraBirth(era, current) + era.period;
}

function trailingZeros(n: number): number {
  let z = 0;
  while ((n & 1) === 0 && z < 32) {
    n >>>= 1;
    z++;
  }
  return z;
}

/** SCALE codec of an era: `0x00` immortal, else two bytes. */
export const eraType: Type<Era> = {
  desc: {
    kind: "enum",
    name: "Era",
    variants: [
      { name: "Immortal", index: 0 },
      { name: "Mortal", index: 1, type: { kind: "array", length: 2 } },
    ],
  },
  encodeTo(w: Writer, era: Era): void {
    if (era.kind === "immortal") return w.u8(0);
    const quantize = Math.max(era.period >> 12, 1);
    const encoded = Math.min(15, Math.max(1, trailingZeros(era.period) - 1)) |
      ((era.phase / quantize) << 4);
    w.u16(encoded);
  },
  decodeFrom(r: Reader): Era {
    const first = r.u8();
    if (first === 0) return IMMORTAL;
    const encoded = first + (r.u8() << 8);
    const period = 2 << (encoded % 16);
    const quantize = Math.max(period >> 12, 1);
    const phase = (encoded >> 4) * quantize;
    if (period < 4 || phase >= period) throw new DecodeError("invalid era");
    return { kind: "mortal", period, phase };
  },
};
