/**
 * BIP39 phrases and Substrate's "mini secret".
 *
 * Substrate does not use the BIP39 seed (PBKDF2 over the phrase text). It runs
 * PBKDF2-HMAC-SHA512 over the phrase's *entropy* with salt `"mnemonic" ++
 * password` and 2048 rounds, and keeps the first 32 bytes
 * (`substrate-bip39::mini_secret_from_entropy`); for ed25519 that is the seed.
 *
 * @module
 */
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { entropyToMnemonic, mnemonicToEntropy } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { utf8 } from "../primitives/bytes.ts";

/** Word counts a phrase may have, with their entropy lengths in bytes (words × 4 / 3). */
export const PHRASE_WORD_COUNTS: readonly number[] = [12, 15, 18, 21, 24];

/**
 * The entropy of an English BIP39 phrase. Words are separated by any run of
 * whitespace, as the `bip39` crate that Substrate uses splits them.
 *
 * @throws {TypeError} `Cannot decode phrase: …` on an unknown word, a wrong word count or a bad checksum
 */
export function entropyFromPhrase(phrase: string): Uint8Array {
  const words = phrase.trim().split(/\s+/);
  if (!PHRASE_WORD_COUNTS.includes(words.length)) {
    throw new TypeError(
      `Cannot decode phrase: ${words.length} words, expected ${PHRASE_WORD_COUNTS.join(", ")}`,
    );
  }
  try {
    return mnemonicToEntropy(words.join(" "), wordlist);
  } catch (error) {
    throw new TypeError(`Cannot decode phrase: ${(error as Error).message}`);
  }
}

/**
 * The English BIP39 phrase of 16, 20, 24, 28 or 32 bytes of entropy.
 *
 * @throws {RangeError} when the entropy has another length
 */
export function phraseFromEntropy(entropy: Uint8Array): string {
  if (![16, 20, 24, 28, 32].includes(entropy.length)) {
    throw new RangeError(
      `Cannot encode phrase: entropy has ${entropy.length} bytes, expected 16, 20, 24, 28 or 32`,
    );
  }
  return entropyToMnemonic(entropy, wordlist);
}

/**
 * Substrate's mini secret of a phrase's entropy: the first 32 bytes of
 * PBKDF2-HMAC-SHA512(entropy, "mnemonic" ++ password, 2048 rounds).
 *
 * @example
 * ```ts
 * import { entropyFromPhrase, miniSecretFromEntropy } from "./mnemonic.ts";
 * import { toHex } from "../primitives/hex.ts";
 * const entropy = entropyFromPhrase(
 *   "bottom drive obey lake curtain smoke basket hold race lonely fit walk",
 * );
 * if (!toHex(miniSecretFromEntropy(entropy)).startsWith("0xfac7959d")) throw new Error();
 * ```
 */
export function miniSecretFromEntropy(entropy: Uint8Array, password = ""): Uint8Array {
  return pbkdf2(sha512, entropy, utf8("mnemonic" + password), { c: 2048, dkLen: 64 }).slice(0, 32);
}
