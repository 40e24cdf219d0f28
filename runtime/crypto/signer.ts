/**
 * THE way from a secret URI to a key that signs for an account, in any of
 * the three schemes an account may use. The CLI's `--scheme`, the web app's
 * wallet and the node's own account key all go through
 * {@link signerFromUri}, and everything an account signs, on chain or off
 * (extrinsics, vouchers, QoS receipts, relay tokens), is a `MultiSignature`
 * made by {@link signMulti}.
 *
 * Schemes are spelled as `subkey --scheme` spells them, in any case
 * (`Sr25519`, `sr25519`). A URI means different accounts in different
 * schemes: `//Alice` in ed25519 (the dev validator) is not `//Alice` in
 * sr25519 (polkadot.js Apps' default) nor in ecdsa.
 *
 * Portable: no native crypto, so the browser imports it.
 *
 * @module
 */
import { ecdsaFromUri } from "./ecdsa.ts";
import { keypairFromUri } from "./keypair.ts";
import type { MultiSignatureValue, SignatureType } from "./signature_types.ts";
import { sr25519FromUri } from "./sr25519.ts";

/** The key schemes an account may sign with, as `subkey --scheme` names them (lower case). */
export type KeyScheme = "ed25519" | "sr25519" | "ecdsa";

/** Every key scheme, with the `MultiSignature` kind each signs with. */
export const KEY_SCHEMES: Readonly<Record<KeyScheme, SignatureType>> = {
  ed25519: "Ed25519",
  sr25519: "Sr25519",
  ecdsa: "Ecdsa",
};

/**
 * Anything that signs for an account, in the shape of an extrinsic
 * `Signer`: it makes ed25519 signatures unless it says otherwise, and its
 * account is its public key unless it says otherwise (an ecdsa account is
 * the key's hash). An ed25519 `Keypair` is one, and so is every
 * {@link AccountSigner}.
 */
export interface SigningKey {
  /** The public key: 32 bytes (ed25519, sr25519) or 33, compressed (ecdsa). */
  readonly publicKey: Uint8Array;
  /** The kind of signature {@link sign} makes; `Ed25519` when unset. */
  readonly signatureType?: SignatureType;
  /** The 32-byte AccountId32 it signs for; the public key when unset. */
  readonly account?: Uint8Array;
  /** The raw signature of `message`. */
  sign(message: Uint8Array): Uint8Array;
}

/** A key that signs for an account, with its scheme, kind and account spelled out. */
export interface AccountSigner extends SigningKey {
  readonly scheme: KeyScheme;
  readonly signatureType: SignatureType;
  readonly account: Uint8Array;
}

/**
 * A scheme's name in any case (`Sr25519` as subkey's `--scheme` takes it).
 *
 * @throws {TypeError} naming the schemes there are
 * @example
 * ```ts
 * import { parseKeyScheme } from "./signer.ts";
 * if (parseKeyScheme("Sr25519") !== "sr25519") throw new Error();
 * ```
 */
export function parseKeyScheme(text: string): KeyScheme {
  const scheme = text.toLowerCase();
  if (Object.hasOwn(KEY_SCHEMES, scheme)) return scheme as KeyScheme;
  throw new TypeError(
    `Unknown key scheme "${text}": expected ${Object.keys(KEY_SCHEMES).join(", ")}`,
  );
}

/**
 * The signer of secret `uri` in `scheme`, derived as Substrate derives
 * keys of that scheme (so it is the same account as in `subkey inspect
 * --scheme <scheme>` and polkadot.js).
 *
 * @throws {TypeError} on a malformed URI, an invalid phrase or seed, or a
 * soft junction in a scheme without soft derivation (ed25519, ecdsa)
 * @example
 * ```ts
 * import { signerFromUri } from "./signer.ts";
 * import { toHex } from "../primitives/hex.ts";
 * const alice = signerFromUri("//Alice", "sr25519");
 * if (!toHex(alice.account).startsWith("0xd43593c7")) throw new Error();
 * if (signerFromUri("//Alice", "ecdsa").account.length !== 32) throw new Error();
 * ```
 */
export function signerFromUri(uri: string, scheme: KeyScheme): AccountSigner {
  switch (scheme) {
    case "ed25519": {
      const pair = keypairFromUri(uri);
      return {
        scheme,
        signatureType: "Ed25519",
        publicKey: pair.publicKey,
        account: pair.publicKey,
        sign: (message) => pair.sign(message),
      };
    }
    case "sr25519": {
      const pair = sr25519FromUri(uri);
      return { scheme, ...pair, account: pair.publicKey };
    }
    case "ecdsa":
      return { scheme, ...ecdsaFromUri(uri) };
    default:
      throw new TypeError(`Unknown key scheme "${scheme}"`);
  }
}

/**
 * `key`'s `MultiSignature` of `message`.
 *
 * @example
 * ```ts
 * import { keypairFromUri } from "./keypair.ts";
 * import { signerFromUri, signMulti } from "./signer.ts";
 * const message = new Uint8Array([1]);
 * if (signMulti(keypairFromUri("//Bob"), message).type !== "Ed25519") throw new Error();
 * if (signMulti(signerFromUri("//Bob", "ecdsa"), message).signature.length !== 65) throw new Error();
 * ```
 */
export function signMulti(key: SigningKey, message: Uint8Array): MultiSignatureValue {
  return { type: key.signatureType ?? "Ed25519", signature: key.sign(message) };
}

/** The AccountId32 `key` signs for. */
export function accountOf(key: SigningKey): Uint8Array {
  return key.account ?? key.publicKey;
}
