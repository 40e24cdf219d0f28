import assert from "node:assert/strict";
import {
  assertEvent,
  assertLastEvent,
  assertNoop,
  dev,
  TestExt,
} from "../../runtime/testing/mod.ts";
import { account, incConsumers } from "../system/mod.ts";
import {
  balancesStorage,
  existentialDeposit,
  freeBalance,
  mint,
  repatriateReserved,
  reserve,
  reservedBalance,
  setLock,
  slashFree,
  slashReserved,
  totalIssuance,
  transfer,
  unreserve,
  withdraw,
} from "./mod.ts";
import {
  ED,
  ENDOWMENT,
  eventNames,
  exists,
  free,
  fresh,
  fund,
  id,
  issuance,
  reserved,
  run,
  runNoop,
  sumOfAccounts,
  TOKEN,
} from "./_mock.ts";

const { alice, bob, charlie } = dev;
const LOCK = new TextEncoder().encode("testlock");
const OTHER_LOCK = new TextEncoder().encode("otherlck");

/** A chain with `who` (a fresh account) holding `amount` free. */
function withFunded(who = fresh("Funded"), amount = 10n * ED): TestExt {
  const ext = new TestExt();
  fund(ext, who, amount);
  return ext;
}

// genesis and readers

Deno.test("genesis endows the dev accounts and counts them in total issuance", () => {
  const ext = new TestExt();
  assert.equal(existentialDeposit(ext.state), ED);
  assert.equal(freeBalance(ext.state, alice.publicKey), ENDOWMENT);
  assert.equal(reservedBalance(ext.state, alice.publicKey), 0n);
  assert.equal(account(ext.state, alice.publicKey).providers, 1);
  assert.equal(totalIssuance(ext.state), sumOfAccounts(ext));
});

Deno.test("genesis rejects a zero existential deposit, duplicates and dust endowments", () => {
  const spec = (balances: unknown[], existentialDeposit = "1") => ({
    balances: { existentialDeposit, balances },
  });
  const a = `0x${"01".repeat(32)}`;
  assert.throws(() => new TestExt(spec([], "0")), /existentialDeposit: must be at least 1/);
  assert.throws(() => new TestExt(spec([[a, "5"], [a, "5"]])), /balances\[1\]: duplicate account/);
  assert.throws(() => new TestExt(spec([[a, "5"]], "10")), /below the existential deposit/);
});

// transferAllowDeath

Deno.test("transferAllowDeath() moves free balance and emits Transfer", () => {
  const ext = new TestExt();
  const before = issuance(ext);
  const r = ext.apply("Balances", "transferAllowDeath", { dest: id(bob), value: TOKEN }, alice);
  assert.deepEqual(r, { ok: true });
  assert.equal(free(ext, alice), ENDOWMENT - TOKEN);
  assert.equal(free(ext, bob), ENDOWMENT + TOKEN);
  assert.equal(issuance(ext), before);
  assertLastEvent(ext, "Balances", "Transfer", {
    from: alice.publicKey,
    to: bob.publicKey,
    amount: TOKEN,
  });
});

Deno.test("transferAllowDeath() creates a receiver that reaches the existential deposit", () => {
  const ext = new TestExt();
  const newcomer = fresh("Newcomer");
  const start = ext.events().length;
  assert.ok(
    ext.apply("Balances", "transferAllowDeath", { dest: id(newcomer), value: ED }, alice).ok,
  );
  assert.equal(free(ext, newcomer), ED);
  assert.equal(account(ext.state, newcomer.publicKey).providers, 1);
  assert.deepEqual(eventNames(ext, start), [
    "System.NewAccount",
    "Balances.Endowed",
    "Balances.Transfer",
  ]);
  assertEvent(ext, "Balances", "Endowed", { account: newcomer.publicKey, freeBalance: ED });
  assertEvent(ext, "System", "NewAccount", { account: newcomer.publicKey });
});

Deno.test("transferAllowDeath() reaps the sender below the existential deposit, burning the dust", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 10n * ED);
  const before = issuance(ext);
  const start = ext.events().length;
  const value = 10n * ED - ED / 2n;
  assert.ok(ext.apply("Balances", "transferAllowDeath", { dest: id(bob), value }, sender).ok);
  assert.equal(exists(ext, sender), false);
  assert.equal(free(ext, sender), 0n);
  assert.equal(free(ext, bob), ENDOWMENT + value);
  assert.equal(issuance(ext), before - ED / 2n);
  assert.deepEqual(eventNames(ext, start), [
    "Balances.DustLost",
    "System.KilledAccount",
    "Balances.Transfer",
  ]);
  assertEvent(ext, "Balances", "DustLost", { account: sender.publicKey, amount: ED / 2n });
  assertEvent(ext, "System", "KilledAccount", { account: sender.publicKey });
  assert.equal(issuance(ext), sumOfAccounts(ext));
});

Deno.test("transferAllowDeath() of the whole balance kills the sender with no dust", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 10n * ED);
  const before = issuance(ext);
  const start = ext.events().length;
  const value = 10n * ED;
  assert.ok(ext.apply("Balances", "transferAllowDeath", { dest: id(bob), value }, sender).ok);
  assert.equal(exists(ext, sender), false);
  assert.equal(issuance(ext), before);
  assert.deepEqual(eventNames(ext, start), ["System.KilledAccount", "Balances.Transfer"]);
});

