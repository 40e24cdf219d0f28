import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createPublicKey, verify } from "node:crypto";
import fc from "fast-check";
import { fromHex } from "../primitives/hex.ts";
import { bytesToNumberLE, GROUP_ORDER, numberToBytes32LE } from "./_ed25519.ts";
import { keypairFromSeed, keypairFromUri } from "./keypair.ts";
import { isSmallOrderEncoding, passesSignaturePrechecks } from "./signature_rule.ts";
import { verifyNative } from "./verify_native.ts";
import { verifyPortable } from "./verify_portable.ts";
import speccheck from "./testdata/speccheck_cases.json" with { type: "json" };
import { edgeCases, SMALL_ORDER } from "./testdata/edge_cases.ts";

const CORPUS = edgeCases();
const utf8 = (s: string) => new TextEncoder().encode(s);

/** node:crypto with no prechecks: what the host alone decides. */
function rawNative(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const der = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), publicKey]);
  return verify(
    null,
    message,
    createPublicKey({ key: der, format: "der", type: "spki" }),
    signature,
  );
}

Deno.test("ordinary signatures verify on both paths, and fail for another message or key", () => {
  const alice = keypairFromUri("//Alice");
  const bob = keypairFromUri("//Bob");
  for (let i = 0; i < 20; i++) {
    const message = utf8(`transfer ${i}`);
    const signature = alice.sign(message);
    for (const verifier of [verifyNative, verifyPortable]) {
      assert.ok(verifier(signature, message, alice.publicKey));
      assert.ok(!verifier(signature, utf8(`transfer ${i + 1}`), alice.publicKey));
      assert.ok(!verifier(signature, message, bob.publicKey));
    }
  }
  assert.ok(verifyNative(alice.sign(new Uint8Array()), new Uint8Array(), alice.publicKey));
  assert.ok(verifyPortable(alice.sign(new Uint8Array()), new Uint8Array(), alice.publicKey));
});

Deno.test("speccheck vectors (Taming the Many EdDSAs) get the rule's verdict on both paths", () => {
  assert.equal(speccheck.cases.length, 10);
  for (const [i, c] of speccheck.cases.entries()) {
    const args = [fromHex(c.signature), fromHex(c.message), fromHex(c.pub_key)] as const;
    assert.equal(verifyNative(...args), c.expected, `case ${i} native (${c.why})`);
    assert.equal(verifyPortable(...args), c.expected, `case ${i} portable (${c.why})`);
  }
});

Deno.test("native and portable agree on every constructed edge case", () => {
  const verdicts = new Map<string, { accepted: number; rejected: number }>();
  for (const c of CORPUS) {
    const native = verifyNative(c.signature, c.message, c.publicKey);
    const portable = verifyPortable(c.signature, c.message, c.publicKey);
    assert.equal(native, portable, `${c.kind}: native ${native}, portable ${portable}`);
    const v = verdicts.get(c.kind) ?? { accepted: 0, rejected: 0 };
    v[native ? "accepted" : "rejected"]++;
    verdicts.set(c.kind, v);
  }
  // The corpus exercises the rule in both directions where it should.
  assert.deepEqual(verdicts.get("small or non-canonical A and R, S = 0")?.accepted, 0);
  assert.ok(verdicts.get("mixed-order A and R")!.accepted > 0, "cofactorless-valid mixed cases");
  assert.ok(verdicts.get("mixed-order A and R")!.rejected > 0, "cofactored-only mixed cases");
  assert.equal(verdicts.get("non-canonical R")!.accepted, 0);
  assert.deepEqual(verdicts.get("ordinary"), { accepted: 24, rejected: 0 });
  assert.equal(verdicts.get("S + nℓ")!.accepted, 0);
});

Deno.test("the host's native verifier differs from the rule only on small-order keys", () => {
  // Guards the premise of the rule: if a Deno upgrade changes what node:crypto
  // accepts, this fails before the two paths can drift apart.
  let smallOrderAccepted = 0;
  for (const c of CORPUS) {
    const raw = rawNative(c.signature, c.message, c.publicKey);
    const rule = verifyNative(c.signature, c.message, c.publicKey);
    if (raw === rule) continue;
    assert.ok(raw && isSmallOrderEncoding(c.publicKey), `${c.kind}: raw ${raw}, rule ${rule}`);
    smallOrderAccepted++;
  }
  assert.ok(smallOrderAccepted > 0, "node:crypto accepts small-order keys; the precheck matters");
});

