/**
 * Hex conversion for byte strings, `0x`-prefixed as Substrate shows them.
 *
 * @module
 */

const BYTE_TO_HEX: string[] = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

/** Lower-case hex of `bytes`, without a prefix: the form used for map keys. */
export function toHexRaw(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_HEX[bytes[i]];
  return out;
}

/**
 * `0x`-prefixed lower-case hex of `bytes`.
 *
 * @example
 * ```ts
 * import { toHex } from "./hex.ts";
 * if (toHex(new Uint8Array([1, 255])) !== "0x01ff") throw new Error("toHex");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  return "0x" + toHexRaw(bytes);
}

/**
 * Bytes of a hex string, with or without `0x`.
 *
 * @throws {TypeError} when the string has an odd length or a non-hex digit
 * @example
 * ```ts
 * import { fromHex } from "./hex.ts";
 * if (fromHex("0x01ff")[1] !== 255) throw new Error("fromHex");
 * ```
 */
export function fromHex(hex: string): Uint8Array {
  const body = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (body.length % 2 !== 0) throw new TypeError(`Cannot decode hex: odd length ${body.length}`);
  const out = new Uint8Array(body.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(body.charCodeAt(2 * i));
    const lo = hexDigit(body.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      throw new TypeError(`Cannot decode hex: invalid digit near position ${2 * i}`);
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}