Deno.test("transferAllowDeath() reaps the reserved balance with the sender's dust", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 10n * ED);
  run(ext, (ctx) => reserve(ctx, sender.publicKey, ED / 4n));
  const before = issuance(ext);
  const value = 10n * ED - ED / 4n;
  assert.ok(ext.apply("Balances", "transferAllowDeath", { dest: id(bob), value }, sender).ok);
  assert.equal(exists(ext, sender), false);
  assert.equal(reserved(ext, sender), 0n);
  assert.equal(issuance(ext), before - ED / 4n);
  assertEvent(ext, "Balances", "DustLost", { account: sender.publicKey, amount: ED / 4n });
});

Deno.test("transferAllowDeath() fails with InsufficientBalance beyond the free balance", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 10n * ED);
  const args = { dest: id(bob), value: 10n * ED + 1n };
  assertNoop(ext, "Balances", "transferAllowDeath", args, sender, "Balances.InsufficientBalance");
});

Deno.test("transferAllowDeath() cannot spend the reserved balance", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 10n * ED);
  run(ext, (ctx) => reserve(ctx, sender.publicKey, 5n * ED));
  const args = { dest: id(bob), value: 6n * ED };
  assertNoop(ext, "Balances", "transferAllowDeath", args, sender, "Balances.InsufficientBalance");
  assert.ok(
    ext.apply("Balances", "transferAllowDeath", { dest: id(bob), value: 5n * ED }, sender).ok,
  );
  assert.equal(free(ext, sender), 0n);
  assert.equal(reserved(ext, sender), 5n * ED);
  assert.ok(exists(ext, sender), "the reserved balance keeps the account alive");
});

Deno.test("transferAllowDeath() fails with ExistentialDeposit for a new receiver below it", () => {
  const ext = new TestExt();
  const args = { dest: id(fresh("Newcomer")), value: ED - 1n };
  assertNoop(ext, "Balances", "transferAllowDeath", args, alice, "Balances.ExistentialDeposit");
});

Deno.test("transferAllowDeath() sends less than the existential deposit to an existing account", () => {
  const ext = new TestExt();
  assert.ok(ext.apply("Balances", "transferAllowDeath", { dest: id(bob), value: 1n }, alice).ok);
  assert.equal(free(ext, bob), ENDOWMENT + 1n);
});

Deno.test("transferAllowDeath() fails with LiquidityRestrictions into a lock", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 10n * ED);
  run(ext, (ctx) => setLock(ctx, LOCK, sender.publicKey, 4n * ED));
  const args = { dest: id(bob), value: 6n * ED + 1n };
  assertNoop(ext, "Balances", "transferAllowDeath", args, sender, "Balances.LiquidityRestrictions");
  // Up to the lock is fine.
  assert.ok(
    ext.apply("Balances", "transferAllowDeath", { dest: id(bob), value: 6n * ED }, sender).ok,
  );
  assert.equal(free(ext, sender), 4n * ED);
});

Deno.test("transferAllowDeath() respects a staking bond's lock", () => {
  const ext = new TestExt();
  const stash = dev.aliceStash;
  const frozen = account(ext.state, stash.publicKey).data.frozen;
  assert.ok(frozen > 0n, "Alice's stash is bonded at genesis");
  const args = { dest: id(bob), value: ENDOWMENT - frozen + 1n };
  assertNoop(ext, "Balances", "transferAllowDeath", args, stash, "Balances.LiquidityRestrictions");
});

Deno.test("transferAllowDeath() fails with Expendability when a consumer holds the sender", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 10n * ED);
  run(ext, (ctx) => incConsumers(ctx, sender.publicKey));
  const args = { dest: id(bob), value: 10n * ED };
  assertNoop(ext, "Balances", "transferAllowDeath", args, sender, "Balances.Expendability");
});

Deno.test("transferAllowDeath() of zero succeeds and moves nothing", () => {
  const ext = new TestExt();
  const newcomer = fresh("Newcomer");
  const before = issuance(ext);
  assert.ok(
    ext.apply("Balances", "transferAllowDeath", { dest: id(newcomer), value: 0n }, alice).ok,
  );
  assert.equal(free(ext, alice), ENDOWMENT);
  assert.equal(exists(ext, newcomer), false, "a zero transfer creates no account");
  assert.equal(issuance(ext), before);
  assert.ok(!ext.events().some((e) => e.pallet === "Balances"), "nothing moved, nothing said");
});

Deno.test("transferAllowDeath() to oneself succeeds and changes no balance", () => {
  const ext = new TestExt();
  const before = issuance(ext);
  assert.ok(
    ext.apply("Balances", "transferAllowDeath", { dest: id(alice), value: TOKEN }, alice).ok,
  );
  assert.equal(free(ext, alice), ENDOWMENT);
  assert.equal(issuance(ext), before);
});

Deno.test("transferAllowDeath() needs a signed origin and an Id address", () => {
  const ext = new TestExt();
  const args = { dest: id(bob), value: 1n };
  assertNoop(ext, "Balances", "transferAllowDeath", args, "root", "BadOrigin");
  assertNoop(ext, "Balances", "transferAllowDeath", args, "none", "BadOrigin");
  const index = { dest: { tag: "Index", value: 3 }, value: 1n };
  assertNoop(ext, "Balances", "transferAllowDeath", index, alice, "CannotLookup");
});

// forceTransfer

