/**
 * The kinds of `sp_runtime::MultiSignature` and their wire shape, with no
 * dependencies: codecs and worker threads import this, not the verifiers
 * (which load WebAssembly and curve arithmetic).
 *
 * @module
 */

/** The kinds of `MultiSignature`, by Substrate's variant names. */
export type SignatureType = "Ed25519" | "Sr25519" | "Ecdsa";

/** Each kind's SCALE variant index and signature length. */
export const SIGNATURE_TYPES: Readonly<
  Record<SignatureType, { readonly index: number; readonly length: number }>
> = {
  Ed25519: { index: 0, length: 64 },
  Sr25519: { index: 1, length: 64 },
  Ecdsa: { index: 2, length: 65 },
};

/** The kind of a SCALE variant index, if it is one. */
export function signatureTypeOf(index: number): SignatureType | undefined {
  return index === 0 ? "Ed25519" : index === 1 ? "Sr25519" : index === 2 ? "Ecdsa" : undefined;
}

/** A `MultiSignature`: its kind and its bytes. */
export interface MultiSignatureValue {
  type: SignatureType;
  signature: Uint8Array;
}
