import assert from "node:assert/strict";
import fc from "fast-check";
import { DecodeError, encode } from "../codec/types.ts";
import { toHexRaw } from "../primitives/hex.ts";
import { ecdsaFromUri } from "./ecdsa.ts";
import { keypairFromUri } from "./keypair.ts";
import { decodeMultiSignature, multiSignatureType } from "./multi_signature_codec.ts";
import { verifyMultiPortable } from "./multi_signature.ts";
import { KEY_SCHEMES, type KeyScheme, parseKeyScheme, signerFromUri, signMulti } from "./signer.ts";
import { sr25519FromUri } from "./sr25519.ts";
import vectors from "./testdata/sr25519_ecdsa_keys.json" with { type: "json" };

const message = new TextEncoder().encode("an off-chain payload");
const SCHEMES: KeyScheme[] = ["ed25519", "sr25519", "ecdsa"];

Deno.test("signerFromUri gives each scheme's account: Substrate's dev keys", () => {
  assert.deepEqual(
    signerFromUri("//Alice", "ed25519").account,
    keypairFromUri("//Alice").publicKey,
  );
  for (const [uri, { publicKeyHex }] of Object.entries(vectors.sr25519)) {
    const signer = signerFromUri(uri, "sr25519");
    assert.equal(toHexRaw(signer.account), publicKeyHex, uri);
    assert.equal(signer.signatureType, "Sr25519");
  }
  for (const [uri, { publicKeyHex }] of Object.entries(vectors.ecdsa)) {
    const signer = signerFromUri(uri, "ecdsa");
    assert.equal(toHexRaw(signer.publicKey), publicKeyHex, uri);
    assert.deepEqual(signer.account, ecdsaFromUri(uri).account);
    assert.equal(signer.signatureType, "Ecdsa");
  }
});

Deno.test("what a signer of any scheme signs verifies for its account, and for no other", () => {
  for (const scheme of SCHEMES) {
    const signer = signerFromUri("//Bob", scheme);
    const signature = signMulti(signer, message);
    assert.equal(signature.type, signer.signatureType);
    assert.ok(verifyMultiPortable(signature, message, signer.account), scheme);
    for (const other of SCHEMES.filter((s) => s !== scheme)) {
      // The same URI in another scheme is another account.
      assert.ok(!verifyMultiPortable(signature, message, signerFromUri("//Bob", other).account));
    }
  }
  // An sr25519 signature sent as ed25519 (same length) does not pass.
  const sr = signMulti(signerFromUri("//Bob", "sr25519"), message);
  assert.ok(
    !verifyMultiPortable({ ...sr, type: "Ed25519" }, message, sr25519FromUri("//Bob").publicKey),
  );
});

Deno.test("parseKeyScheme takes subkey's spellings and names the schemes otherwise", () => {
  assert.equal(parseKeyScheme("Sr25519"), "sr25519");
  assert.equal(parseKeyScheme("ED25519"), "ed25519");
  assert.equal(parseKeyScheme("ecdsa"), "ecdsa");
  assert.throws(() => parseKeyScheme("secp256k1"), /Unknown key scheme "secp256k1": expected/);
  assert.throws(() => parseKeyScheme("toString"), TypeError);
  assert.throws(() => signerFromUri("//Alice/soft", "ed25519"), TypeError);
  assert.throws(() => signerFromUri("//Alice/soft", "ecdsa"), /soft junction/);
  assert.equal(signerFromUri("//Alice/soft", "sr25519").account.length, 32);
});

Deno.test("MultiSignature SCALE: decode(encode(x)) = x, garbage never crashes the decoder", () => {
  const signature = fc.constantFrom(...SCHEMES).chain((scheme) =>
    fc.uint8Array({
      minLength: scheme === "ecdsa" ? 65 : 64,
      maxLength: scheme === "ecdsa" ? 65 : 64,
    }).map((bytes) => ({ type: KEY_SCHEMES[scheme], signature: bytes }))
  );
  fc.assert(fc.property(signature, (value) => {
    assert.deepEqual(decodeMultiSignature(encode(multiSignatureType, value)), value);
  }));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
    try {
      decodeMultiSignature(bytes);
    } catch (e) {
      assert.ok(e instanceof DecodeError, String(e));
    }
  }));
});

Deno.test("a bare 64-byte ed25519 signature (the old format) is refused by name", () => {
  const bare = keypairFromUri("//Alice").sign(message);
  assert.throws(() => decodeMultiSignature(bare), /64 bytes is a bare ed25519 signature/);
  assert.throws(
    () => decodeMultiSignature(new Uint8Array([3, ...bare])),
    /unknown MultiSignature variant 3/,
  );
  assert.throws(() => decodeMultiSignature(new Uint8Array([2, ...bare])), /end of input/);
  assert.throws(
    () => encode(multiSignatureType, { type: "Ecdsa", signature: bare }),
    /an Ecdsa signature is 65 bytes, got 64/,
  );
});