Deno.test("forceTransfer() moves balance between any two accounts as root", () => {
  const ext = new TestExt();
  const before = issuance(ext);
  const args = { source: id(bob), dest: id(charlie), value: 3n * TOKEN };
  assert.deepEqual(ext.apply("Balances", "forceTransfer", args, "root"), { ok: true });
  assert.equal(free(ext, bob), ENDOWMENT - 3n * TOKEN);
  assert.equal(free(ext, charlie), ENDOWMENT + 3n * TOKEN);
  assert.equal(issuance(ext), before);
  assertLastEvent(ext, "Balances", "Transfer", {
    from: bob.publicKey,
    to: charlie.publicKey,
    amount: 3n * TOKEN,
  });
});

Deno.test("forceTransfer() may reap the source", () => {
  const source = fresh("Source");
  const ext = withFunded(source, 10n * ED);
  const before = issuance(ext);
  const args = { source: id(source), dest: id(bob), value: 9n * ED + 1n };
  assert.ok(ext.apply("Balances", "forceTransfer", args, "root").ok);
  assert.equal(exists(ext, source), false);
  assert.equal(issuance(ext), before - (ED - 1n));
  assertEvent(ext, "Balances", "DustLost", { account: source.publicKey, amount: ED - 1n });
  assertEvent(ext, "System", "KilledAccount", { account: source.publicKey });
});

Deno.test("forceTransfer() is root only", () => {
  const ext = new TestExt();
  const args = { source: id(bob), dest: id(alice), value: TOKEN };
  assertNoop(ext, "Balances", "forceTransfer", args, alice, "BadOrigin");
  assertNoop(ext, "Balances", "forceTransfer", args, bob, "BadOrigin");
  assertNoop(ext, "Balances", "forceTransfer", args, "none", "BadOrigin");
});

Deno.test("forceTransfer() still fails on balance, locks and the existential deposit", () => {
  const source = fresh("Source");
  const ext = withFunded(source, 10n * ED);
  const to = (dest: ReturnType<typeof id>, value: bigint) => ({ source: id(source), dest, value });
  const tooMuch = to(id(bob), 10n * ED + 1n);
  assertNoop(ext, "Balances", "forceTransfer", tooMuch, "root", "Balances.InsufficientBalance");
  const dust = to(id(fresh("Newcomer")), ED - 1n);
  assertNoop(ext, "Balances", "forceTransfer", dust, "root", "Balances.ExistentialDeposit");
  run(ext, (ctx) => setLock(ctx, LOCK, source.publicKey, 5n * ED));
  const locked = to(id(bob), 6n * ED);
  assertNoop(ext, "Balances", "forceTransfer", locked, "root", "Balances.LiquidityRestrictions");
});

// transferKeepAlive

Deno.test("transferKeepAlive() moves free balance and emits Transfer", () => {
  const ext = new TestExt();
  assert.ok(ext.apply("Balances", "transferKeepAlive", { dest: id(bob), value: TOKEN }, alice).ok);
  assert.equal(free(ext, alice), ENDOWMENT - TOKEN);
  assert.equal(free(ext, bob), ENDOWMENT + TOKEN);
  assertLastEvent(ext, "Balances", "Transfer", {
    from: alice.publicKey,
    to: bob.publicKey,
    amount: TOKEN,
  });
});

Deno.test("transferKeepAlive() may leave exactly the existential deposit", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 10n * ED);
  assert.ok(
    ext.apply("Balances", "transferKeepAlive", { dest: id(bob), value: 9n * ED }, sender).ok,
  );
  assert.equal(free(ext, sender), ED);
  assert.ok(exists(ext, sender));
});

Deno.test("transferKeepAlive() fails with Expendability below the existential deposit", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 10n * ED);
  const one = { dest: id(bob), value: 9n * ED + 1n };
  assertNoop(ext, "Balances", "transferKeepAlive", one, sender, "Balances.Expendability");
  const all = { dest: id(bob), value: 10n * ED };
  assertNoop(ext, "Balances", "transferKeepAlive", all, sender, "Balances.Expendability");
});

Deno.test("transferKeepAlive() counts the reserved balance towards keeping alive", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 10n * ED);
  run(ext, (ctx) => reserve(ctx, sender.publicKey, ED));
  const args = { dest: id(bob), value: 9n * ED };
  assert.ok(ext.apply("Balances", "transferKeepAlive", args, sender).ok);
  assert.equal(free(ext, sender), 0n);
  assert.equal(reserved(ext, sender), ED);
});

Deno.test("transferKeepAlive() fails on balance, locks and a new receiver's deposit", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 10n * ED);
  const tooMuch = { dest: id(bob), value: 11n * ED };
  assertNoop(ext, "Balances", "transferKeepAlive", tooMuch, sender, "Balances.InsufficientBalance");
  const dust = { dest: id(fresh("Newcomer")), value: ED / 2n };
  assertNoop(ext, "Balances", "transferKeepAlive", dust, sender, "Balances.ExistentialDeposit");
  run(ext, (ctx) => setLock(ctx, LOCK, sender.publicKey, 3n * ED));
  const locked = { dest: id(bob), value: 8n * ED };
  assertNoop(
    ext,
    "Balances",
    "transferKeepAlive",
    locked,
    sender,
    "Balances.LiquidityRestrictions",
  );
});

Deno.test("transferKeepAlive() needs a signed origin", () => {
  const ext = new TestExt();
  const args = { dest: id(bob), value: 1n };
  assertNoop(ext, "Balances", "transferKeepAlive", args, "root", "BadOrigin");
  assertNoop(ext, "Balances", "transferKeepAlive", args, "none", "BadOrigin");
});

// transferAll

