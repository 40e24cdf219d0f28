import assert from "node:assert/strict";
import { assertLastEvent, assertNoop, dev } from "../../runtime/testing/mod.ts";
import { account } from "../system/mod.ts";
import { balancesStorage } from "../balances/mod.ts";
import { free, id, keysArgs, ledger, newExt, toEra, TOKEN } from "./_mock.ts";
import { STAKING_LOCK_ID } from "./_ledger.ts";
import { MAX_NOMINATORS, MAX_UNLOCKING_CHUNKS, stakingStorage as storage } from "./mod.ts";

const bob = dev.bobStash;
const charlie = dev.charlieStash;

function lockOf(ext: ReturnType<typeof newExt>, who: Uint8Array): bigint | undefined {
  return balancesStorage.Locks.get(ext.state, who).find((l) =>
    l.id.every((b, i) => b === STAKING_LOCK_ID[i])
  )?.amount;
}

function bonded(amount = 5_000n * TOKEN) {
  const ext = newExt();
  assert(ext.apply("Staking", "bond", { value: amount }, bob).ok);
  return ext;
}

// bond

Deno.test("bond() locks the bonded amount and takes a consumer reference", () => {
  const ext = newExt();
  const consumers = account(ext.state, bob.publicKey).consumers;
  assert(ext.apply("Staking", "bond", { value: 500n * TOKEN }, bob).ok);
  assert.deepEqual(ledger(ext, bob), {
    stash: bob.publicKey,
    total: 500n * TOKEN,
    active: 500n * TOKEN,
    unlocking: [],
  });
  assert.deepEqual(lockOf(ext, bob.publicKey), 500n * TOKEN);
  assert.deepEqual(account(ext.state, bob.publicKey).data.frozen, 500n * TOKEN);
  assert.deepEqual(account(ext.state, bob.publicKey).consumers, consumers + 1);
  assertLastEvent(ext, "Staking", "Bonded", { stash: bob.publicKey, amount: 500n * TOKEN });
});

Deno.test("bond() bonds no more than the free balance", () => {
  const ext = newExt();
  const all = free(ext, bob);
  assert(ext.apply("Staking", "bond", { value: all * 2n }, bob).ok);
  assert.deepEqual(ledger(ext, bob).total, all);
});

Deno.test("bond() fails for a stash that is already bonded", () => {
  assertNoop(bonded(), "Staking", "bond", { value: TOKEN }, bob, "Staking.AlreadyBonded");
});

Deno.test("bond() below the existential deposit fails", () => {
  assertNoop(newExt(), "Staking", "bond", { value: 1n }, bob, "Staking.InsufficientBond");
});

Deno.test("bond() needs a signed origin", () => {
  assertNoop(newExt(), "Staking", "bond", { value: TOKEN }, "root", "BadOrigin");
});

// bondExtra

Deno.test("bondExtra() adds free balance to the active bond and the lock", () => {
  const ext = bonded();
  assert(ext.apply("Staking", "bondExtra", { maxAdditional: 1_000n * TOKEN }, bob).ok);
  assert.deepEqual(ledger(ext, bob).active, 6_000n * TOKEN);
  assert.deepEqual(ledger(ext, bob).total, 6_000n * TOKEN);
  assert.deepEqual(lockOf(ext, bob.publicKey), 6_000n * TOKEN);
  assertLastEvent(ext, "Staking", "Bonded", { stash: bob.publicKey, amount: 1_000n * TOKEN });
});

Deno.test("bondExtra() bonds at most the unbonded free balance", () => {
  const ext = bonded();
  const all = free(ext, bob);
  assert(ext.apply("Staking", "bondExtra", { maxAdditional: all * 2n }, bob).ok);
  assert.deepEqual(ledger(ext, bob).total, all);
});

Deno.test("bondExtra() fails for an account that is not bonded", () => {
  assertNoop(newExt(), "Staking", "bondExtra", { maxAdditional: 1n }, bob, "Staking.NotStash");
});

// unbond

