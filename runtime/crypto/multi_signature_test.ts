import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { toHexRaw } from "../primitives/hex.ts";
import { blake2_256 } from "../primitives/hashing.ts";
import { ecdsaAccount, ecdsaFromUri, recoverEcdsa, verifyEcdsa } from "./ecdsa.ts";
import { keypairFromUri } from "./keypair.ts";
import { type MultiSignatureValue, verifyMultiPortable } from "./multi_signature.ts";
import { ss58Encode } from "./ss58.ts";
import { sr25519FromUri, verifySr25519 } from "./sr25519.ts";
import { verifyMulti } from "./verify_native.ts";
import vectors from "./testdata/sr25519_ecdsa_keys.json" with { type: "json" };

const message = new TextEncoder().encode("a signing payload");

Deno.test("sr25519 //Alice..//Ferdie are Substrate's (and polkadot.js Apps') dev accounts", () => {
  for (const [uri, { publicKeyHex, ss58_42 }] of Object.entries(vectors.sr25519)) {
    const pair = sr25519FromUri(uri);
    assert.equal(toHexRaw(pair.publicKey), publicKeyHex, uri);
    assert.equal(ss58Encode(pair.publicKey, 42), ss58_42, uri);
  }
  assert.equal(
    toHexRaw(sr25519FromUri("//Alice").publicKey),
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
  );
});

Deno.test("ecdsa //Alice and //Bob are Substrate's dev keys, their accounts the keys' blake2-256", () => {
  for (const [uri, { publicKeyHex }] of Object.entries(vectors.ecdsa)) {
    const pair = ecdsaFromUri(uri);
    assert.equal(toHexRaw(pair.publicKey), publicKeyHex, uri);
    assert.deepEqual(pair.account, blake2_256(pair.publicKey));
  }
});

Deno.test("a forged sr25519 signature, another message or another key does not verify", () => {
  const alice = sr25519FromUri("//Alice");
  const signature = alice.sign(message);
  assert.ok(verifySr25519(signature, message, alice.publicKey));
  for (let bit = 0; bit < 512; bit += 37) {
    const forged = signature.slice();
    forged[bit >> 3] ^= 1 << (bit & 7);
    assert.ok(!verifySr25519(forged, message, alice.publicKey), `bit ${bit}`);
  }
  assert.ok(!verifySr25519(signature, message.subarray(1), alice.publicKey));
  assert.ok(!verifySr25519(signature, message, sr25519FromUri("//Bob").publicKey));
  assert.ok(!verifySr25519(signature.subarray(1), message, alice.publicKey));
  assert.ok(!verifySr25519(new Uint8Array(64), message, new Uint8Array(32)));
});

Deno.test("an ecdsa signature verifies only for the account its recovered key hashes to", () => {
  const alice = ecdsaFromUri("//Alice");
  const signature = alice.sign(message);
  assert.equal(signature.length, 65);
  assert.ok(verifyEcdsa(signature, message, alice.account));
  assert.deepEqual(recoverEcdsa(signature, message), alice.publicKey);
  // The key itself is not the account.
  assert.ok(!verifyEcdsa(signature, message, alice.publicKey.subarray(1)));
  assert.ok(!verifyEcdsa(signature, message, ecdsaFromUri("//Bob").account));
  assert.ok(!verifyEcdsa(signature, message.subarray(1), alice.account));
  // Ethereum's v = 27/28 is the same signature.
  const eth = signature.slice();
  eth[64] += 27;
  assert.ok(verifyEcdsa(eth, message, alice.account));
  // A recovery id above 3 is not.
  const bad = signature.slice();
  bad[64] = 4;
  assert.ok(!verifyEcdsa(bad, message, alice.account));
});