Deno.test("transferAll(keepAlive: false) sends everything and reaps the sender", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 7n * ED + 3n);
  const before = issuance(ext);
  const start = ext.events().length;
  assert.ok(ext.apply("Balances", "transferAll", { dest: id(bob), keepAlive: false }, sender).ok);
  assert.equal(exists(ext, sender), false);
  assert.equal(free(ext, bob), ENDOWMENT + 7n * ED + 3n);
  assert.equal(issuance(ext), before);
  assert.deepEqual(eventNames(ext, start), ["System.KilledAccount", "Balances.Transfer"]);
  assertLastEvent(ext, "Balances", "Transfer", { from: sender.publicKey, amount: 7n * ED + 3n });
});

Deno.test("transferAll(keepAlive: true) leaves the existential deposit", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 7n * ED + 3n);
  assert.ok(ext.apply("Balances", "transferAll", { dest: id(bob), keepAlive: true }, sender).ok);
  assert.equal(free(ext, sender), ED);
  assert.equal(free(ext, bob), ENDOWMENT + 6n * ED + 3n);
  assertLastEvent(ext, "Balances", "Transfer", { from: sender.publicKey, amount: 6n * ED + 3n });
});

Deno.test("transferAll(keepAlive: true) sends all free when the reserve keeps the account", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 7n * ED);
  run(ext, (ctx) => reserve(ctx, sender.publicKey, 2n * ED));
  assert.ok(ext.apply("Balances", "transferAll", { dest: id(bob), keepAlive: true }, sender).ok);
  assert.equal(free(ext, sender), 0n);
  assert.equal(reserved(ext, sender), 2n * ED);
  assert.equal(free(ext, bob), ENDOWMENT + 5n * ED);
});

Deno.test("transferAll() leaves the locked balance", () => {
  for (const keepAlive of [false, true]) {
    const sender = fresh("Sender");
    const ext = withFunded(sender, 7n * ED);
    run(ext, (ctx) => setLock(ctx, LOCK, sender.publicKey, 3n * ED));
    assert.ok(ext.apply("Balances", "transferAll", { dest: id(bob), keepAlive }, sender).ok);
    assert.equal(free(ext, sender), 3n * ED);
    assert.equal(free(ext, bob), ENDOWMENT + 4n * ED);
  }
});

Deno.test("transferAll(keepAlive: true) keeps the larger of a small lock and the deposit", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 7n * ED);
  run(ext, (ctx) => setLock(ctx, LOCK, sender.publicKey, ED / 2n));
  assert.ok(ext.apply("Balances", "transferAll", { dest: id(bob), keepAlive: true }, sender).ok);
  assert.equal(free(ext, sender), ED);
});

Deno.test("transferAll() with nothing transferable succeeds and changes nothing", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, ED);
  const before = ext.snapshot();
  assert.ok(ext.apply("Balances", "transferAll", { dest: id(bob), keepAlive: true }, sender).ok);
  assert.deepEqual(ext.snapshot(), before);
});

Deno.test("transferAll() fails with ExistentialDeposit for a new receiver below it", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, ED + ED / 2n);
  const args = { dest: id(fresh("Newcomer")), keepAlive: true };
  assertNoop(ext, "Balances", "transferAll", args, sender, "Balances.ExistentialDeposit");
});

Deno.test("transferAll(keepAlive: false) fails with Expendability when a consumer holds the sender", () => {
  const sender = fresh("Sender");
  const ext = withFunded(sender, 7n * ED);
  run(ext, (ctx) => incConsumers(ctx, sender.publicKey));
  const args = { dest: id(bob), keepAlive: false };
  assertNoop(ext, "Balances", "transferAll", args, sender, "Balances.Expendability");
});

Deno.test("transferAll() needs a signed origin", () => {
  const ext = new TestExt();
  const args = { dest: id(bob), keepAlive: false };
  assertNoop(ext, "Balances", "transferAll", args, "root", "BadOrigin");
  assertNoop(ext, "Balances", "transferAll", args, "none", "BadOrigin");
});

// forceUnreserve

Deno.test("forceUnreserve() moves reserved balance back to free", () => {
  const ext = new TestExt();
  run(ext, (ctx) => reserve(ctx, bob.publicKey, 5n * TOKEN));
  const before = issuance(ext);
  const args = { who: id(bob), amount: 2n * TOKEN };
  assert.deepEqual(ext.apply("Balances", "forceUnreserve", args, "root"), { ok: true });
  assert.equal(reserved(ext, bob), 3n * TOKEN);
  assert.equal(free(ext, bob), ENDOWMENT - 3n * TOKEN);
  assert.equal(issuance(ext), before);
  assertLastEvent(ext, "Balances", "Unreserved", { who: bob.publicKey, amount: 2n * TOKEN });
});

Deno.test("forceUnreserve() unreserves at most what is reserved", () => {
  const ext = new TestExt();
  run(ext, (ctx) => reserve(ctx, bob.publicKey, 5n * TOKEN));
  assert.ok(
    ext.apply("Balances", "forceUnreserve", { who: id(bob), amount: ENDOWMENT }, "root").ok,
  );
  assert.equal(reserved(ext, bob), 0n);
  assert.equal(free(ext, bob), ENDOWMENT);
  assertLastEvent(ext, "Balances", "Unreserved", { who: bob.publicKey, amount: 5n * TOKEN });
});

