import assert from "node:assert/strict";
import { keypairFromUri, verifyMulti } from "../../runtime/crypto/mod.ts";
import { Executive } from "../../runtime/executive/executive.ts";
import { CODE_KEY, runtimeCode } from "../../runtime/executive/code.ts";
import { runtime, VERSION } from "../../runtime/mod.ts";
import { MigrationError } from "../../runtime/pallet/migration.ts";
import { onChainStorageVersion, storageVersionKey } from "../../runtime/pallet/storage_version.ts";
import { dev, type TestExt, thrownBy } from "../../runtime/testing/mod.ts";
import { Trie } from "../../runtime/trie/mod.ts";
import { systemStorage } from "../system/mod.ts";
import { ok, open, registerRelay, setup, STREAM, TOKEN, voucher } from "./_fixture.ts";
import { v1LaneCount } from "./migrations.ts";
import { accessStorage as storage, MAX_LANES_PER_CHANNEL } from "./mod.ts";
import { WEIGHTS } from "./weights.ts";

/**
 * Channels as spec 103 left them: Bob's with Charlie's and Alice's lanes,
 * Dave's with Charlie's, Eve's with none, and Ferdie's with 70 lanes (more
 * than v1 allows: relays came and went), then the state rewritten by hand
 * to the v0 layout of a chain started before storage versions: no
 * `LaneCount`, no storage versions, no `LastRuntimeUpgrade`, spec 103's
 * `:code`. Returns the channels' ids.
 */
function v0Chain(ext: TestExt): bigint[] {
  const bob = open(ext);
  ok(ext.apply("Access", "claim", voucher(ext, bob, TOKEN), dev.charlie));
  ok(ext.apply("Access", "claim", voucher(ext, bob, TOKEN, { payee: dev.alice }), dev.alice));
  const dave = open(ext, 100n * TOKEN, ext.blockNumber + 100, dev.dave);
  ok(ext.apply("Access", "claim", voucher(ext, dave, TOKEN, { signer: dev.dave }), dev.charlie));
  const eve = open(ext, 100n * TOKEN, ext.blockNumber + 100, dev.eve);
  const ferdie = open(ext, 100n * TOKEN, ext.blockNumber + 100, dev.ferdie);
  for (let i = 0; i < 70; i++) {
    storage.Lanes.set(ext.state, ferdie, keypairFromUri(`//Gone${i}`).publicKey, 1n);
  }
  for (const [id] of [...storage.LaneCount.entries(ext.state)]) {
    storage.LaneCount.remove(ext.state, id);
  }
  for (const { pallet } of runtime.pallets) ext.state.delete(storageVersionKey(pallet.name));
  systemStorage.LastRuntimeUpgrade.remove(ext.state);
  ext.state.set(CODE_KEY, runtimeCode({ ...VERSION, specVersion: 103 }));
  return [bob, dave, eve, ferdie];
}

Deno.test("v1 counts the lanes of every open channel on a v0 state, its try-runtime checks passing", () => {
  const ext = setup();
  const [bob, dave, eve, ferdie] = v0Chain(ext);
  ext.nextBlock();
  const { weight, state } = ext.executive.tryRuntimeUpgrade(ext.parent.stateRoot);
  assert.equal(storage.LaneCount.get(state, bob), 2);
  assert.equal(storage.LaneCount.get(state, dave), 1);
  assert.equal(storage.LaneCount.contains(state, eve), false, "no lane, no count");
  assert.equal(storage.LaneCount.get(state, ferdie), 70, "kept as it is, above MaxLanes");
  assert.equal(onChainStorageVersion(state, "Access"), 1);
  assert.equal(weight, WEIGHTS.migrateV1LaneCount(4, 73));
});

Deno.test("v1's post-upgrade check catches a count that is wrong", () => {
  const ext = setup();
  const [bob] = v0Chain(ext);
  ext.nextBlock();
  const state = ext.executive.stateAt(ext.parent.stateRoot);
  const pre = v1LaneCount.preUpgrade!(state);
  // A state where the count is off by one: as a faulty migration would leave it.
  const { state: migrated } = ext.executive.tryRuntimeUpgrade(ext.parent.stateRoot);
  storage.LaneCount.set(migrated, bob, 3);
  assert.throws(
    () => v1LaneCount.postUpgrade!(migrated, pre),
    new RegExp(`LaneCount of channel ${bob} is 3, not 2`),
  );
  // And the pre-upgrade check refuses a state that was migrated already.
  assert.throws(() => v1LaneCount.preUpgrade!(migrated), /channels have a LaneCount before v1/);
});

Deno.test("a v0 chain's next block is its upgrade block: built and imported to the same state root, once", () => {
  const ext = setup();
  const [bob, , , ferdie] = v0Chain(ext);
  ext.nextBlock();
  // The block now open is the first of spec 104 on this chain: it migrated at its start.
  const parent = ext.parent;
  const extrinsics = [...ext.extrinsics];
  assert.ok(ext.events().some((e) => e.pallet === "System" && e.name === "CodeUpdated"));
  assert.equal(storage.LaneCount.get(ext.state, bob), 2);
  assert.equal(onChainStorageVersion(ext.state, "Access"), 1);
  assert.equal(onChainStorageVersion(ext.state, "Balances"), 0);
  assert.deepEqual(systemStorage.LastRuntimeUpgrade.get(ext.state), {
    specVersion: 104,
    specName: "sutantra",
  });
  ext.nextBlock();
  const imported = new Executive(runtime, new Trie(ext.store), verifyMulti)
    .executeBlock(parent, { header: ext.parent, extrinsics });
  assert.deepEqual(imported.header.stateRoot, ext.parent.stateRoot);
  // The next block migrates nothing: no CodeUpdated, the counts as they were.
  assert.ok(!ext.events().some((e) => e.name === "CodeUpdated"));
  assert.equal(storage.LaneCount.get(ext.state, ferdie), 70);
  // New payees count on from the migrated figure, and past MaxLanes are refused.
  const relay = keypairFromUri("//Late");
  registerRelay(ext, relay.publicKey);
  ok(ext.apply("Streams", "announceRelay", { id: STREAM }, relay));
  ok(ext.apply("Access", "claim", voucher(ext, bob, TOKEN, { payee: relay }), relay));
  assert.equal(storage.LaneCount.get(ext.state, bob), 3);
  assert.ok(storage.LaneCount.get(ext.state, ferdie) > MAX_LANES_PER_CHANNEL);
  const refused = ext.apply(
    "Access",
    "claim",
    voucher(ext, ferdie, TOKEN, { signer: dev.ferdie, payee: relay }),
    relay,
  );
  assert.deepEqual(refused, { ok: false, error: "Access.TooManyLanes" });
});

Deno.test("the runtime refuses a state whose Access storage is newer than it", () => {
  const ext = setup();
  ext.state.set(storageVersionKey("Access"), new Uint8Array([2, 0]));
  ext.nextBlock();
  assert.throws(
    () => ext.executive.checkStorageVersions(ext.parent.stateRoot),
    /Cannot migrate Access: the state is at storage version 2, ahead of the runtime's 1/,
  );
  thrownBy(MigrationError, () => ext.executive.tryRuntimeUpgrade(ext.parent.stateRoot));
});
