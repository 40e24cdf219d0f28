import assert from "node:assert/strict";
import { toHex } from "../runtime/primitives/hex.ts";
import { EMPTY_TRIE_ROOT, MemoryNodeStore } from "../runtime/trie/mod.ts";
import { createExecutive } from "../runtime/mod.ts";
import { freeBalance } from "../pallets/balances/mod.ts";
import { keypairFromUri } from "../runtime/crypto/mod.ts";
import { buildSpec, specToJson } from "./build.ts";
import { genesisFromRaw, rawGenesis, specGenesis } from "./genesis.ts";
import { ENDOWMENT } from "./presets.ts";
import { validateChainSpec } from "./spec.ts";

for (const name of ["dev", "local"]) {
  Deno.test(`${name}: the raw spec gives the same genesis state root and hash`, () => {
    const plain = specGenesis(buildSpec(name));
    const raw = buildSpec(name, { raw: true });
    assert.ok("raw" in raw.genesis);
    const fromRaw = specGenesis(raw);
    assert.equal(toHex(fromRaw.header.stateRoot), toHex(plain.header.stateRoot));
    assert.equal(toHex(fromRaw.hash), toHex(plain.hash));
  });
}

Deno.test("a raw spec survives JSON and validation, keys in order", () => {
  const raw = buildSpec("dev", { raw: true });
  const again = validateChainSpec(JSON.parse(specToJson(raw)));
  assert.deepEqual(again, raw);
  assert.ok("raw" in again.genesis);
  const keys = Object.keys(again.genesis.raw.top);
  assert.deepEqual(keys, [...keys].sort());
});

Deno.test("genesisFromRaw() commits readable state into the executive's trie", () => {
  const spec = buildSpec("dev");
  assert.ok("runtime" in spec.genesis);
  const top = rawGenesis(spec.genesis.runtime);
  const store = new MemoryNodeStore();
  const executive = createExecutive(store);
  const sealed = genesisFromRaw(executive, top);
  store.insert(sealed.nodes);
  const state = executive.stateAt(sealed.header.stateRoot);
  assert.equal(freeBalance(state, keypairFromUri("//Ferdie//stash").publicKey), ENDOWMENT);
  assert.equal([...state.entries(new Uint8Array())].length, Object.keys(top).length);
});

Deno.test("genesisFromRaw() of no pairs is the empty trie", () => {
  const empty = genesisFromRaw(createExecutive(), {});
  assert.equal(toHex(empty.header.stateRoot), toHex(EMPTY_TRIE_ROOT));
});