Deno.test("forceUnreserve() with nothing reserved changes nothing", () => {
  const ext = new TestExt();
  const before = ext.snapshot();
  assert.ok(ext.apply("Balances", "forceUnreserve", { who: id(bob), amount: TOKEN }, "root").ok);
  assert.deepEqual(ext.snapshot(), before);
});

Deno.test("forceUnreserve() is root only", () => {
  const ext = new TestExt();
  run(ext, (ctx) => reserve(ctx, bob.publicKey, TOKEN));
  const args = { who: id(bob), amount: TOKEN };
  assertNoop(ext, "Balances", "forceUnreserve", args, bob, "BadOrigin");
  assertNoop(ext, "Balances", "forceUnreserve", args, "none", "BadOrigin");
});

// forceSetBalance

Deno.test("forceSetBalance() raises a balance, minting the difference", () => {
  const ext = new TestExt();
  const before = issuance(ext);
  const args = { who: id(bob), newFree: ENDOWMENT + 5n * TOKEN };
  assert.deepEqual(ext.apply("Balances", "forceSetBalance", args, "root"), { ok: true });
  assert.equal(free(ext, bob), ENDOWMENT + 5n * TOKEN);
  assert.equal(issuance(ext), before + 5n * TOKEN);
  assertLastEvent(ext, "Balances", "BalanceSet", {
    who: bob.publicKey,
    free: ENDOWMENT + 5n * TOKEN,
  });
});

Deno.test("forceSetBalance() lowers a balance, burning the difference", () => {
  const ext = new TestExt();
  const before = issuance(ext);
  assert.ok(ext.apply("Balances", "forceSetBalance", { who: id(bob), newFree: TOKEN }, "root").ok);
  assert.equal(free(ext, bob), TOKEN);
  assert.equal(issuance(ext), before - (ENDOWMENT - TOKEN));
  assert.equal(issuance(ext), sumOfAccounts(ext));
});

Deno.test("forceSetBalance() creates a new account", () => {
  const ext = new TestExt();
  const newcomer = fresh("Newcomer");
  const before = issuance(ext);
  const start = ext.events().length;
  assert.ok(
    ext.apply("Balances", "forceSetBalance", { who: id(newcomer), newFree: ED }, "root").ok,
  );
  assert.equal(free(ext, newcomer), ED);
  assert.equal(issuance(ext), before + ED);
  assert.deepEqual(eventNames(ext, start), [
    "System.NewAccount",
    "Balances.Endowed",
    "Balances.BalanceSet",
  ]);
});

Deno.test("forceSetBalance() below the existential deposit reaps the account", () => {
  const ext = new TestExt();
  const before = issuance(ext);
  const start = ext.events().length;
  assert.ok(
    ext.apply("Balances", "forceSetBalance", { who: id(bob), newFree: ED - 1n }, "root").ok,
  );
  assert.equal(exists(ext, bob), false);
  assert.equal(issuance(ext), before - ENDOWMENT);
  assert.deepEqual(eventNames(ext, start), ["System.KilledAccount", "Balances.BalanceSet"]);
  assertLastEvent(ext, "Balances", "BalanceSet", { who: bob.publicKey, free: 0n });
});

Deno.test("forceSetBalance() below the existential deposit with a reserve keeps the account", () => {
  const ext = new TestExt();
  run(ext, (ctx) => reserve(ctx, bob.publicKey, ED));
  const before = issuance(ext);
  const newFree = ED / 2n;
  assert.ok(ext.apply("Balances", "forceSetBalance", { who: id(bob), newFree }, "root").ok);
  assert.equal(free(ext, bob), newFree);
  assert.equal(reserved(ext, bob), ED);
  assert.equal(issuance(ext), before - (ENDOWMENT - ED) + newFree);
  assert.equal(issuance(ext), sumOfAccounts(ext));
});

Deno.test("forceSetBalance() fails with Expendability to zero when a consumer holds the account", () => {
  const who = fresh("Held");
  const ext = withFunded(who, 5n * ED);
  run(ext, (ctx) => incConsumers(ctx, who.publicKey));
  const args = { who: id(who), newFree: 0n };
  assertNoop(ext, "Balances", "forceSetBalance", args, "root", "Balances.Expendability");
});

Deno.test("forceSetBalance() is root only", () => {
  const ext = new TestExt();
  const args = { who: id(alice), newFree: 2n * ENDOWMENT };
  assertNoop(ext, "Balances", "forceSetBalance", args, alice, "BadOrigin");
  assertNoop(ext, "Balances", "forceSetBalance", args, "none", "BadOrigin");
});

Deno.test("forceSetBalance() fails with an Arithmetic error when issuance would overflow", () => {
  const ext = new TestExt();
  // Bob's endowment is already counted: u128::MAX for him overflows total issuance.
  const args = { who: id(bob), newFree: (1n << 128n) - 1n };
  assertNoop(ext, "Balances", "forceSetBalance", args, "root", "Arithmetic");
});

// signed extrinsics

Deno.test("a signed transferKeepAlive pays its fee and moves the value, conserving issuance", () => {
  const ext = new TestExt();
  const before = issuance(ext);
  const x = ext.signed("Balances", "transferKeepAlive", { dest: id(bob), value: TOKEN }, alice);
  const outcome = ext.applyExtrinsic(x);
  assert.ok(outcome.ok);
  assert.ok(outcome.fee > 0n);
  assert.equal(free(ext, alice), ENDOWMENT - TOKEN - outcome.fee);
  assert.equal(free(ext, bob), ENDOWMENT + TOKEN);
  assert.equal(account(ext.state, alice.publicKey).nonce, 1);
  assert.equal(issuance(ext), before);
  assertEvent(ext, "Balances", "Transfer", { from: alice.publicKey, amount: TOKEN });
  assertEvent(ext, "Balances", "Withdraw", { who: alice.publicKey, amount: outcome.fee });
});

