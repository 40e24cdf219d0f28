/**
 * Proven storage: typed reads of `System.Account` through read proofs
 * checked against a state root, and the attacks of a node serving them: an
 * altered value, a truncated proof, another block's proof. Each is refused
 * and nothing is kept; a key no proof covered asks for one.
 */
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import type { Header } from "../../runtime/block/header.ts";
import { encode } from "../../runtime/codec/types.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie } from "../../runtime/trie/mod.ts";
import { type AccountInfo, accountInfoType, systemStorage } from "../../pallets/system/mod.ts";
import { MissingFromProof, ProvenState, StateProofError } from "./state.ts";

const [alice, bob, charlie] = ["//Alice", "//Bob", "//Charlie"].map((u) =>
  keypairFromUri(u).publicKey
);
const account = (free: bigint): AccountInfo => ({
  nonce: 3,
  consumers: 0,
  providers: 1,
  sufficients: 0,
  data: { free, reserved: 0n, frozen: 0n, flags: 0n },
});
const key = (who: Uint8Array) => systemStorage.Account.keyOf(who);

/** A state with Alice and Bob's accounts and 64 other entries, and its header. */
function stateWith(aliceFree: bigint): { trie: Trie; header: Header } {
  const store = new MemoryNodeStore();
  const trie = new Trie(store);
  const entries: [Uint8Array, Uint8Array][] = [
    [key(alice), encode(accountInfoType, account(aliceFree))],
    [key(bob), encode(accountInfoType, account(5n))],
  ];
  for (let i = 0; i < 64; i++) entries.push([new Uint8Array([9, i]), new Uint8Array(40).fill(i)]);
  const { root, nodes } = trie.commit(EMPTY_TRIE_ROOT, entries);
  store.insert(nodes);
  const header = {
    parentHash: new Uint8Array(32),
    number: 7,
    stateRoot: root,
    extrinsicsRoot: new Uint8Array(32),
    digest: [],
  };
  return { trie, header };
}

Deno.test("typed storage reads through a proof: a balance, and an account proven absent", () => {
  const { trie, header } = stateWith(1_000n);
  const state = new ProvenState(header);
  const keys = [key(alice), key(charlie)];
  state.add(trie.prove(header.stateRoot, keys), keys);
  assertEquals(systemStorage.Account.get(state, alice)?.data.free, 1_000n);
  assertEquals(systemStorage.Account.get(state, charlie), undefined, "proven absent");
  throws(() => systemStorage.Account.get(state, bob), MissingFromProof, "Bob was not proven");
  throws(() => [...state.entries(new Uint8Array([9]))], MissingFromProof);
});

Deno.test("attack: an altered value, a truncated proof or another block's proof is refused", () => {
  const { trie, header } = stateWith(1_000n);
  const keys = [key(alice)];
  const proof = trie.prove(header.stateRoot, keys);
  const state = new ProvenState(header);

  // The node claims Alice holds more: the altered node no longer hashes to its reference.
  const richer = stateWith(1_000_000n);
  const forged = richer.trie.prove(richer.header.stateRoot, keys);
  throws(() => state.add(forged, keys), StateProofError);
  const flipped = proof.map((node, i) =>
    i === proof.length - 1 ? node.map((b, j) => j === node.length - 1 ? b ^ 1 : b) : node
  );
  throws(() => state.add(flipped, keys), StateProofError);
  throws(() => state.add(proof.slice(1), keys), StateProofError);
  throws(() => systemStorage.Account.get(state, alice), MissingFromProof, "nothing was kept");

  state.add(proof, keys);
  assertEquals(systemStorage.Account.get(state, alice)?.data.free, 1_000n);
});
