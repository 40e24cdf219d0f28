/**
 * Machine ceilings shared by the node benchmarks, measured in the run that
 * uses them (the machine is shared, so a figure from another run would not
 * compare).
 *
 * @module
 */
import {
  keypairFromSeed,
  type SignatureType,
  sr25519FromUri,
  verifyMulti,
  verifyNative,
} from "../runtime/crypto/mod.ts";
import { blake2_256 } from "../runtime/primitives/hashing.ts";
import { toHex } from "../runtime/primitives/hex.ts";

/**
 * Native ed25519 verifications per second on one thread, over `count`
 * distinct signatures by 1,000 keys: the median of three runs, as
 * `stf.transfers` measures its ceiling.
 */
export function nativeVerifiesPerSecond(count = 10_000): number {
  const keys = Array.from(
    { length: 1_000 },
    (_, i) => keypairFromSeed(blake2_256(new Uint8Array([i >> 8, i & 255, 2]))),
  );
  const messages = Array.from(
    { length: count },
    (_, i) => blake2_256(new Uint8Array([i >> 16, (i >> 8) & 255, i & 255, 1])),
  );
  const sigs = messages.map((m, i) => keys[i % keys.length].sign(m));
  const once = () => {
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      if (!verifyNative(sigs[i], messages[i], keys[i % keys.length].publicKey)) {
        throw new Error("A ceiling signature did not verify");
      }
    }
    return (performance.now() - start) / 1000;
  };
  const runs = [once(), once(), once()].sort((a, b) => a - b);
  return count / runs[1];
}

/**
 * sr25519 verifications per second on one thread (schnorrkel-wasm, through
 * the node's `verifyMulti`), over `count` distinct signatures by 100 keys:
 * the median of three runs, the ceiling of sr25519-signed blocks.
 */
export function sr25519VerifiesPerSecond(count = 10_000): number {
  const keys = Array.from(
    { length: 100 },
    (_, i) => sr25519FromUri(toHex(blake2_256(new Uint8Array([i >> 8, i & 255, 3])))),
  );
  const messages = Array.from(
    { length: count },
    (_, i) => blake2_256(new Uint8Array([i >> 16, (i >> 8) & 255, i & 255, 4])),
  );
  const type: SignatureType = "Sr25519";
  const sigs = messages.map((m, i) => ({ type, signature: keys[i % keys.length].sign(m) }));
  const once = () => {
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      if (!verifyMulti(sigs[i], messages[i], keys[i % keys.length].publicKey)) {
        throw new Error("A ceiling signature did not verify");
      }
    }
    return (performance.now() - start) / 1000;
  };
  const runs = [once(), once(), once()].sort((a, b) => a - b);
  return count / runs[1];
}