Deno.test("a failing signed transfer still pays its fee but moves nothing", () => {
  const ext = new TestExt();
  const x = ext.signed("Balances", "transferKeepAlive", {
    dest: id(bob),
    value: ENDOWMENT,
  }, alice);
  const outcome = ext.applyExtrinsic(x);
  assert.equal(outcome.ok, false);
  assert.equal(outcome.error?.tag, "Module");
  assert.equal(free(ext, alice), ENDOWMENT - outcome.fee);
  assert.equal(free(ext, bob), ENDOWMENT);
  assertLastEvent(ext, "System", "ExtrinsicFailed");
  assert.equal(eventNames(ext).includes("Balances.Transfer"), false);
});

// helpers other pallets use

Deno.test("reserve() moves free to reserved and emits Reserved", () => {
  const ext = new TestExt();
  const before = issuance(ext);
  run(ext, (ctx) => reserve(ctx, bob.publicKey, 4n * TOKEN));
  assert.equal(free(ext, bob), ENDOWMENT - 4n * TOKEN);
  assert.equal(reserved(ext, bob), 4n * TOKEN);
  assert.equal(issuance(ext), before);
  assertLastEvent(ext, "Balances", "Reserved", { who: bob.publicKey, amount: 4n * TOKEN });
});

Deno.test("reserve() may reserve the whole free balance", () => {
  const who = fresh("Reserver");
  const ext = withFunded(who, 3n * ED);
  run(ext, (ctx) => reserve(ctx, who.publicKey, 3n * ED));
  assert.equal(free(ext, who), 0n);
  assert.equal(reserved(ext, who), 3n * ED);
  assert.ok(exists(ext, who));
});

Deno.test("reserve() fails with InsufficientBalance and LiquidityRestrictions", () => {
  const who = fresh("Reserver");
  const ext = withFunded(who, 3n * ED);
  runNoop(ext, (ctx) => reserve(ctx, who.publicKey, 3n * ED + 1n), "Balances.InsufficientBalance");
  run(ext, (ctx) => setLock(ctx, LOCK, who.publicKey, 2n * ED));
  runNoop(ext, (ctx) => reserve(ctx, who.publicKey, ED + 1n), "Balances.LiquidityRestrictions");
  run(ext, (ctx) => reserve(ctx, who.publicKey, ED));
  assert.equal(reserved(ext, who), ED);
});

Deno.test("unreserve() moves at most the reserved balance back and returns it", () => {
  const ext = new TestExt();
  run(ext, (ctx) => reserve(ctx, bob.publicKey, 4n * TOKEN));
  assert.equal(run(ext, (ctx) => unreserve(ctx, bob.publicKey, TOKEN)), TOKEN);
  assertLastEvent(ext, "Balances", "Unreserved", { who: bob.publicKey, amount: TOKEN });
  assert.equal(run(ext, (ctx) => unreserve(ctx, bob.publicKey, 10n * TOKEN)), 3n * TOKEN);
  assertLastEvent(ext, "Balances", "Unreserved", { who: bob.publicKey, amount: 3n * TOKEN });
  assert.equal(reserved(ext, bob), 0n);
  assert.equal(free(ext, bob), ENDOWMENT);
  const before = ext.snapshot();
  assert.equal(run(ext, (ctx) => unreserve(ctx, bob.publicKey, TOKEN)), 0n);
  assert.deepEqual(ext.snapshot(), before);
});

Deno.test("slashReserved() burns at most the reserved balance and emits Slashed", () => {
  const ext = new TestExt();
  run(ext, (ctx) => reserve(ctx, bob.publicKey, 4n * TOKEN));
  const before = issuance(ext);
  assert.equal(run(ext, (ctx) => slashReserved(ctx, bob.publicKey, TOKEN)), TOKEN);
  assertLastEvent(ext, "Balances", "Slashed", { who: bob.publicKey, amount: TOKEN });
  assert.equal(run(ext, (ctx) => slashReserved(ctx, bob.publicKey, ENDOWMENT)), 3n * TOKEN);
  assertLastEvent(ext, "Balances", "Slashed", { who: bob.publicKey, amount: 3n * TOKEN });
  assert.equal(reserved(ext, bob), 0n);
  assert.equal(free(ext, bob), ENDOWMENT - 4n * TOKEN);
  assert.equal(issuance(ext), before - 4n * TOKEN);
  const snapshot = ext.snapshot();
  assert.equal(run(ext, (ctx) => slashReserved(ctx, bob.publicKey, TOKEN)), 0n);
  assert.deepEqual(ext.snapshot(), snapshot);
});

Deno.test("slashReserved() reaps an account left below the existential deposit", () => {
  const who = fresh("Slashed");
  const ext = withFunded(who, 3n * ED);
  run(ext, (ctx) => reserve(ctx, who.publicKey, 3n * ED - 10n));
  const before = issuance(ext);
  assert.equal(run(ext, (ctx) => slashReserved(ctx, who.publicKey, 3n * ED)), 3n * ED - 10n);
  assert.equal(exists(ext, who), false);
  assert.equal(issuance(ext), before - 3n * ED);
  assertEvent(ext, "Balances", "DustLost", { account: who.publicKey, amount: 10n });
  assertLastEvent(ext, "Balances", "Slashed", { who: who.publicKey, amount: 3n * ED - 10n });
});

