/**
 * Hex of a 32-byte hash where it lies, without copying it out.
 *
 * @module
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lower-case raw hex of `buf[off, off + 32)`. */
export function hashHex(buf: Uint8Array, off: number): string {
  let s = "";
  for (let i = off; i < off + 32; i++) s += HEX[buf[i]];
  return s;
}
