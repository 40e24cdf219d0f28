/**
 * SCALE of `sp_runtime::MultiSignature` as a codec type, for what carries
 * one off chain and into calls: vouchers (`Access.claim`), QoS receipts
 * (`QosRewards.submitReport`), relay tokens, and the relay's books of them.
 *
 * ```
 * 0x00 ++ [u8; 64]   Ed25519
 * 0x01 ++ [u8; 64]   Sr25519
 * 0x02 ++ [u8; 65]   Ecdsa (r ‖ s ‖ v, recoverable: the key is not sent)
 * ```
 *
 * Before these carried a `MultiSignature` they carried a bare 64-byte
 * ed25519 signature; {@link decodeMultiSignature} names that format when it
 * meets it rather than misreading its first byte as a variant.
 *
 * @module
 */
import { decode, DecodeError, type Type } from "../codec/types.ts";
import {
  type MultiSignatureValue,
  SIGNATURE_TYPES,
  type SignatureType,
  signatureTypeOf,
} from "./signature_types.ts";

const KINDS = Object.keys(SIGNATURE_TYPES) as SignatureType[];

/**
 * The codec of a `MultiSignature`; encoding refuses a signature of the
 * wrong length for its kind.
 *
 * @example
 * ```ts
 * import { decode, encode } from "../codec/types.ts";
 * import { multiSignatureType } from "./multi_signature_codec.ts";
 * const bytes = encode(multiSignatureType, { type: "Sr25519", signature: new Uint8Array(64) });
 * if (bytes.length !== 65 || bytes[0] !== 1) throw new Error();
 * if (decode(multiSignatureType, bytes).type !== "Sr25519") throw new Error();
 * ```
 */
export const multiSignatureType: Type<MultiSignatureValue> = {
  desc: {
    kind: "enum",
    name: "MultiSignature",
    variants: KINDS.map((kind) => ({
      name: kind,
      index: SIGNATURE_TYPES[kind].index,
      type: { kind: "array", length: SIGNATURE_TYPES[kind].length },
    })),
  },
  encodeTo(w, { type, signature }) {
    const shape = SIGNATURE_TYPES[type];
    if (!shape) throw new RangeError(`Cannot encode MultiSignature: unknown kind ${type}`);
    if (signature.length !== shape.length) {
      throw new RangeError(
        `Cannot encode MultiSignature: an ${type} signature is ${shape.length} bytes, got ${signature.length}`,
      );
    }
    w.u8(shape.index);
    w.bytes(signature);
  },
  decodeFrom(r) {
    const index = r.u8();
    const type = signatureTypeOf(index);
    if (type === undefined) {
      throw new DecodeError(
        `unknown MultiSignature variant ${index} (0 Ed25519, 1 Sr25519, 2 Ecdsa)`,
      );
    }
    return { type, signature: r.take(SIGNATURE_TYPES[type].length).slice() };
  },
};

/**
 * The `MultiSignature` that is the whole of `bytes`.
 *
 * @throws {DecodeError} `Cannot decode MultiSignature: <reason>`, which for
 * 64 bytes says that a bare ed25519 signature is no longer taken
 */
export function decodeMultiSignature(bytes: Uint8Array): MultiSignatureValue {
  if (bytes.length === SIGNATURE_TYPES.Ed25519.length) {
    throw new DecodeError(
      "Cannot decode MultiSignature: 64 bytes is a bare ed25519 signature, the format of " +
        "clients from before MultiSignature; send the SCALE MultiSignature (0x00 ++ the 64 " +
        "bytes for ed25519, 0x01 ++ 64 for sr25519, 0x02 ++ 65 for ecdsa)",
    );
  }
  return decode(multiSignatureType, bytes, "MultiSignature");
}
