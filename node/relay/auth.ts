/**
 * Checking a relay request's bearer token: well formed, signed by its
 * account, for this chain and this relay (its audience), not expired and
 * not living longer than its role allows (else 401), and for this stream
 * (else 403). Whether the account may do what it asks (publish, watch,
 * pull) is the chain's to say, after.
 *
 * @module
 */
import { ss58Decode, verifyMulti } from "../../runtime/crypto/mod.ts";
import {
  bearerToken,
  decodeToken,
  MAX_TOKEN_SECONDS,
  TokenError,
  tokenMessage,
  type TokenRole,
} from "../../client/relay/token.ts";

/** Who a valid token speaks for. */
export interface Authenticated {
  /** The account (AccountId32) that signed it, with a key of any kind. */
  account: Uint8Array;
  role: TokenRole;
  stream: bigint;
}

/** A request without a valid token (HTTP 401, RFC 6750 `invalid_token`). */
export class Unauthenticated extends Error {
  override name = "Unauthenticated";
}

/**
 * A valid token that does not cover the request: signed, current and for
 * this chain, but for another stream (HTTP 403, RFC 6750 `insufficient_scope`).
 */
export class Forbidden extends Error {
  override name = "Forbidden";
}

/**
 * The account behind an `Authorization` header for `stream` on the chain
 * with `genesis` (`0x`-hex, lower case) at `nowSeconds`.
 *
 * @throws {Unauthenticated} naming what is missing or wrong
 * @throws {Forbidden} for a valid token of another stream
 */
export function authenticate(
  header: string | null | undefined,
  expected: {
    genesis: string;
    stream: bigint;
    nowSeconds: number;
    /** This relay's origins: a token naming another audience is refused. */
    audiences: ReadonlySet<string>;
    /** The longest a token of each role may still live (default {@link MAX_TOKEN_SECONDS}). */
    maxTokenSeconds?: Readonly<Record<TokenRole, number>>;
  },
): Authenticated {
  const token = bearerToken(header);
  if (!token) throw new Unauthenticated("an Authorization: Bearer token is required");
  let decoded;
  try {
    decoded = decodeToken(token);
  } catch (e) {
    throw new Unauthenticated(e instanceof TokenError ? e.message : "malformed token");
  }
  const { claims, payload, signature } = decoded;
  if (claims.genesis !== expected.genesis) {
    throw new Unauthenticated("the token is for another chain");
  }
  if (!expected.audiences.has(claims.aud)) {
    throw new Unauthenticated(`the token is for the relay at ${claims.aud}, not this one`);
  }
  if (claims.exp <= expected.nowSeconds) throw new Unauthenticated("the token has expired");
  // A leaked long-lived token would be a standing key to the stream: refuse it.
  const longest = (expected.maxTokenSeconds ?? MAX_TOKEN_SECONDS)[claims.role];
  if (claims.exp - expected.nowSeconds > longest) {
    throw new Unauthenticated(
      `the token lives ${claims.exp - expected.nowSeconds} s more; a ${claims.role} token ` +
        `may live at most ${longest} s`,
    );
  }
  let account: Uint8Array;
  try {
    account = ss58Decode(claims.account).publicKey;
  } catch {
    throw new Unauthenticated("the token's account is not an SS58 address");
  }
  if (!verifyMulti(signature, tokenMessage(payload), account)) {
    throw new Unauthenticated("the token's signature does not verify");
  }
  // A genuine token, but it grants nothing on this stream.
  if (BigInt(claims.stream) !== expected.stream) {
    throw new Forbidden(`the token is for stream ${claims.stream}, not ${expected.stream}`);
  }
  return { account, role: claims.role, stream: expected.stream };
}
