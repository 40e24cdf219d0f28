/**
 * Hex of a 32-byte hash where it lies, without copying it out.
 *
 * PERF: character codes gathered in a reused array and turned into one flat
 * string by `String.fromCharCode` cost about half of 32 string
 * concatenations (which build a rope that the Map must then flatten).
 *
 * @module
 */

const DIGITS = [..."0123456789abcdef"].map((c) => c.charCodeAt(0));
const codes: number[] = new Array(64).fill(0);

/** Lower-case raw hex of `buf[off, off + 32)`. */
export function hashHex(buf: Uint8Array, off: number): string {
  for (let i = 0; i < 32; i++) {
    const b = buf[off + i];
    codes[2 * i] = DIGITS[b >> 4];
    codes[2 * i + 1] = DIGITS[b & 15];
  }
  return String.fromCharCode.apply(null, codes);
}