Deno.test("unbond() moves active stake into a chunk of the current era and keeps the lock", () => {
  const ext = bonded();
  toEra(ext, 1);
  assert(ext.apply("Staking", "unbond", { value: 2_000n * TOKEN }, bob).ok);
  assert.deepEqual(ledger(ext, bob).active, 3_000n * TOKEN);
  assert.deepEqual(ledger(ext, bob).total, 5_000n * TOKEN);
  assert.deepEqual(ledger(ext, bob).unlocking, [{ value: 2_000n * TOKEN, era: 1 }]);
  assert.deepEqual(lockOf(ext, bob.publicKey), 5_000n * TOKEN);
  assertLastEvent(ext, "Staking", "Unbonded", { stash: bob.publicKey, amount: 2_000n * TOKEN });
});

Deno.test("unbond() merges chunks of the same era", () => {
  const ext = bonded();
  assert(ext.apply("Staking", "unbond", { value: TOKEN }, bob).ok);
  assert(ext.apply("Staking", "unbond", { value: TOKEN }, bob).ok);
  assert.deepEqual(ledger(ext, bob).unlocking, [{ value: 2n * TOKEN, era: 0 }]);
});

Deno.test("unbond() unbonds everything when the rest would be below the existential deposit", () => {
  const ext = bonded();
  assert(ext.apply("Staking", "unbond", { value: 5_000n * TOKEN - 1n }, bob).ok);
  assert.deepEqual(ledger(ext, bob).active, 0n);
  assertLastEvent(ext, "Staking", "Unbonded", { amount: 5_000n * TOKEN });
});

Deno.test("unbond() fails when a validator would fall below its minimum bond", () => {
  const ext = newExt();
  assertNoop(
    ext,
    "Staking",
    "unbond",
    { value: 99_500n * TOKEN },
    dev.aliceStash,
    "Staking.InsufficientBond",
  );
});

Deno.test("unbond() fails with NoMoreChunks when the ledger holds the maximum", () => {
  const ext = bonded();
  toEra(ext, 1);
  const l = ledger(ext, bob);
  l.unlocking = Array.from({ length: MAX_UNLOCKING_CHUNKS }, () => ({ value: 1n, era: 0 }));
  l.active -= BigInt(MAX_UNLOCKING_CHUNKS);
  storage.Ledger.set(ext.state, bob.publicKey, l);
  assertNoop(ext, "Staking", "unbond", { value: TOKEN }, bob, "Staking.NoMoreChunks");
});

Deno.test("unbond() fails for an account that is not bonded", () => {
  assertNoop(newExt(), "Staking", "unbond", { value: 1n }, bob, "Staking.NotStash");
});

// withdrawUnbonded

Deno.test("withdrawUnbonded() releases a chunk only after the bonding duration", () => {
  const ext = bonded();
  assert(ext.apply("Staking", "unbond", { value: 2_000n * TOKEN }, bob).ok);
  toEra(ext, 1);
  assertNoop(ext, "Staking", "withdrawUnbonded", {}, bob, "Staking.NoUnlockChunk");
  toEra(ext, 2);
  assert(ext.apply("Staking", "withdrawUnbonded", {}, bob).ok);
  assert.deepEqual(ledger(ext, bob).total, 3_000n * TOKEN);
  assert.deepEqual(ledger(ext, bob).unlocking, []);
  assert.deepEqual(lockOf(ext, bob.publicKey), 3_000n * TOKEN);
  assertLastEvent(ext, "Staking", "Withdrawn", { stash: bob.publicKey, amount: 2_000n * TOKEN });
});

Deno.test("withdrawUnbonded() of everything removes the stash, its lock and its consumer", () => {
  const ext = newExt();
  const consumers = account(ext.state, bob.publicKey).consumers;
  assert(ext.apply("Staking", "bond", { value: 5_000n * TOKEN }, bob).ok);
  assert(ext.apply("Staking", "setKeys", keysArgs(bob, dev.bob), bob).ok);
  assert(ext.apply("Staking", "unbond", { value: 5_000n * TOKEN }, bob).ok);
  toEra(ext, 2);
  assert(ext.apply("Staking", "withdrawUnbonded", {}, bob).ok);
  assert.deepEqual(storage.Ledger.get(ext.state, bob.publicKey), undefined);
  assert.deepEqual(storage.SessionKeys.get(ext.state, bob.publicKey), undefined);
  assert.deepEqual(storage.KeyOwner.get(ext.state, dev.bob.publicKey), undefined);
  assert.deepEqual(lockOf(ext, bob.publicKey), undefined);
  assert.deepEqual(account(ext.state, bob.publicKey).data.frozen, 0n);
  assert.deepEqual(account(ext.state, bob.publicKey).consumers, consumers);
});

