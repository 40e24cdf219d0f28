/**
 * Extrinsics in Substrate's version-4 layout.
 *
 * ```
 * Compact<len> ++ 0x84 ++ MultiAddress::Id(signer) ++ MultiSignature::Ed25519(sig)
 *              ++ era ++ Compact<nonce> ++ Compact<tip> ++ call          (signed)
 * Compact<len> ++ 0x04 ++ call                                           (bare: inherents)
 * ```
 *
 * The signed extensions are Substrate's, in its order: CheckNonZeroSender,
 * CheckSpecVersion, CheckTxVersion, CheckGenesis, CheckMortality, CheckNonce,
 * CheckWeight, ChargeTransactionPayment. Their "extra" (era, nonce, tip)
 * travels in the extrinsic; their "additional signed" data (spec and
 * transaction versions, genesis hash, the era's birth block hash) is signed
 * but not sent. The signed payload is `call ++ extra ++ additional`,
 * blake2-256'd when longer than 256 bytes.
 *
 * @module
 */
import {
  DecodeError,
  encode,
  readCompact,
  Reader,
  t,
  writeCompact,
  Writer,
} from "../codec/types.ts";
import { concatBytes } from "../primitives/bytes.ts";
import { blake2_256 } from "../primitives/hashing.ts";
import { type Era, eraType } from "./era.ts";

/** The signed extensions, by Substrate's names, in order. */
export const SIGNED_EXTENSIONS = [
  "CheckNonZeroSender",
  "CheckSpecVersion",
  "CheckTxVersion",
  "CheckGenesis",
  "CheckMortality",
  "CheckNonce",
  "CheckWeight",
  "ChargeTransactionPayment",
] as const;

/** The extra data a signed extrinsic carries. */
export interface Extra {
  era: Era;
  nonce: number;
  tip: bigint;
}

/** The signed-but-not-sent data. */
export interface AdditionalSigned {
  specVersion: number;
  transactionVersion: number;
  genesisHash: Uint8Array;
  /** The hash of the era's birth block (genesis for immortal). */
  eraBlockHash: Uint8Array;
}

/** A decoded extrinsic; `call` stays encoded until the runtime decodes it. */
export type Extrinsic =
  | { kind: "bare"; call: Uint8Array }
  | { kind: "signed"; signer: Uint8Array; signature: Uint8Array; extra: Extra; call: Uint8Array };

const SIGNED_V4 = 0x84;
const BARE_V4 = 0x04;

const extraType = t.struct("Extra", { era: eraType, nonce: t.compactU32, tip: t.compactU128 });
const additionalType = t.struct("AdditionalSigned", {
  specVersion: t.u32,
  transactionVersion: t.u32,
  genesisHash: t.hash,
  eraBlockHash: t.hash,
});

/** SCALE of the extra data. */
export function encodeExtra(extra: Extra): Uint8Array {
  return encode(extraType, extra);
}

/** The bytes a signer signs: `call ++ extra ++ additional`, hashed when over 256 bytes. */
export function signingPayload(
  call: Uint8Array,
  extra: Extra,
  additional: AdditionalSigned,
): Uint8Array {
  const payload = concatBytes(call, encode(extraType, extra), encode(additionalType, additional));
  return payload.length > 256 ? blake2_256(payload) : payload;
}

/** Encodes a bare extrinsic (with its length prefix). */
export function encodeBare(call: Uint8Array): Uint8Array {
  return withLength(concatBytes(new Uint8Array([BARE_V4]), call));
}

/** Encodes a signed extrinsic (with its length prefix). */
export function encodeSigned(
  signer: Uint8Array,
  signature: Uint8Array,
  extra: Extra,
  call: Uint8Array,
): Uint8Array {
  const w = new Writer();
  w.u8(SIGNED_V4);
  w.u8(0); // MultiAddress::Id
  w.bytes(signer);
  w.u8(0); // MultiSignature::Ed25519
  w.bytes(signature);
  extraType.encodeTo(w, extra);
  w.bytes(call);
  return withLength(w.finish());
}

function withLength(body: Uint8Array): Uint8Array {
  const w = new Writer();
  writeCompact(w, body.length);
  w.bytes(body);
  return w.finish();
}

/**
 * Decodes an extrinsic with its length prefix. The call is returned as bytes.
 *
 * @throws {DecodeError} `Cannot decode extrinsic: <reason>`
 */
export function decodeExtrinsic(bytes: Uint8Array): Extrinsic {
  const fail = (reason: string) => new DecodeError(`Cannot decode extrinsic: ${reason}`);
  const r = new Reader(bytes);
  let length: number;
  try {
    length = Number(readCompact(r, 0xffffffffn));
  } catch (e) {
    throw fail((e as Error).message);
  }
  if (length !== r.remaining) {
    throw fail(`length prefix says ${length} bytes, ${r.remaining} follow`);
  }
  if (length === 0) throw fail("unexpected end of input");
  const version = r.u8();
  if (version === BARE_V4) return { kind: "bare", call: bytes.subarray(r.pos) };
  if (version !== SIGNED_V4) throw fail(`unsupported version byte 0x${version.toString(16)}`);
  try {
    const address = r.u8();
    if (address !== 0) throw new DecodeError(`unsupported address kind ${address} (only Id)`);
    const signer = r.take(32).slice();
    const scheme = r.u8();
    if (scheme !== 0) {
      throw new DecodeError(`unsupported signature scheme ${scheme} (only Ed25519)`);
    }
    const signature = r.take(64).slice();
    const extra = extraType.decodeFrom(r);
    if (r.remaining === 0) throw new DecodeError("missing call");
    return { kind: "signed", signer, signature, extra, call: bytes.subarray(r.pos) };
  } catch (e) {
    throw fail((e as Error).message);
  }
}

/** The extrinsic hash: blake2-256 of its encoding, length prefix included. */
export function extrinsicHash(bytes: Uint8Array): Uint8Array {
  return blake2_256(bytes);
}

/** Something that signs: a keypair's public key and its `sign`. */
export interface Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** Builds and signs a v4 extrinsic for `call` with the given extra and additional data. */
export function signExtrinsic(
  call: Uint8Array,
  signer: Signer,
  extra: Extra,
  additional: AdditionalSigned,
): Uint8Array {
  const signature = signer.sign(signingPayload(call, extra, additional));
  return encodeSigned(signer.publicKey, signature, extra, call);
}
