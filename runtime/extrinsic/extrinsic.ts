/**
 * Extrinsics in Substrate's version-4 layout.
 *
 * ```
 * Compact<len> ++ 0x84 ++ MultiAddress ++ MultiSignature
 *              ++ era ++ Compact<nonce> ++ Compact<tip> ++ mode ++ call  (signed)
 * Compact<len> ++ 0x04 ++ call                                           (bare: inherents)
 * ```
 *
 * `MultiSignature` is `Ed25519` (0, 64 bytes), `Sr25519` (1, 64 bytes) or
 * `Ecdsa` (2, 65 bytes); see `runtime/crypto/multi_signature.ts`. Every
 * `MultiAddress` variant is decoded, and those that name an AccountId32
 * (`Id`, `Raw` of 32 bytes, `Address32`) are looked up to the signer; the
 * others fail the lookup with an {@link AddressLookupError} (Substrate's
 * `CannotLookup`).
 *
 * The signed extensions are Substrate's, in its order: CheckNonZeroSender,
 * CheckSpecVersion, CheckTxVersion, CheckGenesis, CheckMortality, CheckNonce,
 * CheckWeight, ChargeTransactionPayment, CheckMetadataHash. Their "extra"
 * (era, nonce, tip, mode) travels in the extrinsic; their "additional
 * signed" data (spec and transaction versions, genesis hash, the era's birth
 * block hash, and `Option<metadata hash>`) is signed but not sent. The
 * signed payload is `call ++ extra ++ additional`, blake2-256'd when longer
 * than 256 bytes.
 *
 * CheckMetadataHash is RFC 78's: a signer whose `mode` is `Enabled` signs
 * `Some(hash)` of the metadata it decoded the call with, the runtime checks
 * the signature over its own metadata hash (`runtime/metadata`), so a
 * signer shown a call through forged metadata signs something invalid.
 * Callers that leave `mode` out sign with it `Disabled` (`None`).
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
import {
  type MultiSignatureValue,
  SIGNATURE_TYPES,
  type SignatureType,
  signatureTypeOf,
} from "../crypto/signature_types.ts";
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
  "CheckMetadataHash",
] as const;

/**
 * `frame_metadata_hash_extension::Mode`: whether the signer signed the
 * runtime's metadata hash (RFC 78), as byte 0 or 1.
 */
export type MetadataHashMode = "Disabled" | "Enabled";

const MODES: readonly MetadataHashMode[] = ["Disabled", "Enabled"];

/** The extra data a signed extrinsic carries. */
export interface Extra {
  era: Era;
  nonce: number;
  tip: bigint;
  /** CheckMetadataHash's mode; `Disabled` when left out. */
  mode?: MetadataHashMode;
}

/** The signed-but-not-sent data. */
export interface AdditionalSigned {
  specVersion: number;
  transactionVersion: number;
  genesisHash: Uint8Array;
  /** The hash of the era's birth block (genesis for immortal). */
  eraBlockHash: Uint8Array;
  /** The 32-byte RFC 78 metadata hash: given exactly when the extra's mode is `Enabled`. */
  metadataHash?: Uint8Array;
}

/** `sp_runtime::MultiAddress<AccountId32, u32>`, decoded. */
export type MultiAddressValue =
  | { type: "Id"; value: Uint8Array }
  | { type: "Index"; value: number }
  | { type: "Raw"; value: Uint8Array }
  | { type: "Address32"; value: Uint8Array }
  | { type: "Address20"; value: Uint8Array };

/** A decoded extrinsic; `call` stays encoded until the runtime decodes it. */
export type Extrinsic =
  | { kind: "bare"; call: Uint8Array }
  | {
    kind: "signed";
    /** The address as sent. */
    address: MultiAddressValue;
    /** The account it looks up to: who signed, pays and dispatches. */
    signer: Uint8Array;
    signature: MultiSignatureValue;
    extra: Extra;
    call: Uint8Array;
  };

/** A `MultiAddress` that names no account this chain can look up. */
export class AddressLookupError extends Error {
  override name = "AddressLookupError";
}

const ADDRESS_INDEX = { Id: 0, Index: 1, Raw: 2, Address32: 3, Address20: 4 } as const;

/**
 * The account a `MultiAddress` names.
 *
 * @throws {AddressLookupError} for `Index` (this chain has no indices
 * pallet), `Address20` (no mapping from 20-byte addresses to accounts
 * exists) and `Raw` bytes that are not 32 long
 * @example
 * ```ts
 * import { lookupAddress } from "./extrinsic.ts";
 * const who = new Uint8Array(32).fill(7);
 * if (lookupAddress({ type: "Address32", value: who }) !== who) throw new Error();
 * ```
 */
export function lookupAddress(address: MultiAddressValue): Uint8Array {
  switch (address.type) {
    case "Id":
    case "Address32":
      return address.value;
    case "Raw":
      if (address.value.length === 32) return address.value;
      throw new AddressLookupError(
        `Cannot look up address: MultiAddress::Raw of ${address.value.length} bytes, an account is 32`,
      );
    case "Index":
      throw new AddressLookupError(
        `Cannot look up address: MultiAddress::Index(${address.value}) needs an indices pallet, which this chain does not have; send MultiAddress::Id`,
      );
    case "Address20":
      throw new AddressLookupError(
        "Cannot look up address: MultiAddress::Address20 has no mapping to an account on this chain; send MultiAddress::Id",
      );
  }
}