Deno.test("withdrawUnbonded() fails for an account that is not bonded", () => {
  assertNoop(newExt(), "Staking", "withdrawUnbonded", {}, bob, "Staking.NotStash");
});

// validate

const prefs = (commissionPerbill = 50_000_000, blocked = false) => ({ commissionPerbill, blocked });

function keyed(amount = 5_000n * TOKEN) {
  const ext = bonded(amount);
  assert(ext.apply("Staking", "setKeys", keysArgs(bob, dev.bob), bob).ok);
  return ext;
}

Deno.test("validate() records the preferences and replaces a nomination", () => {
  const ext = keyed();
  assert(ext.apply("Staking", "nominate", { targets: [id(dev.aliceStash)] }, bob).ok);
  assert(ext.apply("Staking", "validate", { prefs: prefs() }, bob).ok);
  assert.deepEqual(storage.Validators.get(ext.state, bob.publicKey), prefs());
  assert.deepEqual(storage.Nominators.get(ext.state, bob.publicKey), undefined);
  assertLastEvent(ext, "Staking", "ValidatorPrefsSet", { stash: bob.publicKey, prefs: prefs() });
});

Deno.test("validate() fails for an account that is not bonded", () => {
  assertNoop(newExt(), "Staking", "validate", { prefs: prefs() }, bob, "Staking.NotStash");
});

Deno.test("validate() fails with a commission above 100%", () => {
  const args = { prefs: prefs(1_000_000_001) };
  assertNoop(keyed(), "Staking", "validate", args, bob, "Staking.CommissionTooHigh");
});

Deno.test("validate() fails below the minimum validator bond", () => {
  const ext = keyed(999n * TOKEN);
  assertNoop(ext, "Staking", "validate", { prefs: prefs() }, bob, "Staking.InsufficientBond");
});

Deno.test("validate() fails without a session key", () => {
  assertNoop(bonded(), "Staking", "validate", { prefs: prefs() }, bob, "Staking.NoSessionKey");
});

// nominate

Deno.test("nominate() records the targets once each and replaces a validator intention", () => {
  const ext = keyed();
  assert(ext.apply("Staking", "validate", { prefs: prefs() }, bob).ok);
  const targets = [id(dev.aliceStash), id(dev.aliceStash)];
  assert(ext.apply("Staking", "nominate", { targets }, bob).ok);
  assert.deepEqual(storage.Nominators.get(ext.state, bob.publicKey), [dev.aliceStash.publicKey]);
  assert.deepEqual(storage.Validators.get(ext.state, bob.publicKey), undefined);
  assertLastEvent(ext, "Staking", "Nominated", {
    stash: bob.publicKey,
    targets: [dev.aliceStash.publicKey],
  });
});

Deno.test("nominate() fails for an account that is not bonded", () => {
  const args = { targets: [id(dev.aliceStash)] };
  assertNoop(newExt(), "Staking", "nominate", args, bob, "Staking.NotStash");
});

Deno.test("nominate() fails without targets", () => {
  assertNoop(bonded(), "Staking", "nominate", { targets: [] }, bob, "Staking.EmptyTargets");
});

Deno.test("nominate() fails with more than 16 targets", () => {
  const args = { targets: Array.from({ length: 17 }, () => id(dev.aliceStash)) };
  assertNoop(bonded(), "Staking", "nominate", args, bob, "Staking.TooManyTargets");
});

Deno.test("nominate() fails for a target that is not a validator", () => {
  const args = { targets: [id(dev.aliceStash), id(charlie)] };
  assertNoop(bonded(), "Staking", "nominate", args, bob, "Staking.BadTarget");
});

Deno.test("nominate() fails for a validator that blocks nominations", () => {
  const ext = bonded();
  assert(ext.apply("Staking", "validate", { prefs: prefs(0, true) }, dev.aliceStash).ok);
  const args = { targets: [id(dev.aliceStash)] };
  assertNoop(ext, "Staking", "nominate", args, bob, "Staking.BadTarget");
});

Deno.test("nominate() fails for the nominator itself", () => {
  const ext = keyed();
  assert(ext.apply("Staking", "validate", { prefs: prefs() }, bob).ok);
  assertNoop(ext, "Staking", "nominate", { targets: [id(bob)] }, bob, "Staking.BadTarget");
});

