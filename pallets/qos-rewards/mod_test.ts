/**
 * The relay registry: register, update, deregister, with every error.
 */
import assert from "node:assert/strict";
import { assertLastEvent, assertNoop, dev, TestExt } from "../../runtime/testing/mod.ts";
import { type Keypair, keypairFromSeed, keypairFromUri } from "../../runtime/crypto/mod.ts";
import { utf8 } from "../../runtime/primitives/bytes.ts";
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { freeBalance, reservedBalance } from "../balances/mod.ts";
import { endpoint, newExt, ok, QOS, register } from "./_mock.ts";
import {
  isRegisteredRelay,
  MAX_ENDPOINT_LENGTH,
  MAX_RELAYS,
  registeredRelays,
  relayDeposit,
  relayInfo,
} from "./mod.ts";
import { relayStorage } from "./relays.ts";

const bob = dev.bob;

Deno.test("registerRelay() reserves the deposit and records the relay", () => {
  const ext = newExt();
  const free = freeBalance(ext.state, bob.publicKey);
  ok(ext, "QosRewards", "registerRelay", { endpoint: endpoint(bob) }, bob);
  assert.ok(isRegisteredRelay(ext.state, bob.publicKey));
  assert.deepEqual(relayInfo(ext.state, bob.publicKey), {
    deposit: QOS.relayDeposit,
    registeredAt: ext.blockNumber,
    endpoint: endpoint(bob),
  });
  assert.equal(reservedBalance(ext.state, bob.publicKey), QOS.relayDeposit);
  assert.equal(freeBalance(ext.state, bob.publicKey), free - QOS.relayDeposit);
  assertLastEvent(ext, "QosRewards", "RelayRegistered", {
    relay: bob.publicKey,
    deposit: QOS.relayDeposit,
  });
});

Deno.test("registerRelay() accepts an endpoint of exactly the maximum length", () => {
  const ext = newExt();
  ok(ext, "QosRewards", "registerRelay", {
    endpoint: new Uint8Array(MAX_ENDPOINT_LENGTH).fill(0x61),
  }, bob);
});

Deno.test("registerRelay() fails with AlreadyRegistered for a registered relay", () => {
  const ext = newExt();
  register(ext, bob);
  assertNoop(
    ext,
    "QosRewards",
    "registerRelay",
    { endpoint: endpoint(bob) },
    bob,
    "QosRewards.AlreadyRegistered",
  );
});

Deno.test("registerRelay() takes no endpoint above 256 bytes: it cannot be encoded", () => {
  const ext = newExt();
  assert.throws(
    () =>
      ext.apply("QosRewards", "registerRelay", {
        endpoint: new Uint8Array(MAX_ENDPOINT_LENGTH + 1),
      }, bob),
    /257 exceed 256/,
  );
});

Deno.test("registerRelay() fails when the deposit cannot be reserved", () => {
  const ext = newExt();
  const poor = keypairFromUri("//Poor");
  ok(ext, "Balances", "transferKeepAlive", {
    dest: { tag: "Id", value: poor.publicKey },
    value: QOS.relayDeposit / 2n,
  }, bob);
  assertNoop(
    ext,
    "QosRewards",
    "registerRelay",
    { endpoint: endpoint(poor) },
    poor,
    "Balances.InsufficientBalance",
  );
});

Deno.test("registerRelay() needs a signed origin", () => {
  const ext = newExt();
  assertNoop(ext, "QosRewards", "registerRelay", { endpoint: endpoint(bob) }, "root", "BadOrigin");
});

Deno.test("deregisterRelay() returns the deposit and removes the relay", () => {
  const ext = newExt();
  const free = freeBalance(ext.state, bob.publicKey);
  register(ext, bob);
  ok(ext, "QosRewards", "deregisterRelay", {}, bob);
  assert.ok(!isRegisteredRelay(ext.state, bob.publicKey));
  assert.equal(reservedBalance(ext.state, bob.publicKey), 0n);
  assert.equal(freeBalance(ext.state, bob.publicKey), free);
  assertLastEvent(ext, "QosRewards", "RelayDeregistered", {
    relay: bob.publicKey,
    deposit: QOS.relayDeposit,
  });
});

Deno.test("registeredRelays() lists every registered relay with its endpoint, not one that left", () => {
  const ext = newExt();
  const charlie = dev.charlie;
  register(ext, bob);
  register(ext, charlie);
  ok(ext, "QosRewards", "deregisterRelay", {}, bob);
  register(ext, dev.dave);
  const listed = new Map(
    [...registeredRelays(ext.state)].map(([relay, info]) => [toHex(relay), info.endpoint]),
  );
  assert.deepEqual(
    listed,
    new Map([charlie, dev.dave].map((k) => [toHex(k.publicKey), endpoint(k)])),
  );
});

