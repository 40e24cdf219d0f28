import assert from "node:assert/strict";
import { t } from "../codec/types.ts";
import type { Header } from "../block/header.ts";
import { verifyMulti } from "../crypto/mod.ts";
import { LIMITS, PROPERTIES, VERSION } from "../mod.ts";
import { type Migration, MigrationError } from "../pallet/migration.ts";
import { definePallet, type Pallet } from "../pallet/pallet.ts";
import {
  onChainStorageVersion,
  putStorageVersion,
  storageVersionKey,
} from "../pallet/storage_version.ts";
import { concatBytes, utf8 } from "../primitives/bytes.ts";
import { twox128 } from "../primitives/hashing.ts";
import { declareStorage, value } from "../storage/items.ts";
import { Overlay } from "../storage/overlay.ts";
import { MemoryNodeStore, Trie } from "../trie/mod.ts";
import { thrownBy } from "../testing/mod.ts";
import { system, systemApi, systemStorage } from "../../pallets/system/mod.ts";
import type { PaymentApi } from "./apis.ts";
import { CODE_KEY, runtimeCode } from "./code.ts";
import { BlockError, Executive, type SealedState } from "./executive.ts";
import { Runtime, type RuntimeVersion } from "./runtime.ts";

/** No fees: these chains carry no signed extrinsic. */
const noFees: PaymentApi = { computeFee: () => 0n, withdrawFee() {}, settleFee() {} };

/** Every migration run, as `Pallet:from`, in order (reset by each chain). */
let journal: string[] = [];

/** A toy pallet with one `u32` value, at `version`, whose migrations add `from + 1` to it. */
function toy(name: string, version: number, froms: number[], weight = 1_000): Pallet {
  const storage = declareStorage(name, { Value: value({ type: t.u32, default: 0, docs: "" }) });
  const step = (from: number): Migration => ({
    from,
    docs: `v${from + 1}`,
    migrate(ctx) {
      journal.push(`${name}:${from}`);
      storage.Value.set(ctx.state, storage.Value.get(ctx.state) + from + 1);
      return weight;
    },
  });
  return definePallet({
    name,
    docs: "A toy.",
    storage,
    storageVersion: version,
    migrations: froms.map(step),
  });
}

function toyRuntime(specVersion: number, pallets: Pallet[], specName = VERSION.specName): Runtime {
  const version: RuntimeVersion = { ...VERSION, specVersion, specName };
  return new Runtime({
    version,
    pallets: [system, ...pallets].map((pallet, index) => ({ index, pallet })),
    system: systemApi,
    payment: noFees,
    limits: LIMITS,
    properties: PROPERTIES,
  });
}

/** A chain in memory that any of several runtimes (releases of one chain) can extend. */
class Chain {
  readonly store = new MemoryNodeStore();
  parent: Header;

  constructor(genesisRuntime: Runtime) {
    this.parent = this.#keep(this.executive(genesisRuntime).genesis({}));
    journal = [];
  }

  executive(runtime: Runtime): Executive {
    return new Executive(runtime, new Trie(this.store), verifyMulti);
  }

  /** Builds the next block with `runtime` and keeps it as the new head. */
  build(runtime: Runtime): SealedState {
    const sealed = this.executive(runtime).buildBlock(this.parent, []).finish();
    this.parent = this.#keep(sealed);
    return sealed;
  }

  #keep(sealed: SealedState): Header {
    this.store.insert(sealed.nodes);
    return sealed.header;
  }

  state(runtime: Runtime, header = this.parent) {
    return this.executive(runtime).stateAt(header.stateRoot);
  }
}

const v1 = toyRuntime(1, [toy("Alpha", 0, []), toy("Beta", 0, [])]);
const v2 = toyRuntime(2, [toy("Alpha", 2, [0, 1], 1_000), toy("Beta", 1, [0], 20_000)]);

Deno.test("genesis writes every pallet's storage version at FRAME's key (u16 LE) and LastRuntimeUpgrade", () => {
  const chain = new Chain(v2);
  const state = chain.state(v2);
  assert.deepEqual(
    storageVersionKey("Alpha"),
    concatBytes(twox128(utf8("Alpha")), twox128(utf8(":__STORAGE_VERSION__:"))),
  );
  assert.deepEqual(state.get(storageVersionKey("Alpha")), new Uint8Array([2, 0]));
  assert.deepEqual(state.get(storageVersionKey("Beta")), new Uint8Array([1, 0]));
  assert.deepEqual(state.get(storageVersionKey("System")), new Uint8Array([0, 0]));
  // `{ spec_version: Compact<u32>, spec_name: String }`: compact 2, then "sutantra".
  assert.deepEqual(
    state.get(systemStorage.LastRuntimeUpgrade.key),
    concatBytes(new Uint8Array([2 << 2, 8 << 2]), utf8("sutantra")),
  );
  assert.deepEqual(state.get(CODE_KEY), runtimeCode(v2.version));
  chain.build(v2);
  assert.deepEqual(journal, [], "a new chain has nothing to migrate");
});

