/**
 * Keys and signatures: keypairs of every scheme (ed25519, sr25519, ecdsa)
 * from Substrate-style secret URIs and THE signer of an account
 * (`signer.ts`), SS58 addresses, THE ed25519 signature rule with its two
 * verifiers, and `MultiSignature` verification and SCALE.
 *
 * Signature validity is consensus-critical; `signature_rule.ts` states the
 * rule. The node verifies with {@link verifyNative}; code that must run
 * without native crypto (browser, light client) imports
 * `runtime/crypto/verify_portable.ts` directly rather than this module, which
 * also pulls in `node:crypto`.
 *
 * @module
 */
export { DEFAULT_SS58_PREFIX, ss58Decode, ss58Encode } from "./ss58.ts";
export type { Ss58Address } from "./ss58.ts";
export { DEV_PHRASE, junctionChainCode, junctionFromText, parseSecretUri } from "./secret_uri.ts";
export type { DeriveJunction, SecretUri } from "./secret_uri.ts";
export {
  entropyFromPhrase,
  miniSecretFromEntropy,
  PHRASE_WORD_COUNTS,
  phraseFromEntropy,
} from "./mnemonic.ts";
export { deriveHardSeed, deriveSeed } from "./hdkd.ts";
export { keypairFromSeed, keypairFromUri, seedFromUri } from "./keypair.ts";
export type { Keypair } from "./keypair.ts";
export { passesSignaturePrechecks } from "./signature_rule.ts";
export type { SignatureVerifier } from "./signature_rule.ts";
export { verifyPortable } from "./verify_portable.ts";
export { verifyMulti, verifyNative } from "./verify_native.ts";
export {
  multiVerifier,
  SIGNATURE_TYPES,
  signatureTypeOf,
  verifyMultiPortable,
} from "./multi_signature.ts";
export type { MultiSignatureValue, MultiVerifier, SignatureType } from "./multi_signature.ts";
export { sr25519FromUri, verifySr25519 } from "./sr25519.ts";
export type { Sr25519Keypair } from "./sr25519.ts";
export { ecdsaAccount, ecdsaFromUri, recoverEcdsa, verifyEcdsa } from "./ecdsa.ts";
export type { EcdsaKeypair } from "./ecdsa.ts";
export { decodeMultiSignature, multiSignatureType } from "./multi_signature_codec.ts";
export { accountOf, KEY_SCHEMES, parseKeyScheme, signerFromUri, signMulti } from "./signer.ts";
export type { AccountSigner, KeyScheme, SigningKey } from "./signer.ts";
