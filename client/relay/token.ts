/**
 * Relay bearer tokens: who is asking to publish, watch or pull a stream.
 *
 * A token is `base64url(payload) "." base64url(signature)`, sent as
 * `Authorization: Bearer <token>`. The payload is UTF-8 JSON
 * `{"genesis": "0x…", "stream": 7, "account": "<SS58>", "role": "watch", "aud": "https://relay.example", "exp": 1700000000}`
 * and the signature is the SCALE `MultiSignature` by `account`'s key, of
 * whichever kind the account signs with (ed25519, sr25519, or ecdsa, whose
 * key is recovered from the signature and must hash to the account), over
 * `utf8("sutantra-auth:") ++ payload`, so it can never pass for a
 * transaction, voucher or receipt signature of the same key. A token of an
 * older client, whose signature part is a bare 64-byte ed25519 signature,
 * is refused, saying so.
 *
 * Pure and free of native crypto: the browser, the CLI and the relay build
 * and read tokens with this one module; the relay checks the signature.
 *
 * @example
 * ```ts
 * import { signerFromUri } from "../../runtime/crypto/signer.ts";
 * import { ss58Encode } from "../../runtime/crypto/ss58.ts";
 * import { decodeToken, encodeToken } from "./token.ts";
 * const alice = signerFromUri("//Alice", "sr25519");
 * const token = encodeToken({
 *   genesis: "0x" + "00".repeat(32), stream: 7, account: ss58Encode(alice.account),
 *   role: "watch", aud: "http://127.0.0.1:9944", exp: 2_000_000_000,
 * }, alice);
 * const { claims, signature } = decodeToken(token);
 * if (claims.stream !== 7 || signature.type !== "Sr25519") throw new Error();
 * ```
 *
 * @module
 */
import { base64urlnopad } from "@scure/base";
import { encode } from "../../runtime/codec/types.ts";
import {
  decodeMultiSignature,
  multiSignatureType,
} from "../../runtime/crypto/multi_signature_codec.ts";
import type { MultiSignatureValue } from "../../runtime/crypto/signature_types.ts";
import { accountOf, type SigningKey, signMulti } from "../../runtime/crypto/signer.ts";
import { ss58Encode } from "../../runtime/crypto/ss58.ts";
import { concatBytes, utf8 } from "../../runtime/primitives/bytes.ts";

/** The domain separator signed before every token payload. */
export const TOKEN_CONTEXT = "sutantra-auth:";

/**
 * What a token may do: publish a stream (its creator), watch it (a viewer),
 * or pull it for relaying (a registered relay, node to node).
 */
export type TokenRole = "publish" | "watch" | "relay";

/** A token's payload. */
export interface TokenClaims {
  /** The chain's genesis hash, `0x`-hex: a token for one chain is no good on another. */
  genesis: string;
  /** The stream id. */
  stream: number;
  /** The signer's SS58 address. */
  account: string;
  role: TokenRole;
  /**
   * The audience: the origin (`scheme://host[:port]`) of the relay the token
   * is for. Another relay refuses it, so one a relay was given cannot be
   * replayed to a second one.
   */
  aud: string;
  /** Expiry, in Unix seconds. */
  exp: number;
}

/** A token taken apart: its claims, the exact payload bytes, and the signature. */
export interface DecodedToken {
  claims: TokenClaims;
  payload: Uint8Array;
  signature: MultiSignatureValue;
}

/** Why a token could not be read. */
export class TokenError extends Error {
  override name = "TokenError";
}

const CONTEXT_BYTES = utf8(TOKEN_CONTEXT);
const ROLES: readonly TokenRole[] = ["publish", "watch", "relay"];

/** The bytes a token's signature covers: `utf8("sutantra-auth:") ++ payload`. */
export function tokenMessage(payload: Uint8Array): Uint8Array {
  return concatBytes(CONTEXT_BYTES, payload);
}

/** A token for `claims`, signed by `key` (the key of `claims.account`). */
export function encodeToken(claims: TokenClaims, key: SigningKey): string {
  const payload = utf8(JSON.stringify(claims));
  const signature = encode(multiSignatureType, signMulti(key, tokenMessage(payload)));
  return `${base64urlnopad.encode(payload)}.${base64urlnopad.encode(signature)}`;
}