Deno.test("a storage version above 255 is two bytes, low byte first", () => {
  const state = new Overlay(new Chain(v1).state(v1));
  putStorageVersion(state, "Alpha", 258);
  assert.deepEqual(state.get(storageVersionKey("Alpha")), new Uint8Array([2, 1]));
  assert.equal(onChainStorageVersion(state, "Alpha"), 258);
  assert.throws(() => putStorageVersion(state, "Alpha", 65_536), /not a u16/);
});

Deno.test("the first block of a higher spec version migrates once, in pallet order then version order", () => {
  const chain = new Chain(v1);
  chain.build(v1);
  assert.deepEqual(journal, []);
  const upgrade = chain.build(v2);
  assert.deepEqual(journal, ["Alpha:0", "Alpha:1", "Beta:0"]);
  const state = chain.state(v2);
  assert.equal(onChainStorageVersion(state, "Alpha"), 2);
  assert.equal(onChainStorageVersion(state, "Beta"), 1);
  assert.deepEqual(systemApi.lastRuntimeUpgrade(state), { specVersion: 2, specName: "sutantra" });
  assert.deepEqual(state.get(CODE_KEY), runtimeCode(v2.version));
  assert.deepEqual(
    upgrade.events.map((e) => [e.phase.tag, `${e.pallet}.${e.name}`]),
    [["Initialization", "System.CodeUpdated"]],
  );
  chain.build(v2);
  chain.build(v2);
  assert.deepEqual(journal, ["Alpha:0", "Alpha:1", "Beta:0"], "never again");
});

Deno.test("the upgrade's migrations count in the block's weight", () => {
  const chain = new Chain(v1);
  chain.build(v1);
  const upgrade = chain.executive(v2).buildBlock(chain.parent, []);
  assert.equal(upgrade.weight, LIMITS.blockExecutionWeight + 1_000 + 1_000 + 20_000);
  chain.build(v2);
  const next = chain.executive(v2).buildBlock(chain.parent, []);
  assert.equal(next.weight, LIMITS.blockExecutionWeight);
});

Deno.test("building and importing the upgrade block agree; a node still on the old release refuses it", () => {
  const chain = new Chain(v1);
  chain.build(v1);
  const parent = chain.parent;
  const built = chain.build(v2);
  const block = { header: built.header, extrinsics: built.extrinsics };
  const imported = chain.executive(v2).executeBlock(parent, block);
  assert.deepEqual(imported.header.stateRoot, built.header.stateRoot);
  assert.deepEqual(imported.hash, built.hash);
  const old = thrownBy(BlockError, () => chain.executive(v1).executeBlock(parent, block));
  assert.equal(old.code, "BLOCK_ERROR_STATE_ROOT_MISMATCH");
});

Deno.test("a runtime of the same spec version migrates nothing, and the check says to bump it", () => {
  const chain = new Chain(v1);
  const unbumped = toyRuntime(1, [toy("Alpha", 1, [0]), toy("Beta", 0, [])]);
  chain.build(unbumped);
  assert.deepEqual(journal, []);
  assert.throws(
    () => chain.executive(unbumped).checkStorageVersions(chain.parent.stateRoot),
    /Alpha is at storage version 0, behind the runtime's 1, but spec version 1 is no upgrade of the chain: its migrations would never run \(bump specVersion\)/,
  );
  chain.executive(v2).checkStorageVersions(chain.parent.stateRoot);
});

Deno.test("another spec name upgrades the chain too (FRAME's was_upgraded)", () => {
  const chain = new Chain(v1);
  chain.build(toyRuntime(1, [toy("Alpha", 1, [0]), toy("Beta", 0, [])], "renamed"));
  assert.deepEqual(journal, ["Alpha:0"]);
});

Deno.test("a chain with no LastRuntimeUpgrade (older than the record) migrates at its next block", () => {
  const chain = new Chain(v1);
  const state = new Overlay(chain.state(v1));
  systemStorage.LastRuntimeUpgrade.remove(state);
  const sealed = chain.executive(v1).genesisFromPairs(state.changes());
  chain.store.insert(sealed.nodes);
  chain.parent = sealed.header;
  chain.build(v2);
  assert.deepEqual(journal, ["Alpha:0", "Alpha:1", "Beta:0"]);
});

