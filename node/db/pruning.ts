/**
 * How much history a node keeps: the states (`--state-pruning`) and the
 * block bodies (`--blocks-pruning`) of finalized blocks.
 *
 * @module
 */

/** Keep everything, or only the newest `n` finalized blocks' states (or bodies). */
export type KeepBlocks = "archive" | number;

/** What the database keeps of finalized history. */
export interface Pruning {
  /** Finalized states kept (the finalized one included); Substrate's default is 256. */
  states: KeepBlocks;
  /** Finalized block bodies kept; headers and justifications are always kept. */
  blocks: KeepBlocks;
}

/** Substrate's defaults: 256 finalized states, every block body. */
export const DEFAULT_PRUNING: Pruning = { states: 256, blocks: "archive" };

/**
 * Parses a `--state-pruning` or `--blocks-pruning` value: `archive` or a
 * count of at least 1.
 *
 * @throws {TypeError} naming `flag` when the value is neither
 */
export function parseKeepBlocks(value: string, flag: string): KeepBlocks {
  if (value === "archive") return "archive";
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > 0xffff_fffe) {
    throw new TypeError(`${flag} must be 'archive' or a number of blocks from 1, got '${value}'`);
  }
  return n;
}

/** The lowest block number whose state (or body) `keep` asks for once `finalized` is final. */
export function oldestKept(keep: KeepBlocks, finalized: number): number {
  return keep === "archive" ? 0 : Math.max(0, finalized - keep + 1);
}