/**
 * The longest a token of each role may live, in seconds, unless the chain
 * spec says otherwise (`relay.maxTokenSeconds`): a watch or pull token 10
 * minutes, a publish token (pasted into OBS) a day. A token is checked when
 * a session starts; the session may outlive it while its vouchers pay.
 */
export const MAX_TOKEN_SECONDS: Readonly<Record<TokenRole, number>> = {
  watch: 600,
  relay: 600,
  publish: 86_400,
};

/** What a key signs a token for. */
export interface TokenGrant {
  genesis: string;
  stream: number | bigint;
  role: TokenRole;
  /** The URL of the relay the token is for (any URL on it: only its origin is kept). */
  audience: string;
  /** Seconds from now until the token expires; the role's longest by default. */
  lifetimeSeconds?: number;
  /** The key's account as SS58, when it is to be in another format than the default. */
  account?: string;
}

/** A token for `grant`, signed by `key` for its account. */
export function issueToken(key: SigningKey, grant: TokenGrant): string {
  return encodeToken({
    genesis: grant.genesis,
    stream: Number(grant.stream),
    account: grant.account ?? ss58Encode(accountOf(key)),
    role: grant.role,
    aud: audienceOf(grant.audience),
    exp: Math.floor(Date.now() / 1000) + (grant.lifetimeSeconds ?? MAX_TOKEN_SECONDS[grant.role]),
  }, key);
}

/**
 * Reads a token (without the `Bearer ` prefix), checking its shape but not
 * its signature or expiry.
 *
 * @throws {TokenError} naming what is malformed
 */
export function decodeToken(token: string): DecodedToken {
  const parts = token.split(".");
  if (parts.length !== 2) throw new TokenError("a token is <payload>.<signature>");
  let payload: Uint8Array;
  let signatureBytes: Uint8Array;
  try {
    payload = base64urlnopad.decode(parts[0].replace(/=+$/, ""));
    signatureBytes = base64urlnopad.decode(parts[1].replace(/=+$/, ""));
  } catch {
    throw new TokenError("token parts are not base64url");
  }
  let signature: MultiSignatureValue;
  try {
    signature = decodeMultiSignature(signatureBytes);
  } catch (e) {
    throw new TokenError(`the signature is no MultiSignature: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    throw new TokenError("the payload is not UTF-8 JSON");
  }
  return { claims: checkClaims(json), payload, signature };
}

/**
 * The audience a token for the relay at `url` names: the URL's origin.
 *
 * @throws {TokenError} when `url` is not an http(s) URL
 */
export function audienceOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TokenError(`the audience is not a URL: ${url}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TokenError(`the audience is not an http(s) URL: ${url}`);
  }
  return parsed.origin;
}

/** The bearer token of an `Authorization` header value, or undefined. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

function checkClaims(json: unknown): TokenClaims {
  if (typeof json !== "object" || json === null) {
    throw new TokenError("the payload is not an object");
  }
  const c = json as Record<string, unknown>;
  if (typeof c.genesis !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(c.genesis)) {
    throw new TokenError("genesis must be a 0x-prefixed 32-byte hex hash");
  }
  if (!Number.isSafeInteger(c.stream) || (c.stream as number) < 0) {
    throw new TokenError("stream must be a non-negative integer");
  }
  if (typeof c.account !== "string") throw new TokenError("account must be an SS58 address");
  if (!ROLES.includes(c.role as TokenRole)) {
    throw new TokenError(`role must be one of ${ROLES.join(", ")}`);
  }
  if (typeof c.aud !== "string" || audienceOf(c.aud) !== c.aud) {
    throw new TokenError("aud must be the origin of the relay the token is for");
  }
  if (!Number.isSafeInteger(c.exp)) throw new TokenError("exp must be Unix seconds");
  return {
    genesis: c.genesis.toLowerCase(),
    stream: c.stream as number,
    account: c.account,
    role: c.role as TokenRole,
    aud: c.aud,
    exp: c.exp as number,
  };
}
