/**
 * Nibble arithmetic on byte strings: a nibble index `i` names the high (even
 * `i`) or low (odd `i`) half of byte `i >> 1`.
 *
 * @module
 */

/** Nibble `i` of `buf`. */
export function nibbleAt(buf: Uint8Array, i: number): number {
  const b = buf[i >> 1];
  return i & 1 ? b & 15 : b >> 4;
}

/** Length of the common prefix, at most `n` nibbles, of `a` from nibble `ai` and `b` from nibble `bi`. */
export function commonNibbles(
  a: Uint8Array,
  ai: number,
  b: Uint8Array,
  bi: number,
  n: number,
): number {
  let i = 0;
  if (((ai ^ bi) & 1) === 0) {
    // Same parity: after at most one half byte, whole bytes line up.
    if (ai & 1) {
      if (n === 0 || (a[ai >> 1] & 15) !== (b[bi >> 1] & 15)) return 0;
      i = 1;
    }
    let ab = (ai + i) >> 1;
    let bb = (bi + i) >> 1;
    while (i + 2 <= n && a[ab] === b[bb]) {
      i += 2;
      ab++;
      bb++;
    }
  }
  while (i < n && nibbleAt(a, ai + i) === nibbleAt(b, bi + i)) i++;
  return i;
}

/**
 * Writes `n` nibbles of `src` from nibble `si` into `out` from nibble `oi`.
 * `out` must be zeroed where odd halves are written.
 */
export function copyNibbles(
  src: Uint8Array,
  si: number,
  out: Uint8Array,
  oi: number,
  n: number,
): void {
  let i = 0;
  if (((si ^ oi) & 1) === 0) {
    if (si & 1 && n > 0) {
      out[oi >> 1] = (out[oi >> 1] & 0xf0) | (src[si >> 1] & 15);
      i = 1;
    }
    let sb = (si + i) >> 1;
    let ob = (oi + i) >> 1;
    for (; i + 2 <= n; i += 2) out[ob++] = src[sb++];
  }
  for (; i < n; i++) {
    const v = nibbleAt(src, si + i);
    const o = oi + i;
    const k = o >> 1;
    out[k] = o & 1 ? (out[k] & 0xf0) | v : (out[k] & 0x0f) | (v << 4);
  }
}