Deno.test("the high-S twin of an ecdsa signature is refused (no malleability)", () => {
  const alice = ecdsaFromUri("//Alice");
  const signature = alice.sign(message);
  const n = secp256k1.Point.Fn.ORDER;
  const s = BigInt("0x" + toHexRaw(signature.subarray(32, 64)));
  const twin = signature.slice();
  twin.set(secp256k1.Point.Fn.toBytes(n - s), 32);
  twin[64] ^= 1; // the twin recovers the same key with the other parity
  assert.ok(!verifyEcdsa(twin, message, alice.account));
  // ...though it is a valid (malleated) signature by the curve's arithmetic alone.
  const sig = secp256k1.Signature.fromBytes(
    new Uint8Array([twin[64], ...twin.subarray(0, 64)]),
    "recovered",
  );
  assert.deepEqual(sig.recoverPublicKey(blake2_256(message)).toBytes(true), alice.publicKey);
});

Deno.test("verifyMulti dispatches by kind: a signature claimed as another kind does not verify", () => {
  const ed = keypairFromUri("//Alice");
  const sr = sr25519FromUri("//Alice");
  const ec = ecdsaFromUri("//Alice");
  const cases: [MultiSignatureValue, Uint8Array][] = [
    [{ type: "Ed25519", signature: ed.sign(message) }, ed.publicKey],
    [{ type: "Sr25519", signature: sr.sign(message) }, sr.publicKey],
    [{ type: "Ecdsa", signature: ec.sign(message) }, ecdsaAccount(ec.publicKey)],
  ];
  for (const verify of [verifyMulti, verifyMultiPortable]) {
    for (const [signature, account] of cases) {
      assert.ok(verify(signature, message, account), signature.type);
      for (const other of ["Ed25519", "Sr25519", "Ecdsa"] as const) {
        if (other === signature.type) continue;
        assert.ok(!verify({ ...signature, type: other }, message, account), other);
      }
    }
  }
});

Deno.test("the portable multi verifier does not pull in node:crypto", async () => {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("multi_signature.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(stdout));
  const specifiers: string[] = info.modules.map((m: { specifier: string }) => m.specifier);
  assert.ok(specifiers.some((s) => s.endsWith("multi_signature.ts")));
  assert.ok(!specifiers.some((s) => s.startsWith("node:")));
});

Deno.test("sr25519 keys that are not Ristretto points and unparsable signatures are refused before the WebAssembly, which would panic", () => {
  const alice = sr25519FromUri("//Alice");
  const signature = alice.sign(message);
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    let refusedKeys = 0;
    for (let i = 0; i < 64; i++) {
      const key = blake2_256(new Uint8Array([i]));
      if (!verifySr25519(signature, message, key)) refusedKeys++;
    }
    assert.equal(refusedKeys, 64);
    const unmarked = signature.slice();
    unmarked[63] &= 0x7f;
    assert.ok(!verifySr25519(unmarked, message, alice.publicKey));
    const bigS = signature.slice();
    bigS.fill(0xff, 32, 63);
    assert.ok(!verifySr25519(bigS, message, alice.publicKey));
  } finally {
    console.error = original;
  }
  // The module's panic hook logs to console.error: nothing reached it.
  assert.deepEqual(errors, []);
  assert.ok(verifySr25519(signature, message, alice.publicKey));
});

Deno.test("verifying an sr25519 signature held in a Node Buffer leaves it as it was", () => {
  // Transactions from the network and vouchers from LevelDB arrive in Buffers,
  // whose slice() is a view: a precheck that cleared the marker bit in one
  // changed the signature, so every sr25519 transaction gossiped to the
  // author was dropped as BadProof.
  const alice = sr25519FromUri("//Alice");
  const signature = alice.sign(message);
  const held = Buffer.concat([Buffer.alloc(7), signature]).subarray(7);
  for (let i = 0; i < 2; i++) {
    assert.ok(verifySr25519(held, message, alice.publicKey), `verification ${i}`);
    assert.ok(verifyMulti({ type: "Sr25519", signature: held }, message, alice.publicKey));
  }
  assert.deepEqual(new Uint8Array(held), signature);
});