Deno.test("a runtime whose migrations have a gap, a stray or a duplicate step is refused when composed", () => {
  const compose = (version: number, froms: number[]) => () =>
    toyRuntime(3, [toy("Alpha", version, froms)]);
  assert.throws(
    compose(3, [0, 2]),
    /Cannot compose runtime: Alpha's migrations have a gap: none from v1 to v2/,
  );
  assert.throws(
    compose(2, [0]),
    /Cannot compose runtime: Alpha's migrations stop at v1, short of storage version 2/,
  );
  assert.throws(
    compose(1, [0, 1]),
    /Alpha's migrations include one from v1, but the pallet is at storage version 1/,
  );
  assert.throws(compose(2, [1, 1]), /Alpha's migrations include two from v1/);
  assert.throws(compose(70_000, []), /Invalid storage version of Alpha: 70000 is not a u16/);
  // Dropping steps every chain has run is fine: the list only has to reach the version.
  compose(3, [1, 2])();
  compose(3, [])();
});

Deno.test("a state ahead of the runtime, or behind its oldest migration, is refused before any block", () => {
  const chain = new Chain(v2);
  const older = toyRuntime(3, [toy("Alpha", 1, [0]), toy("Beta", 1, [0])]);
  assert.throws(
    () => chain.executive(older).checkStorageVersions(chain.parent.stateRoot),
    /Cannot migrate Alpha: the state is at storage version 2, ahead of the runtime's 1/,
  );
  const pruned = new Chain(v1);
  const newer = toyRuntime(3, [toy("Alpha", 3, [1, 2]), toy("Beta", 0, [])]);
  assert.throws(
    () => pruned.executive(newer).checkStorageVersions(pruned.parent.stateRoot),
    /Cannot migrate Alpha: no migration from storage version 0 \(the runtime is at 3 and migrates from v1 at the earliest\)/,
  );
  // Had it been missed, the upgrade block fails rather than run the pallet on a layout it cannot read.
  const error = thrownBy(BlockError, () => pruned.build(newer));
  assert.equal(error.code, "BLOCK_ERROR_RUNTIME_UPGRADE_FAILED");
  assert.deepEqual([error.payload.pallet, error.payload.from], ["Alpha", 0]);
});

Deno.test("a migration that throws fails the block, built or imported, and the chain stays where it was", () => {
  const chain = new Chain(v1);
  chain.build(v1);
  const parent = chain.parent;
  const broken = toy("Beta", 1, []);
  broken.migrations = [{
    from: 0,
    docs: "v1",
    migrate: () => {
      throw new RangeError("corrupt record");
    },
  }];
  const bad = toyRuntime(2, [toy("Alpha", 2, [0, 1]), broken]);
  const building = thrownBy(BlockError, () => chain.build(bad));
  assert.equal(building.code, "BLOCK_ERROR_RUNTIME_UPGRADE_FAILED");
  assert.match(
    building.message,
    /Cannot migrate Beta from storage version 0: RangeError: corrupt record/,
  );
  assert.deepEqual(building.payload.pallet, "Beta");
  const good = chain.build(v2);
  const importing = thrownBy(
    BlockError,
    () => chain.executive(bad).executeBlock(parent, good),
  );
  assert.equal(importing.code, "BLOCK_ERROR_RUNTIME_UPGRADE_FAILED");
  const state = chain.state(v1, parent);
  assert.equal(onChainStorageVersion(state, "Alpha"), 0);
  assert.deepEqual(systemApi.lastRuntimeUpgrade(state), { specVersion: 1, specName: "sutantra" });
});

Deno.test("tryRuntimeUpgrade runs each migration between its pre and post checks, and a failed check names it", () => {
  const chain = new Chain(v1);
  const seen: string[] = [];
  const checked = toy("Alpha", 1, []);
  checked.migrations = [{
    from: 0,
    docs: "v1",
    preUpgrade: (state) => {
      seen.push("pre");
      return new Uint8Array([onChainStorageVersion(state, "Alpha")]);
    },
    migrate: () => (seen.push("migrate"), 5),
    postUpgrade: (state, pre) => {
      seen.push(`post ${pre[0]} -> ${onChainStorageVersion(state, "Alpha")}`);
      if (pre[0] === 0) throw new Error("Alpha lost a record");
    },
  }];
  const upgraded = toyRuntime(2, [checked, toy("Beta", 0, [])]);
  const error = thrownBy(
    MigrationError,
    () => chain.executive(upgraded).tryRuntimeUpgrade(chain.parent.stateRoot),
  );
  assert.deepEqual(seen, ["pre", "migrate", "post 0 -> 1"]);
  assert.match(
    error.message,
    /Cannot migrate Alpha from storage version 0: Error: Alpha lost a record/,
  );
  const { weight, state } = chain.executive(v2).tryRuntimeUpgrade(chain.parent.stateRoot);
  assert.equal(weight, 22_000);
  assert.equal(onChainStorageVersion(state, "Alpha"), 2);
  assert.equal(
    onChainStorageVersion(chain.state(v1), "Alpha"),
    0,
    "try-runtime keeps nothing",
  );
});