Deno.test("nominate() fails below the minimum nominator bond", () => {
  const ext = bonded(9n * TOKEN);
  const args = { targets: [id(dev.aliceStash)] };
  assertNoop(ext, "Staking", "nominate", args, bob, "Staking.InsufficientBond");
});

Deno.test("nominate() fails for an address that cannot be looked up", () => {
  const args = { targets: [{ tag: "Index", value: 3 }] };
  assertNoop(bonded(), "Staking", "nominate", args, bob, "CannotLookup");
});

// chill

Deno.test("chill() withdraws a validator's intention and keeps the bond", () => {
  const ext = newExt();
  assert(ext.apply("Staking", "chill", {}, dev.aliceStash).ok);
  assert.deepEqual(storage.Validators.get(ext.state, dev.aliceStash.publicKey), undefined);
  assert.deepEqual(ledger(ext, dev.aliceStash).active, 100_000n * TOKEN);
  assertLastEvent(ext, "Staking", "Chilled", { stash: dev.aliceStash.publicKey });
});

Deno.test("chill() withdraws a nomination", () => {
  const ext = bonded();
  assert(ext.apply("Staking", "nominate", { targets: [id(dev.aliceStash)] }, bob).ok);
  assert(ext.apply("Staking", "chill", {}, bob).ok);
  assert.deepEqual(storage.Nominators.get(ext.state, bob.publicKey), undefined);
});

Deno.test("chill() fails for an account that is not bonded", () => {
  assertNoop(newExt(), "Staking", "chill", {}, bob, "Staking.NotStash");
});

// setKeys

Deno.test("setKeys() maps the stash to its key and back from the next era; the old key stays the stash's", () => {
  const ext = keyed();
  toEra(ext, 1);
  assert(ext.apply("Staking", "setKeys", keysArgs(bob, dev.charlie), bob).ok);
  assertLastEvent(ext, "Staking", "SessionKeySet", {
    stash: bob.publicKey,
    key: dev.charlie.publicKey,
  });
  assert.deepEqual(storage.SessionKeys.get(ext.state, bob.publicKey), dev.bob.publicKey);
  toEra(ext, 2);
  assert.deepEqual(storage.SessionKeys.get(ext.state, bob.publicKey), dev.charlie.publicKey);
  assert.deepEqual(storage.KeyOwner.get(ext.state, dev.charlie.publicKey), bob.publicKey);
  assert.deepEqual(storage.KeyOwner.get(ext.state, dev.bob.publicKey), bob.publicKey);
  toEra(ext, 2 + storage.BondingDuration.get(ext.state));
  assert.deepEqual(storage.KeyOwner.get(ext.state, dev.bob.publicKey), undefined);
});

Deno.test("setKeys() fails for a key another stash uses", () => {
  assertNoop(bonded(), "Staking", "setKeys", keysArgs(bob, dev.alice), bob, "Staking.KeyInUse");
});

Deno.test("setKeys() fails for an account that is not bonded", () => {
  assertNoop(newExt(), "Staking", "setKeys", keysArgs(bob, dev.bob), bob, "Staking.NotStash");
});

Deno.test("attack: nominators are capped at MaxNominators, so the era boundary's work is bounded", () => {
  const ext = bonded();
  assert(ext.apply("Staking", "bond", { value: 5_000n * TOKEN }, dev.charlieStash).ok);
  const nominate = (who: typeof bob) =>
    ext.apply("Staking", "nominate", { targets: [id(dev.aliceStash)] }, who);
  storage.CounterForNominators.set(ext.state, MAX_NOMINATORS - 1);
  assert(nominate(bob).ok);
  assert.equal(storage.CounterForNominators.get(ext.state), MAX_NOMINATORS);
  assertNoop(
    ext,
    "Staking",
    "nominate",
    { targets: [id(dev.aliceStash)] },
    dev.charlieStash,
    "Staking.TooManyNominators",
  );
  // A nominator may still change its targets, and leaving makes room.
  assert(nominate(bob).ok);
  assert(ext.apply("Staking", "chill", {}, bob).ok);
  assert.equal(storage.CounterForNominators.get(ext.state), MAX_NOMINATORS - 1);
  assert(nominate(dev.charlieStash).ok);
});
