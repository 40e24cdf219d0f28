import assert from "node:assert/strict";
import { keypairFromUri, ss58Decode } from "../runtime/crypto/mod.ts";
import srVectors from "../runtime/crypto/testdata/sr25519_ecdsa_keys.json" with { type: "json" };
import { toHex } from "../runtime/primitives/hex.ts";
import type { StateReader } from "../runtime/storage/overlay.ts";
import { MemoryNodeStore } from "../runtime/trie/mod.ts";
import { createExecutive } from "../runtime/mod.ts";
import { authorities, slotDuration } from "../pallets/authorship/mod.ts";
import { existentialDeposit, freeBalance, totalIssuance } from "../pallets/balances/mod.ts";
import {
  currentValidators,
  eraLength,
  ledgerOf,
  sessionKeyOf,
  stakingStorage,
} from "../pallets/staking/mod.ts";
import { accessConfig } from "../pallets/access/mod.ts";
import { POT_ACCOUNT, qosRewardsStorage } from "../pallets/qos-rewards/mod.ts";
import { template } from "../pallets/template/mod.ts";
import { specToJson } from "./build.ts";
import {
  DEV_NAMES,
  devSpec,
  ENDOWMENT,
  ERA_LENGTH,
  localSpec,
  SLOT_MS,
  TOKEN,
  VALIDATOR_BOND,
} from "./presets.ts";
import { type ChainSpec, validateChainSpec } from "./spec.ts";

const key = (uri: string) => keypairFromUri(uri).publicKey;
const sortedHex = (keys: Uint8Array[]) => keys.map(toHex).sort();

/** The genesis state a (non-raw) spec builds. */
function genesisState(spec: ChainSpec): StateReader {
  assert.ok("runtime" in spec.genesis);
  const store = new MemoryNodeStore();
  const executive = createExecutive(store);
  const sealed = executive.genesis(spec.genesis.runtime);
  store.insert(sealed.nodes);
  return executive.stateAt(sealed.header.stateRoot);
}

/** Checks that exactly `names` validate, bonded from their stashes with their own keys. */
function assertValidators(state: StateReader, names: string[]): void {
  const stashes = names.map((n) => key(`//${n}//stash`));
  assert.deepEqual(sortedHex(currentValidators(state)), sortedHex(stashes));
  assert.deepEqual(sortedHex(authorities(state)), sortedHex(names.map((n) => key(`//${n}`))));
  for (const [i, name] of names.entries()) {
    assert.equal(toHex(sessionKeyOf(state, stashes[i])!), toHex(key(`//${name}`)));
    assert.equal(ledgerOf(state, stashes[i])?.active, VALIDATOR_BOND);
  }
  assert.equal(stakingStorage.ValidatorCount.get(state), names.length * 2);
}

for (const [file, preset] of [["dev.json", devSpec], ["local.json", localSpec]] as const) {
  Deno.test(`${file} is the preset written out, byte for byte`, () => {
    const text = Deno.readTextFileSync(new URL(`./${file}`, import.meta.url));
    assert.equal(text, specToJson(preset()));
  });

  Deno.test(`${file} validates and carries the STREAM token properties`, () => {
    const spec = validateChainSpec(JSON.parse(specToJson(preset())));
    assert.deepEqual(spec.properties, { ss58Format: 42, tokenSymbol: "STREAM", tokenDecimals: 12 });
  });
}

Deno.test("dev genesis: Alice validates alone, and every dev account and stash is funded", () => {
  const state = genesisState(devSpec());
  assertValidators(state, ["Alice"]);
  for (const name of DEV_NAMES) {
    assert.equal(freeBalance(state, key(`//${name}`)), ENDOWMENT);
    assert.equal(freeBalance(state, key(`//${name}//stash`)), ENDOWMENT);
  }
  const ed = existentialDeposit(state);
  assert.equal(ed, TOKEN / 1000n);
  assert.equal(freeBalance(state, POT_ACCOUNT), ed);
  // Twelve ed25519 accounts and six sr25519 ones.
  assert.equal(totalIssuance(state), 18n * ENDOWMENT + ed);
});

for (const preset of [devSpec, localSpec]) {
  Deno.test(`${preset().id} genesis endows the sr25519 //Alice..//Ferdie polkadot.js Apps signs with`, () => {
    const state = genesisState(preset());
    for (const name of DEV_NAMES) {
      const { publicKeyHex, ss58_42 } = srVectors.sr25519[`//${name}`];
      assert.equal(toHex(ss58Decode(ss58_42).publicKey), `0x${publicKeyHex}`);
      assert.equal(freeBalance(state, ss58Decode(ss58_42).publicKey), ENDOWMENT, name);
    }
  });
}

Deno.test("local genesis: Alice, Bob, Charlie and Dave validate from their stashes", () => {
  const state = genesisState(localSpec());
  assertValidators(state, ["Alice", "Bob", "Charlie", "Dave"]);
  assert.equal(ledgerOf(state, key("//Eve//stash")), undefined);
});

Deno.test("the presets set 6 s slots, 10-minute eras and the access and QoS parameters", () => {
  const state = genesisState(devSpec());
  assert.equal(slotDuration(state), BigInt(SLOT_MS));
  assert.equal(eraLength(state), ERA_LENGTH);
  assert.equal(ERA_LENGTH * SLOT_MS, 10 * 60 * 1000);
  assert.equal(stakingStorage.EraPayout.get(state), 20n * TOKEN);
  assert.deepEqual(accessConfig(state), {
    creatorSharePerbill: 800_000_000,
    relaySharePerbill: 150_000_000,
    settleWindow: 600,
    graceSeconds: 30,
    minDeposit: TOKEN / 100n,
    blockTimeMs: SLOT_MS,
  });
  assert.equal(qosRewardsStorage.RelayDeposit.get(state), 100n * TOKEN);
  assert.equal(qosRewardsStorage.EraIssuance.get(state), 10n * TOKEN);
  assert.equal(qosRewardsStorage.MaxReceiptsPerReport.get(state), 256);
  assert.equal(template.storage.Something.get(state), undefined);
});
