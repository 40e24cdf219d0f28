/**
 * Signature verification with the host's native ed25519 (`node:crypto`), the
 * node's fast path. Implements THE signature rule of `signature_rule.ts`:
 * the prechecks run here, the native verifier does the rest, and the tests
 * show that it then accepts exactly what `verifyPortable` accepts.
 *
 * `node:crypto` is not I/O; it is allowed in `runtime/crypto` for this file
 * only. Code that must run in a browser imports `verify_portable.ts` instead.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { concatBytes } from "../primitives/bytes.ts";
import { fromHex, toHexRaw } from "../primitives/hex.ts";
import { passesSignaturePrechecks } from "./signature_rule.ts";
import { type MultiVerifier, multiVerifier } from "./multi_signature.ts";

/** DER of SubjectPublicKeyInfo { id-Ed25519 (1.3.101.112), BIT STRING(32 bytes) } up to the key. */
const SPKI_PREFIX = fromHex("302a300506032b6570032100");

/**
 * PERF: building a KeyObject costs about as much as a verification, and a
 * block's signers repeat (validators, busy accounts); the cache is bounded so
 * that a flood of fresh keys cannot grow memory.
 */
const KEY_CACHE_LIMIT = 4096;
const keyCache = new Map<string, KeyObject | null>();

/**
 * Whether `signature` is `publicKey`'s signature of `message` under THE
 * signature rule, verified natively. Never throws.
 *
 * @example
 * ```ts
 * import { keypairFromUri } from "./keypair.ts";
 * import { verifyNative } from "./verify_native.ts";
 * const bob = keypairFromUri("//Bob");
 * const message = new Uint8Array([1, 2, 3]);
 * if (!verifyNative(bob.sign(message), message, bob.publicKey)) throw new Error();
 * if (verifyNative(bob.sign(message), new Uint8Array([1, 2]), bob.publicKey)) throw new Error();
 * ```
 */
export function verifyNative(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (!passesSignaturePrechecks(signature, publicKey)) return false;
  const key = keyObject(publicKey);
  if (key === null) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

function keyObject(publicKey: Uint8Array): KeyObject | null {
  const id = toHexRaw(publicKey);
  let key = keyCache.get(id);
  if (key !== undefined) {
    // Refresh: Map order is insertion order, so the first entry is the least recently used.
    keyCache.delete(id);
    keyCache.set(id, key);
    return key;
  }
  try {
    key = createPublicKey({
      key: Buffer.from(concatBytes(SPKI_PREFIX, publicKey)),
      format: "der",
      type: "spki",
    });
  } catch {
    key = null;
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(id, key);
  return key;
}

/**
 * Any `MultiSignature` (ed25519, sr25519, ecdsa), ed25519 verified natively:
 * the node's verifier of extrinsic signatures. See `multi_signature.ts`.
 */
export const verifyMulti: MultiVerifier = multiVerifier(verifyNative);
