/**
 * A deterministic corpus of ed25519 edge cases, built with noble's point
 * arithmetic in the manner of "Taming the Many EdDSAs" and C2SP's
 * ed25519vectors: small-order and non-canonical encodings of A and R, mixed
 * order points (a prime-order point plus a torsion point) whose torsion parts
 * do or do not cancel, non-canonical S, and ordinary signatures. Test-only.
 *
 * @module
 */
import { concatBytes, utf8 } from "../../primitives/bytes.ts";
import { fromHex, toHexRaw } from "../../primitives/hex.ts";
import { bytesToNumberLE, ed, GROUP_ORDER, numberToBytes32LE, sha512 } from "../_ed25519.ts";
import { keypairFromSeed } from "../keypair.ts";

/** One case: what to verify, and what kind of edge it is. */
export interface EdgeCase {
  kind: string;
  signature: Uint8Array;
  message: Uint8Array;
  publicKey: Uint8Array;
}

const P = 2n ** 255n - 19n;
const L = GROUP_ORDER;

/** The 8 small-order points, canonically encoded. */
export const SMALL_ORDER = [
  "0100000000000000000000000000000000000000000000000000000000000000",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0000000000000000000000000000000000000000000000000000000000000080",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
];

/**
 * Every non-canonical encoding that a lenient (ZIP-215) decoder accepts: y in
 * p..2^255−1 with either sign bit, and x = 0 with the sign bit set.
 */
export function nonCanonicalEncodings(): string[] {
  const out: string[] = [];
  for (let y = P; y < 2n ** 255n; y++) {
    for (const sign of [0, 0x80]) {
      const bytes = numberToBytes32LE(y);
      bytes[31] |= sign;
      try {
        ed.Point.fromBytes(bytes, true);
        out.push(toHexRaw(bytes));
      } catch {
        // not on the curve
      }
    }
  }
  out.push(
    "0100000000000000000000000000000000000000000000000000000000000080",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  );
  return out;
}

const challenge = (r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint =>
  bytesToNumberLE(sha512(concatBytes(r, a, m))) % L;

/** A deterministic scalar stream (a 64-bit LCG, spread over [1, ℓ)). */
function scalars(seed: bigint): () => bigint {
  let state = seed;
  return () => {
    state = (state * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
    return 1n + (state * 0x9e3779b97f4a7c15n * 0x2545f4914f6cdd1dn) % (L - 1n);
  };
}

/** The corpus: about 5,200 cases, of which about 500 get past the cheap prechecks. */
export function edgeCases(): EdgeCase[] {
  const cases: EdgeCase[] = [];
  const next = scalars(20201244n);
  const torsion = SMALL_ORDER.map((h) => ed.Point.fromBytes(fromHex(h)));
  const nonCanonical = nonCanonicalEncodings();
  const lenient = [...SMALL_ORDER, ...nonCanonical];

  // Small-order or non-canonical A and R with S = 0: under a cofactorless,
  // lenient verifier these pass whenever R = −[k]A.
  for (const a of lenient) {
    for (const r of lenient) {
      for (let m = 0; m < 4; m++) {
        cases.push({
          kind: "small or non-canonical A and R, S = 0",
          signature: concatBytes(fromHex(r), new Uint8Array(32)),
          message: utf8(`edge ${m}`),
          publicKey: fromHex(a),
        });
      }
    }
  }
  // Mixed-order A = [a]B + T and R = [r]B + T' with S = r + k·a: the cofactored
  // equation always holds, the cofactorless one only when T' = −[k]T.
  for (let i = 0; i < 256; i++) {
    const a = next(), r = next();
    const A = ed.Point.BASE.multiply(a).add(torsion[i % 8]).toBytes();
    const R = ed.Point.BASE.multiply(r).add(torsion[(i >> 3) % 8]).toBytes();
    const message = utf8(`mixed ${i}`);
    const s = (r + challenge(R, A, message) * a) % L;
    cases.push({
      kind: "mixed-order A and R",
      signature: concatBytes(R, numberToBytes32LE(s)),
      message,
      publicKey: A,
    });
  }
  // Prime-order or mixed-order A with a non-canonical small-order R and
  // S = k·a: a verifier that compares decoded points instead of bytes accepts
  // some of these.
  for (const rHex of nonCanonical) {
    for (let i = 0; i < 8; i++) {
      const a = next();
      const A = ed.Point.BASE.multiply(a).add(torsion[i]).toBytes();
      const R = fromHex(rHex);
      const message = utf8(`non-canonical R ${i}`);
      cases.push({
        kind: "non-canonical R",
        signature: concatBytes(R, numberToBytes32LE((challenge(R, A, message) * a) % L)),
        message,
        publicKey: A,
      });
    }
  }
  // Ordinary signatures, and the same with S + nℓ (still below 2^256).
  for (let i = 0; i < 24; i++) {
    const pair = keypairFromSeed(numberToBytes32LE(next()));
    const message = utf8(`ordinary ${i}`);
    const signature = pair.sign(message);
    cases.push({ kind: "ordinary", signature, message, publicKey: pair.publicKey });
    const s = bytesToNumberLE(signature.subarray(32));
    for (const n of [1n, 2n, 8n, 15n]) {
      const tweaked = signature.slice();
      tweaked.set(numberToBytes32LE(s + n * L), 32);
      cases.push({ kind: "S + nℓ", signature: tweaked, message, publicKey: pair.publicKey });
    }
  }
  return cases;
}