/** SCALE of a `MultiAddress`. */
export function encodeAddress(w: Writer, address: MultiAddressValue): void {
  w.u8(ADDRESS_INDEX[address.type]);
  if (address.type === "Index") writeCompact(w, address.value);
  else {
    if (address.type === "Raw") writeCompact(w, address.value.length);
    w.bytes(address.value);
  }
}

function decodeAddress(r: Reader): MultiAddressValue {
  const kind = r.u8();
  switch (kind) {
    case 0:
      return { type: "Id", value: r.take(32).slice() };
    case 1:
      return { type: "Index", value: Number(readCompact(r, 0xffffffffn)) };
    case 2: {
      const length = Number(readCompact(r, 0xffffffffn));
      if (length > r.remaining) throw new DecodeError("MultiAddress::Raw longer than the input");
      return { type: "Raw", value: r.take(length).slice() };
    }
    case 3:
      return { type: "Address32", value: r.take(32).slice() };
    case 4:
      return { type: "Address20", value: r.take(20).slice() };
    default:
      throw new DecodeError(`unknown MultiAddress variant ${kind}`);
  }
}

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
  const w = new Writer();
  writeExtra(w, extra);
  return w.finish();
}

function writeExtra(w: Writer, extra: Extra): void {
  extraType.encodeTo(w, extra);
  w.u8(MODES.indexOf(extra.mode ?? "Disabled"));
}

function readExtra(r: Reader): Extra {
  const extra = extraType.decodeFrom(r);
  const byte = r.u8();
  const mode = MODES[byte];
  if (mode === undefined) {
    throw new DecodeError(`unknown CheckMetadataHash mode ${byte} (0 Disabled, 1 Enabled)`);
  }
  return { ...extra, mode };
}

/**
 * The bytes a signer signs: `call ++ extra ++ additional`, hashed when over 256 bytes.
 *
 * @throws {TypeError} when `additional.metadataHash` is not a 32-byte hash
 * given exactly when `extra.mode` is `Enabled`
 */
export function signingPayload(
  call: Uint8Array,
  extra: Extra,
  additional: AdditionalSigned,
): Uint8Array {
  const enabled = extra.mode === "Enabled";
  const hash = additional.metadataHash;
  if (enabled !== (hash !== undefined) || (hash && hash.length !== 32)) {
    throw new TypeError(
      `Cannot sign extrinsic: mode ${extra.mode ?? "Disabled"} with ${
        hash ? `a ${hash.length}-byte` : "no"
      } metadata hash (Enabled takes the runtime's 32-byte hash, Disabled none)`,
    );
  }
  const payload = concatBytes(
    call,
    encodeExtra(extra),
    encode(additionalType, additional),
    hash ? concatBytes(new Uint8Array([1]), hash) : new Uint8Array([0]),
  );
  return payload.length > 256 ? blake2_256(payload) : payload;
}

/** Encodes a bare extrinsic (with its length prefix). */
export function encodeBare(call: Uint8Array): Uint8Array {
  return withLength(concatBytes(new Uint8Array([BARE_V4]), call));
}

/**
 * Encodes a signed extrinsic (with its length prefix). A bare account is
 * `MultiAddress::Id`, bare signature bytes are `MultiSignature::Ed25519`.
 */
export function encodeSigned(
  signer: Uint8Array | MultiAddressValue,
  signature: Uint8Array | MultiSignatureValue,
  extra: Extra,
  call: Uint8Array,
): Uint8Array {
  const address = signer instanceof Uint8Array ? { type: "Id" as const, value: signer } : signer;
  const multi = signature instanceof Uint8Array
    ? { type: "Ed25519" as const, signature }
    : signature;
  const w = new Writer();
  w.u8(SIGNED_V4);
  encodeAddress(w, address);
  w.u8(SIGNATURE_TYPES[multi.type].index);
  w.bytes(multi.signature);
  writeExtra(w, extra);
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
 * Decodes an extrinsic with its length prefix, and looks its address up.
 * The call is returned as bytes.
 *
 * @throws {DecodeError} `Cannot decode extrinsic: <reason>`
 * @throws {AddressLookupError} when the bytes are well formed but the address names no account
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
  let address: MultiAddressValue;
  let signature: MultiSignatureValue;
  let extra: Extra;
  try {
    address = decodeAddress(r);
    const scheme = r.u8();
    const type = signatureTypeOf(scheme);
    if (type === undefined) {
      throw new DecodeError(
        `unknown MultiSignature variant ${scheme} (0 Ed25519, 1 Sr25519, 2 Ecdsa)`,
      );
    }
    signature = { type, signature: r.take(SIGNATURE_TYPES[type].length).slice() };
    extra = readExtra(r);
    if (r.remaining === 0) throw new DecodeError("missing call");
  } catch (e) {
    throw fail((e as Error).message);
  }
  const signer = lookupAddress(address);
  return { kind: "signed", address, signer, signature, extra, call: bytes.subarray(r.pos) };
}

/** The extrinsic hash: blake2-256 of its encoding, length prefix included. */
export function extrinsicHash(bytes: Uint8Array): Uint8Array {
  return blake2_256(bytes);
}

/**
 * Something that signs: a keypair's public key and its `sign`, with the
 * kind of signature it makes (ed25519 unless it says) and its account (its
 * public key unless it says: an ecdsa account is the key's hash).
 */
export interface Signer {
  readonly publicKey: Uint8Array;
  readonly signatureType?: SignatureType;
  readonly account?: Uint8Array;
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
  return encodeSigned(
    signer.account ?? signer.publicKey,
    { type: signer.signatureType ?? "Ed25519", signature },
    extra,
    call,
  );
}
