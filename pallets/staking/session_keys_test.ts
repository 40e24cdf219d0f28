/**
 * Session keys as an attacker tries them: taking another validator's key
 * (squatting) needs that key's signature, and a new key takes effect at
 * the next era, while the old one still signs the current one.
 */
import assert from "node:assert/strict";
import { assertEvent, assertNoop, dev } from "../../runtime/testing/mod.ts";
import { authorities } from "../authorship/mod.ts";
import { keysArgs, newExt, toEra, TOKEN } from "./_mock.ts";
import { sessionKeyOf, stakingStorage as storage } from "./mod.ts";

const { aliceStash, bobStash } = dev;

/** Bob's stash bonded, Alice's validating with //Alice. */
function bonded() {
  const ext = newExt();
  assert(ext.apply("Staking", "bond", { value: 5_000n * TOKEN }, bobStash).ok);
  return ext;
}

Deno.test("attack: squatting a validator's session key without its signature fails", () => {
  const ext = bonded();
  // Bob's stash claims //Alice's key, signing the proof with a key of its own.
  const forged = { key: dev.alice.publicKey, proof: keysArgs(bobStash, dev.bob).proof };
  assertNoop(ext, "Staking", "setKeys", forged, bobStash, "Staking.InvalidKeyProof");
  // A proof //Alice signed for her own stash does not serve another stash either.
  const replayed = { key: dev.alice.publicKey, proof: keysArgs(aliceStash, dev.alice).proof };
  assertNoop(ext, "Staking", "setKeys", replayed, bobStash, "Staking.InvalidKeyProof");
  assert.deepEqual(storage.KeyOwner.get(ext.state, dev.alice.publicKey), aliceStash.publicKey);
});

Deno.test("a key held by another stash cannot be set even with its signature", () => {
  const ext = bonded();
  assertNoop(
    ext,
    "Staking",
    "setKeys",
    keysArgs(bobStash, dev.alice),
    bobStash,
    "Staking.KeyInUse",
  );
});

Deno.test("setKeys() queues the key: the old one signs until the next era, then the new one", () => {
  const ext = newExt();
  assert(ext.apply("Staking", "setKeys", keysArgs(aliceStash, dev.ferdie), aliceStash).ok);
  assertEvent(ext, "Staking", "SessionKeySet", {
    stash: aliceStash.publicKey,
    key: dev.ferdie.publicKey,
  });
  assert.deepEqual(sessionKeyOf(ext.state, aliceStash.publicKey), dev.alice.publicKey);
  assert.deepEqual(authorities(ext.state), [dev.alice.publicKey]);
  toEra(ext, 1);
  assert.deepEqual(sessionKeyOf(ext.state, aliceStash.publicKey), dev.ferdie.publicKey);
  assert.deepEqual(authorities(ext.state), [dev.ferdie.publicKey]);
  // Both keys are the stash's until the old one is no longer slashable.
  assert.deepEqual(storage.KeyOwner.get(ext.state, dev.alice.publicKey), aliceStash.publicKey);
  assert.deepEqual(storage.KeyOwner.get(ext.state, dev.ferdie.publicKey), aliceStash.publicKey);
});

Deno.test("a queued key replaced before it took effect is free for other stashes after the bonding duration", () => {
  const ext = bonded();
  assert(ext.apply("Staking", "setKeys", keysArgs(bobStash, dev.ferdie), bobStash).ok);
  assert(ext.apply("Staking", "setKeys", keysArgs(bobStash, dev.eve), bobStash).ok);
  assert(ext.apply("Staking", "bond", { value: 5_000n * TOKEN }, dev.charlieStash).ok);
  const charlie = keysArgs(dev.charlieStash, dev.ferdie);
  assertNoop(ext, "Staking", "setKeys", charlie, dev.charlieStash, "Staking.KeyInUse");
  toEra(ext, 1 + storage.BondingDuration.get(ext.state));
  assert(ext.apply("Staking", "setKeys", charlie, dev.charlieStash).ok);
});

Deno.test("a stash with a queued first key may validate and is elected with it", () => {
  const ext = newExt({ validatorCount: 2 });
  assert(ext.apply("Staking", "bond", { value: 5_000n * TOKEN }, bobStash).ok);
  assertNoop(
    ext,
    "Staking",
    "validate",
    { prefs: { commissionPerbill: 0, blocked: false } },
    bobStash,
    "Staking.NoSessionKey",
  );
  assert(ext.apply("Staking", "setKeys", keysArgs(bobStash, dev.bob), bobStash).ok);
  assert(
    ext.apply("Staking", "validate", { prefs: { commissionPerbill: 0, blocked: false } }, bobStash)
      .ok,
  );
  toEra(ext, 1);
  assert.deepEqual(authorities(ext.state).length, 2);
  assert(authorities(ext.state).some((k) => k.every((b, i) => b === dev.bob.publicKey[i])));
});