Deno.test("a cofactorless-valid signature by a small-order key is refused", () => {
  // A = identity, R = identity, S = 0: [0]B − [k]·O = O for every message.
  const identity = fromHex(SMALL_ORDER[0]);
  const signature = new Uint8Array(64);
  signature.set(identity);
  const message = utf8("anything at all");
  assert.ok(rawNative(signature, message, identity));
  assert.ok(!verifyNative(signature, message, identity));
  assert.ok(!verifyPortable(signature, message, identity));
});

Deno.test("S must be below ℓ", () => {
  const pair = keypairFromUri("//Charlie");
  const message = utf8("malleable?");
  const signature = pair.sign(message);
  const tweaked = signature.slice();
  tweaked.set(numberToBytes32LE(bytesToNumberLE(signature.subarray(32)) + GROUP_ORDER), 32);
  assert.ok(!verifyNative(tweaked, message, pair.publicKey));
  assert.ok(!verifyPortable(tweaked, message, pair.publicKey));
  assert.ok(!passesSignaturePrechecks(tweaked, pair.publicKey));
});

Deno.test("native and portable agree on random tweaks of valid signatures", () => {
  const pairs = Array.from({ length: 8 }, (_, i) => keypairFromSeed(new Uint8Array(32).fill(i)));
  const smallOrder = SMALL_ORDER.map(fromHex);
  const tweak = fc.oneof(
    fc.record({
      kind: fc.constant("flip"),
      where: fc.constantFrom("sig", "msg", "key"),
      bit: fc.nat(),
    }),
    fc.record({ kind: fc.constant("S+nL"), n: fc.integer({ min: 1, max: 15 }) }),
    fc.record({ kind: fc.constant("R small"), i: fc.nat(7) }),
    fc.record({ kind: fc.constant("A small"), i: fc.nat(7) }),
    fc.record({ kind: fc.constant("bytes"), sig: fc.uint8Array({ minLength: 64, maxLength: 64 }) }),
    fc.record({ kind: fc.constant("none") }),
  );
  fc.assert(
    fc.property(fc.nat(7), fc.uint8Array({ maxLength: 80 }), tweak, (who, message, t) => {
      const pair = pairs[who];
      let signature = pair.sign(message);
      let publicKey = pair.publicKey;
      let msg: Uint8Array = message;
      switch (t.kind) {
        case "flip": {
          const target = t.where === "sig"
            ? signature
            : t.where === "key"
            ? publicKey.slice()
            : msg.slice();
          if (target.length === 0) break;
          target[(t.bit >> 3) % target.length] ^= 1 << (t.bit & 7);
          if (t.where === "key") publicKey = target;
          if (t.where === "msg") msg = target;
          break;
        }
        case "S+nL": {
          const s = bytesToNumberLE(signature.subarray(32)) + BigInt(t.n) * GROUP_ORDER;
          signature.set(numberToBytes32LE(s % 2n ** 256n), 32);
          break;
        }
        case "R small":
          signature.set(smallOrder[t.i], 0);
          break;
        case "A small":
          publicKey = smallOrder[t.i];
          break;
        case "bytes":
          signature = t.sig;
      }
      const native = verifyNative(signature, msg, publicKey);
      assert.equal(native, verifyPortable(signature, msg, publicKey));
      if (t.kind === "none") assert.ok(native);
    }),
    { numRuns: 300 },
  );
});

Deno.test("garbage of any length is invalid and never throws", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 70 }),
      fc.uint8Array({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 34 }),
      (signature, message, publicKey) => {
        assert.equal(verifyNative(signature, message, publicKey), false);
        assert.equal(verifyPortable(signature, message, publicKey), false);
      },
    ),
    { numRuns: 300 },
  );
});