Deno.test("deregisterRelay() fails with NotRegistered for an unknown relay", () => {
  const ext = newExt();
  assertNoop(ext, "QosRewards", "deregisterRelay", {}, bob, "QosRewards.NotRegistered");
});

Deno.test("updateEndpoint() changes only the endpoint", () => {
  const ext = newExt();
  register(ext, bob);
  const before = relayInfo(ext.state, bob.publicKey)!;
  const next = new TextEncoder().encode("https://relay.example/whep");
  ok(ext, "QosRewards", "updateEndpoint", { endpoint: next }, bob);
  assert.deepEqual(relayInfo(ext.state, bob.publicKey), { ...before, endpoint: next });
  assertLastEvent(ext, "QosRewards", "EndpointUpdated", { relay: bob.publicKey, endpoint: next });
});

Deno.test("updateEndpoint() fails with NotRegistered, and takes no endpoint above 256 bytes", () => {
  const ext = newExt();
  assertNoop(
    ext,
    "QosRewards",
    "updateEndpoint",
    {
      endpoint: endpoint(bob),
    },
    bob,
    "QosRewards.NotRegistered",
  );
  register(ext, bob);
  assert.throws(
    () =>
      ext.apply("QosRewards", "updateEndpoint", {
        endpoint: new Uint8Array(MAX_ENDPOINT_LENGTH + 1),
      }, bob),
    /257 exceed 256/,
  );
});

Deno.test("genesis stores the parameters and rejects bad ones", () => {
  const ext = newExt({ relayDeposit: 7n });
  assert.equal(relayDeposit(ext.state), 7n);
  assert.throws(
    () => newExt({ relayDeposit: 0n }),
    /genesis\.runtime\.qosRewards\.relayDeposit: must be at least 1/,
  );
  assert.throws(
    () => newExt({ maxReceiptsPerReport: 0 }),
    /genesis\.runtime\.qosRewards\.maxReceiptsPerReport: must be at least 1/,
  );
});

Deno.test("the default genesis works without a QoS section", () => {
  const ext = new TestExt();
  assert.ok(relayDeposit(ext.state) > 0n);
});

Deno.test("attack: relays are capped at MaxRelays (1,000), so the era payout's work is bounded", () => {
  const ext = newExt();
  const relay = (i: number) => keypairFromSeed(blake2_256(utf8(`qos-cap-relay:${i}`)));
  const fund = (who: Keypair) =>
    assert.deepEqual(
      ext.apply("Balances", "forceSetBalance", {
        who: { tag: "Id", value: who.publicKey },
        newFree: 2n * QOS.relayDeposit,
      }, "root"),
      { ok: true },
    );
  const registerNew = (who: Keypair) => {
    fund(who);
    return ext.apply("QosRewards", "registerRelay", { endpoint: endpoint(who) }, who);
  };
  for (let i = 0; i < MAX_RELAYS; i++) assert.deepEqual(registerNew(relay(i)), { ok: true });
  assert.equal(relayStorage.CounterForRelays.get(ext.state), MAX_RELAYS);

  // The 1,001st, funded, is refused and changes nothing.
  const late = relay(MAX_RELAYS);
  fund(late);
  assertNoop(
    ext,
    "QosRewards",
    "registerRelay",
    { endpoint: endpoint(late) },
    late,
    "QosRewards.TooManyRelays",
  );
  assert.ok(!isRegisteredRelay(ext.state, late.publicKey));

  // One leaves: the counter follows, and a newcomer fits.
  ok(ext, "QosRewards", "deregisterRelay", {}, relay(0));
  assert.equal(relayStorage.CounterForRelays.get(ext.state), MAX_RELAYS - 1);
  ok(ext, "QosRewards", "registerRelay", { endpoint: endpoint(late) }, late);
  assert.equal(relayStorage.CounterForRelays.get(ext.state), MAX_RELAYS);
  assertNoop(
    ext,
    "QosRewards",
    "registerRelay",
    { endpoint: endpoint(relay(0)) },
    relay(0),
    "QosRewards.TooManyRelays",
  );
});

Deno.test("CounterForRelays counts registrations and deregistrations", () => {
  const ext = newExt();
  register(ext, bob);
  register(ext, dev.charlie);
  assert.equal(relayStorage.CounterForRelays.get(ext.state), 2);
  ok(ext, "QosRewards", "deregisterRelay", {}, bob);
  assert.equal(relayStorage.CounterForRelays.get(ext.state), 1);
});
