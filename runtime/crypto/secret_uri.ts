/**
 * Secret URIs as Substrate parses them (`sp_core::crypto::SecretUri`):
 *
 * ```text
 * PHRASE[/soft | //hard ...][///password]
 * 0xSEED[/soft | //hard ...][///password]
 * //hard...                                  (the dev phrase is implied)
 * ```
 *
 * The phrase part is `[a-zA-Z0-9 ]+`, a junction is a run of characters other
 * than `/`, and everything after `///` is the password. A junction that parses
 * as a `u64` is that number, otherwise it is the string; its 32-byte chain code
 * is the SCALE encoding zero-padded, or blake2-256 of the encoding when that is
 * longer than 32 bytes.
 *
 * @module
 */
import { str, u64 } from "scale-ts";
import { blake2_256 } from "../primitives/hashing.ts";

/** The phrase of Substrate's dev accounts, used when a URI starts with `/`. */
export const DEV_PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

/** One step of a derivation path. */
export interface DeriveJunction {
  /** `//name` is hard, `/name` is soft. */
  hard: boolean;
  /** The junction as written, without its slashes. */
  code: string;
  /** The 32-byte chain code that derivation consumes. */
  chainCode: Uint8Array;
}

/** A secret URI taken apart. */
export interface SecretUri {
  /** A mnemonic phrase or a `0x` hex seed; the dev phrase when the URI has none. */
  phrase: string;
  /** The derivation path, outermost first. */
  junctions: DeriveJunction[];
  /** The BIP39 password (after `///`), if any. */
  password?: string;
}

// Substrate's SECRET_PHRASE_REGEX and JUNCTION_REGEX, unchanged.
const SECRET_URI = /^([a-zA-Z0-9 ]+)?((?:\/\/?[^/]+)*)(?:\/\/\/(.*))?$/;
const JUNCTION = /\/(\/?[^/]+)/g;
const U64 = /^\+?[0-9]+$/;
const U64_MAX = 2n ** 64n - 1n;
const CHAIN_CODE_LENGTH = 32;

/**
 * Parses a secret URI into phrase, junctions and password.
 *
 * @throws {TypeError} `Cannot parse secret URI: …` when it has neither the shape of a phrase nor of a path
 * @example
 * ```ts
 * import { DEV_PHRASE, parseSecretUri } from "./secret_uri.ts";
 * const { phrase, junctions, password } = parseSecretUri("//Alice///secret");
 * if (phrase !== DEV_PHRASE || junctions[0].code !== "Alice" || password !== "secret") {
 *   throw new Error();
 * }
 * ```
 */
export function parseSecretUri(uri: string): SecretUri {
  const match = SECRET_URI.exec(uri);
  if (match === null) {
    throw new TypeError(
      "Cannot parse secret URI: expected PHRASE or 0xSEED, then //hard or /soft junctions, then ///password",
    );
  }
  const [, phrase, path, password] = match;
  const junctions = [...path.matchAll(JUNCTION)].map((m) => junctionFromText(m[1]));
  const out: SecretUri = { phrase: phrase ?? DEV_PHRASE, junctions };
  if (password !== undefined) out.password = password;
  return out;
}

/**
 * A junction from its text as it follows the first `/`: `"/Alice"` is the hard
 * junction `Alice`, `"0"` the soft junction with number 0.
 */
export function junctionFromText(text: string): DeriveJunction {
  const hard = text.startsWith("/");
  const code = hard ? text.slice(1) : text;
  return { hard, code, chainCode: junctionChainCode(code) };
}

/**
 * The 32-byte chain code of a junction: SCALE of the `u64` it spells, or of the
 * string, zero-padded to 32 bytes, or blake2-256'd when longer.
 *
 * @example
 * ```ts
 * import { junctionChainCode } from "./secret_uri.ts";
 * const cc = junctionChainCode("Alice"); // SCALE("Alice") = 0x14 ++ "Alice"
 * if (cc[0] !== 0x14 || cc[1] !== 0x41 || cc[6] !== 0) throw new Error();
 * ```
 */
export function junctionChainCode(code: string): Uint8Array {
  // Rust's `str::parse::<u64>` takes an optional `+` and refuses overflow.
  const encoded = U64.test(code) && BigInt(code) <= U64_MAX ? u64.enc(BigInt(code)) : str.enc(code);
  if (encoded.length > CHAIN_CODE_LENGTH) return blake2_256(encoded);
  const chainCode = new Uint8Array(CHAIN_CODE_LENGTH);
  chainCode.set(encoded);
  return chainCode;
}