Deno.test("slashFree() burns free balance, locks notwithstanding", () => {
  const who = fresh("Slashed");
  const ext = withFunded(who, 10n * ED);
  run(ext, (ctx) => setLock(ctx, LOCK, who.publicKey, 8n * ED));
  const before = issuance(ext);
  assert.equal(run(ext, (ctx) => slashFree(ctx, who.publicKey, 5n * ED)), 5n * ED);
  assert.equal(free(ext, who), 5n * ED);
  assert.equal(issuance(ext), before - 5n * ED);
  assertLastEvent(ext, "Balances", "Slashed", { who: who.publicKey, amount: 5n * ED });
  // At most the free balance; the reserve is untouched.
  run(ext, (ctx) => reserve(ctx, bob.publicKey, TOKEN));
  assert.equal(run(ext, (ctx) => slashFree(ctx, bob.publicKey, 2n * ENDOWMENT)), ENDOWMENT - TOKEN);
  assert.equal(reserved(ext, bob), TOKEN);
  assert.equal(issuance(ext), sumOfAccounts(ext));
});

Deno.test("slashFree() of everything reaps the account", () => {
  const who = fresh("Slashed");
  const ext = withFunded(who, 10n * ED);
  const before = issuance(ext);
  assert.equal(run(ext, (ctx) => slashFree(ctx, who.publicKey, 20n * ED)), 10n * ED);
  assert.equal(exists(ext, who), false);
  assert.equal(issuance(ext), before - 10n * ED);
  assertEvent(ext, "System", "KilledAccount", { account: who.publicKey });
});

Deno.test("repatriateReserved() moves reserved balance to another's free balance", () => {
  const ext = new TestExt();
  run(ext, (ctx) => reserve(ctx, bob.publicKey, 4n * TOKEN));
  const before = issuance(ext);
  const moved = run(ext, (ctx) => repatriateReserved(ctx, bob.publicKey, charlie.publicKey, TOKEN));
  assert.equal(moved, TOKEN);
  assert.equal(reserved(ext, bob), 3n * TOKEN);
  assert.equal(free(ext, charlie), ENDOWMENT + TOKEN);
  assert.equal(issuance(ext), before);
  assertLastEvent(ext, "Balances", "ReserveRepatriated", {
    from: bob.publicKey,
    to: charlie.publicKey,
    amount: TOKEN,
  });
  // At most the reserve.
  const rest = run(
    ext,
    (ctx) => repatriateReserved(ctx, bob.publicKey, alice.publicKey, ENDOWMENT),
  );
  assert.equal(rest, 3n * TOKEN);
  assert.equal(reserved(ext, bob), 0n);
  assert.equal(free(ext, alice), ENDOWMENT + 3n * TOKEN);
});

Deno.test("repatriateReserved() to oneself unreserves", () => {
  const ext = new TestExt();
  run(ext, (ctx) => reserve(ctx, bob.publicKey, 4n * TOKEN));
  assert.equal(
    run(ext, (ctx) => repatriateReserved(ctx, bob.publicKey, bob.publicKey, TOKEN)),
    TOKEN,
  );
  assert.equal(reserved(ext, bob), 3n * TOKEN);
  assert.equal(free(ext, bob), ENDOWMENT - 3n * TOKEN);
  assertLastEvent(ext, "Balances", "Unreserved", { who: bob.publicKey, amount: TOKEN });
});

Deno.test("repatriateReserved() creates a receiver, or fails with ExistentialDeposit below it", () => {
  const ext = new TestExt();
  run(ext, (ctx) => reserve(ctx, bob.publicKey, 4n * ED));
  const newcomer = fresh("Newcomer");
  runNoop(
    ext,
    (ctx) => repatriateReserved(ctx, bob.publicKey, newcomer.publicKey, ED - 1n),
    "Balances.ExistentialDeposit",
  );
  assert.equal(
    run(ext, (ctx) => repatriateReserved(ctx, bob.publicKey, newcomer.publicKey, ED)),
    ED,
  );
  assert.equal(free(ext, newcomer), ED);
  assertEvent(ext, "Balances", "Endowed", { account: newcomer.publicKey, freeBalance: ED });
});

Deno.test("repatriateReserved() with nothing reserved changes nothing", () => {
  const ext = new TestExt();
  const before = ext.snapshot();
  assert.equal(run(ext, (ctx) => repatriateReserved(ctx, bob.publicKey, alice.publicKey, 1n)), 0n);
  assert.deepEqual(ext.snapshot(), before);
});

Deno.test("repatriateReserved() reaps a source left below the existential deposit", () => {
  const source = fresh("Source");
  const ext = withFunded(source, 3n * ED);
  run(ext, (ctx) => reserve(ctx, source.publicKey, 3n * ED - 5n));
  const before = issuance(ext);
  run(ext, (ctx) => repatriateReserved(ctx, source.publicKey, bob.publicKey, 3n * ED));
  assert.equal(exists(ext, source), false);
  assert.equal(free(ext, bob), ENDOWMENT + 3n * ED - 5n);
  assert.equal(issuance(ext), before - 5n);
  assertEvent(ext, "Balances", "DustLost", { account: source.publicKey, amount: 5n });
});

