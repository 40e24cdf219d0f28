import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { base64urlnopad } from "@scure/base";
import { encode } from "../../runtime/codec/types.ts";
import {
  keypairFromUri,
  multiSignatureType,
  signerFromUri,
  type SigningKey,
  ss58Encode,
} from "../../runtime/crypto/mod.ts";
import { authenticate, Forbidden, Unauthenticated } from "./auth.ts";
import {
  decodeToken,
  encodeToken,
  type TokenClaims,
  TokenError,
  tokenMessage,
} from "../../client/relay/token.ts";

const alice = keypairFromUri("//Alice");
const GENESIS = "0x" + "ab".repeat(32);
const NOW = 1_800_000_000;
const claims: TokenClaims = {
  genesis: GENESIS,
  stream: 7,
  account: ss58Encode(alice.publicKey),
  role: "watch",
  aud: "https://relay-a.example",
  exp: NOW + 60,
};
const header = (c: Partial<TokenClaims> = {}, key: SigningKey = alice) =>
  `Bearer ${encodeToken({ ...claims, ...c }, key)}`;
const expected = {
  genesis: GENESIS,
  stream: 7n,
  nowSeconds: NOW,
  audiences: new Set(["https://relay-a.example", "http://127.0.0.1:9944"]),
};

Deno.test("a valid token names its account, role and stream", () => {
  const auth = authenticate(header(), expected);
  assertEquals(auth.account, alice.publicKey);
  assertEquals(auth.role, "watch");
  assertEquals(auth.stream, 7n);
});

Deno.test("a genuine token for another stream is forbidden (403), not unauthenticated", () => {
  throws(
    () => authenticate(header({ stream: 8 }), expected),
    (e: Error) => e instanceof Forbidden && /stream 8, not 7/.test(e.message),
  );
  // Forged for another stream: the signature fails first, a 401.
  throws(
    () => authenticate(header({ stream: 8 }, keypairFromUri("//Bob")), expected),
    (e: Error) => e instanceof Unauthenticated,
  );
});

Deno.test("attack: a relay replays a token it was given to another relay, and is refused", () => {
  // Relay B was sent a token for itself; it tries it on relay A.
  throws(
    () => authenticate(header({ aud: "https://relay-b.example" }), expected),
    (e: Error) => e instanceof Unauthenticated && /relay-b\.example, not this one/.test(e.message),
  );
  // A token naming no audience, or a path instead of an origin, is malformed.
  const { aud: _, ...noAudience } = claims;
  throws(
    () => authenticate(`Bearer ${encodeToken(noAudience as TokenClaims, alice)}`, expected),
    (e: Error) => e instanceof Unauthenticated && /aud must be/.test(e.message),
  );
  throws(
    () => authenticate(header({ aud: "https://relay-a.example/whep/7" }), expected),
    (e: Error) => e instanceof Unauthenticated && /aud must be/.test(e.message),
  );
  assertEquals(authenticate(header({ aud: "http://127.0.0.1:9944" }), expected).stream, 7n);
});

Deno.test("attack: a token living longer than its role allows is refused, however genuine", () => {
  // A leaked watch token valid for a day would let anyone start sessions for a day.
  const day = header({ exp: NOW + 86_400 });
  throws(
    () => authenticate(day, expected),
    (e: Error) => e instanceof Unauthenticated && /at most 600 s/.test(e.message),
  );
  // A publish token may live a day, and no more.
  const publish = (exp: number) => header({ role: "publish", exp });
  assertEquals(authenticate(publish(NOW + 86_400), expected).role, "publish");
  throws(() => authenticate(publish(NOW + 86_401), expected), Unauthenticated);
  // The chain spec may say otherwise.
  const longer = { ...expected, maxTokenSeconds: { watch: 86_400, publish: 86_400, relay: 600 } };
  assertEquals(authenticate(day, longer).role, "watch");
});

