import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex, toHex, toHexRaw } from "../primitives/hex.ts";
import { ed } from "./_ed25519.ts";
import { keypairFromSeed, keypairFromUri, seedFromUri } from "./keypair.ts";
import { entropyFromPhrase, miniSecretFromEntropy, phraseFromEntropy } from "./mnemonic.ts";
import { DEV_PHRASE } from "./secret_uri.ts";
import { ss58Encode } from "./ss58.ts";
import vectors from "./testdata/substrate_keys.json" with { type: "json" };

Deno.test("the dev phrase's entropy and mini secret match Substrate's", () => {
  assert.equal(DEV_PHRASE, vectors.devPhrase);
  const entropy = entropyFromPhrase(vectors.devPhrase);
  assert.equal(toHexRaw(entropy), vectors.derivation.entropyHex);
  assert.equal(toHexRaw(miniSecretFromEntropy(entropy)), vectors.derivation.miniSecretHex);
  assert.equal(phraseFromEntropy(entropy), vectors.devPhrase);
});

Deno.test("keypairFromUri('//Alice') and '//Bob' give Substrate's seeds, keys and addresses", () => {
  for (const name of ["//Alice", "//Bob"] as const) {
    const expected = vectors.ed25519[name];
    const pair = keypairFromUri(name);
    assert.equal(toHexRaw(pair.seed), expected.seedHex, `${name} seed`);
    assert.equal(toHexRaw(pair.publicKey), expected.publicKeyHex, `${name} public key`);
    assert.equal(ss58Encode(pair.publicKey, 42), expected.ss58_42, `${name} SS58 42`);
  }
  assert.equal(
    ss58Encode(keypairFromUri("//Alice").publicKey, 0),
    vectors.ed25519["//Alice"].ss58_0,
  );
  assert.equal(
    ss58Encode(keypairFromUri("//Charlie").publicKey),
    vectors.ed25519["//Charlie"].ss58_42,
  );
});

Deno.test("a URI with the phrase written out, a 0x mini secret, or derived from a seed agree", () => {
  const alice = vectors.ed25519["//Alice"].seedHex;
  assert.equal(toHexRaw(seedFromUri(`${vectors.devPhrase}//Alice`)), alice);
  assert.equal(toHexRaw(seedFromUri(`0x${vectors.derivation.miniSecretHex}//Alice`)), alice);
  assert.equal(toHexRaw(seedFromUri(`0x${alice}`)), alice);
  assert.equal(toHexRaw(seedFromUri("")), vectors.derivation.miniSecretHex);
  assert.equal(toHexRaw(seedFromUri(vectors.devPhrase)), vectors.derivation.miniSecretHex);
  // Any run of spaces separates words, as in the bip39 crate.
  assert.equal(
    toHexRaw(seedFromUri(vectors.devPhrase.replaceAll(" ", "   ") + "//Alice")),
    alice,
  );
});

Deno.test("a password changes the phrase's key, and is ignored for a 0x seed", () => {
  const plain = seedFromUri("//Alice");
  const withPassword = seedFromUri("//Alice///pass");
  assert.notEqual(toHex(withPassword), toHex(plain));
  assert.equal(toHex(seedFromUri("//Alice///")), toHex(plain)); // empty password: salt "mnemonic"
  const miniWithPassword = miniSecretFromEntropy(entropyFromPhrase(DEV_PHRASE), "pass");
  assert.equal(toHex(seedFromUri(`${DEV_PHRASE}///pass`)), toHex(miniWithPassword));
  const hex = "0x" + vectors.derivation.miniSecretHex;
  assert.equal(toHex(seedFromUri(`${hex}//Alice///pass`)), toHex(plain));
});

Deno.test("number junctions derive from the u64, not the string", () => {
  assert.notEqual(toHex(seedFromUri("//1")), toHex(seedFromUri("//one")));
  assert.equal(toHex(seedFromUri("//1")), toHex(seedFromUri("//+1")));
  assert.equal(toHex(seedFromUri("//01")), toHex(seedFromUri("//1")));
});

Deno.test("bad URIs are refused with clear errors", () => {
  const cases: [string, RegExp][] = [
    ["//Alice/soft", /soft junction \/soft is not possible/],
    ["bottom drive obey//Alice", /Cannot decode phrase: 3 words/],
    [DEV_PHRASE.replace("walk", "wall"), /Cannot decode phrase/],
    ["0x1234//Alice", /0x seed has 2 bytes, expected 32/],
    ["0xzz", /0x seed is not hex/],
    ["not-a-phrase", /Cannot parse secret URI/],
  ];
  for (const [uri, message] of cases) {
    assert.throws(
      () => seedFromUri(uri),
      (e: unknown) => e instanceof TypeError && message.test(e.message),
      uri,
    );
  }
  assert.throws(() => keypairFromSeed(new Uint8Array(31)), TypeError);
});

Deno.test("sign() is RFC 8032 signing, byte for byte as noble's", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ maxLength: 300 }),
      (seed, message) => {
        const pair = keypairFromSeed(seed);
        assert.deepEqual(pair.publicKey, ed.getPublicKey(seed));
        assert.deepEqual(pair.sign(message), ed.sign(message, seed));
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("RFC 8032 §7.1 test 2 signs as specified", () => {
  const pair = keypairFromSeed(
    fromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"),
  );
  assert.equal(
    toHexRaw(pair.publicKey),
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
  );
  assert.equal(
    toHexRaw(pair.sign(Uint8Array.of(0x72))),
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da" +
      "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  );
});