Deno.test("setLock() freezes the largest lock, replaces by id and removes with zero", () => {
  const ext = new TestExt();
  const frozen = () => account(ext.state, bob.publicKey).data.frozen;
  run(ext, (ctx) => setLock(ctx, LOCK, bob.publicKey, 5n * TOKEN));
  run(ext, (ctx) => setLock(ctx, OTHER_LOCK, bob.publicKey, 3n * TOKEN));
  assert.equal(frozen(), 5n * TOKEN);
  assert.equal(balancesStorage.Locks.get(ext.state, bob.publicKey).length, 2);
  run(ext, (ctx) => setLock(ctx, LOCK, bob.publicKey, TOKEN));
  assert.equal(frozen(), 3n * TOKEN);
  assert.equal(balancesStorage.Locks.get(ext.state, bob.publicKey).length, 2);
  run(ext, (ctx) => setLock(ctx, OTHER_LOCK, bob.publicKey, 0n));
  assert.equal(frozen(), TOKEN);
  run(ext, (ctx) => setLock(ctx, LOCK, bob.publicKey, 0n));
  assert.equal(frozen(), 0n);
  assert.equal(balancesStorage.Locks.contains(ext.state, bob.publicKey), false);
  // A lock moves no balance.
  assert.equal(free(ext, bob), ENDOWMENT);
});

Deno.test("setLock() on an account that does not exist creates no account", () => {
  const ext = new TestExt();
  const ghost = fresh("Ghost");
  run(ext, (ctx) => setLock(ctx, LOCK, ghost.publicKey, TOKEN));
  assert.equal(exists(ext, ghost), false);
  assert.equal(balancesStorage.Locks.get(ext.state, ghost.publicKey)[0].amount, TOKEN);
});

Deno.test("mint() adds to free balance and issuance and emits Deposit", () => {
  const ext = new TestExt();
  const before = issuance(ext);
  assert.equal(run(ext, (ctx) => mint(ctx, bob.publicKey, TOKEN)), TOKEN);
  assert.equal(free(ext, bob), ENDOWMENT + TOKEN);
  assert.equal(issuance(ext), before + TOKEN);
  assertLastEvent(ext, "Balances", "Deposit", { who: bob.publicKey, amount: TOKEN });
});

Deno.test("mint() creates a new account at the existential deposit", () => {
  const ext = new TestExt();
  const newcomer = fresh("Newcomer");
  const start = ext.events().length;
  assert.equal(run(ext, (ctx) => mint(ctx, newcomer.publicKey, ED)), ED);
  assert.equal(free(ext, newcomer), ED);
  assert.deepEqual(eventNames(ext, start), [
    "System.NewAccount",
    "Balances.Endowed",
    "Balances.Deposit",
  ]);
});

Deno.test("mint() below the existential deposit to a new account, or of zero, mints nothing", () => {
  const ext = new TestExt();
  const before = ext.snapshot();
  assert.equal(run(ext, (ctx) => mint(ctx, fresh("Newcomer").publicKey, ED - 1n)), 0n);
  assert.equal(run(ext, (ctx) => mint(ctx, bob.publicKey, 0n)), 0n);
  assert.deepEqual(ext.snapshot(), before);
});

Deno.test("withdraw() burns free balance and emits Withdraw", () => {
  const ext = new TestExt();
  const before = issuance(ext);
  run(ext, (ctx) => withdraw(ctx, bob.publicKey, TOKEN, true));
  assert.equal(free(ext, bob), ENDOWMENT - TOKEN);
  assert.equal(issuance(ext), before - TOKEN);
  assertLastEvent(ext, "Balances", "Withdraw", { who: bob.publicKey, amount: TOKEN });
});

Deno.test("withdraw() fails with InsufficientBalance, LiquidityRestrictions and Expendability", () => {
  const who = fresh("Payer");
  const ext = withFunded(who, 10n * ED);
  const w = (amount: bigint, keepAlive: boolean) => (ctx: Parameters<typeof withdraw>[0]) =>
    withdraw(ctx, who.publicKey, amount, keepAlive);
  runNoop(ext, w(10n * ED + 1n, false), "Balances.InsufficientBalance");
  runNoop(ext, w(9n * ED + 1n, true), "Balances.Expendability");
  run(ext, (ctx) => setLock(ctx, LOCK, who.publicKey, 4n * ED));
  runNoop(ext, w(6n * ED + 1n, false), "Balances.LiquidityRestrictions");
});

Deno.test("withdraw() without keepAlive reaps the account, burning the dust too", () => {
  const who = fresh("Payer");
  const ext = withFunded(who, 10n * ED);
  const before = issuance(ext);
  run(ext, (ctx) => withdraw(ctx, who.publicKey, 9n * ED + 1n, false));
  assert.equal(exists(ext, who), false);
  assert.equal(issuance(ext), before - 10n * ED);
  assert.deepEqual(eventNames(ext).slice(-3), [
    "Balances.DustLost",
    "System.KilledAccount",
    "Balances.Withdraw",
  ]);
});

Deno.test("transfer() is the helper behind the calls, callable by other pallets", () => {
  const ext = new TestExt();
  run(ext, (ctx) => transfer(ctx, alice.publicKey, bob.publicKey, TOKEN, true));
  assert.equal(free(ext, bob), ENDOWMENT + TOKEN);
  runNoop(
    ext,
    (ctx) => transfer(ctx, bob.publicKey, alice.publicKey, 2n * ENDOWMENT, false),
    "Balances.InsufficientBalance",
  );
  assert.equal(free(ext, bob), ENDOWMENT + TOKEN);
});