Deno.test("tokens for another chain or time, or signed by another key, are refused", () => {
  const bob = keypairFromUri("//Bob");
  const cases: [string | undefined, RegExp][] = [
    [undefined, /Bearer token is required/],
    ["Basic abc", /Bearer token is required/],
    [header({ genesis: "0x" + "cd".repeat(32) }), /another chain/],
    [header({ exp: NOW }), /expired/],
    [header({}, bob), /does not verify/],
    [header({ account: "not-an-address" }), /not an SS58/],
    ["Bearer abc", /payload>.<signature/],
  ];
  for (const [value, message] of cases) {
    throws(() => authenticate(value, expected), (e: Error) => {
      return e instanceof Unauthenticated && message.test(e.message);
    }, String(value));
  }
});

Deno.test("decodeToken names what is malformed", () => {
  const [payload, signature] = encodeToken(claims, alice).split(".");
  const bad = (part: string) =>
    btoa(part).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const cases: [string, RegExp][] = [
    [`${payload}.${signature}.x`, /payload>.<signature/],
    [`${payload}.${signature.slice(0, 20)}`, /no MultiSignature: Cannot decode MultiSignature/],
    [`${bad("not json")}.${signature}`, /UTF-8 JSON/],
    [`${bad(JSON.stringify({ ...claims, role: "admin" }))}.${signature}`, /role must be/],
    [`${bad(JSON.stringify({ ...claims, stream: -1 }))}.${signature}`, /stream must be/],
    [`${bad(JSON.stringify({ ...claims, genesis: "0x12" }))}.${signature}`, /genesis must be/],
  ];
  for (const [token, message] of cases) {
    throws(
      () => decodeToken(token),
      (e: Error) => e instanceof TokenError && message.test(e.message),
    );
  }
});

Deno.test("a token from an sr25519 or an ecdsa account authenticates as that account", () => {
  for (const scheme of ["sr25519", "ecdsa"] as const) {
    const key = signerFromUri("//Alice", scheme);
    const auth = authenticate(header({ account: ss58Encode(key.account) }, key), expected);
    assertEquals(auth.account, key.account, scheme);
  }
});

Deno.test("attack: a token signed by the account's URI in another scheme, relabelled or forged is refused", () => {
  const sr = signerFromUri("//Alice", "sr25519");
  const srClaims = { account: ss58Encode(sr.account) };
  const refused = (value: string, message: RegExp) =>
    throws(
      () => authenticate(value, expected),
      (e: Error) => e instanceof Unauthenticated && message.test(e.message),
    );
  // //Alice's ed25519 and ecdsa keys are other accounts.
  refused(header(srClaims, alice), /does not verify/);
  refused(header(srClaims, signerFromUri("//Alice", "ecdsa")), /does not verify/);
  // The sr25519 signature relabelled as ed25519, and one bit of it flipped.
  const [payload, part] = header(srClaims, sr).slice("Bearer ".length).split(".");
  const signature = base64urlnopad.decode(part);
  const resigned = (bytes: Uint8Array) => `Bearer ${payload}.${base64urlnopad.encode(bytes)}`;
  refused(resigned(new Uint8Array([0, ...signature.subarray(1)])), /does not verify/);
  const forged = signature.slice();
  forged[9] ^= 1;
  refused(resigned(forged), /does not verify/);
  authenticate(resigned(signature), expected);
});

Deno.test("a token of an older client, with a bare ed25519 signature, is refused saying so", () => {
  const [payload] = header().slice("Bearer ".length).split(".");
  const bare = alice.sign(tokenMessage(base64urlnopad.decode(payload)));
  throws(
    () => authenticate(`Bearer ${payload}.${base64urlnopad.encode(bare)}`, expected),
    (e: Error) =>
      e instanceof Unauthenticated && /64 bytes is a bare ed25519 signature/.test(e.message),
  );
  // The same signature as a MultiSignature is accepted.
  const multi = encode(multiSignatureType, { type: "Ed25519", signature: bare });
  assertEquals(
    authenticate(`Bearer ${payload}.${base64urlnopad.encode(multi)}`, expected).account,
    alice.publicKey,
  );
});
