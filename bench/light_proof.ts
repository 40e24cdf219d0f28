/**
 * `light.proof`: storage reads a second a light client verifies, against a
 * full node's raw reads of the same keys (`light.proof.raw`: `Trie.get`
 * with the state in memory, its ceiling), in a state of 100k account pairs
 * (`_account_state.ts`). The real {@link LightClient} reads from a
 * {@link CannedPeer}: each `read(keys)` asks for a read proof (answered
 * with its bytes, proven before the clock starts), decodes it, checks it
 * against the finalized state root (`ProvenState`), and then each key is
 * got from it. With one key a proof, and with the most a proof covers
 * (`MAX_PROOF_KEYS`), whose keys share its upper nodes.
 *
 * @module
 */
import type { Header } from "../runtime/block/header.ts";
import { LightClient } from "../client/light/client.ts";
import { MAX_PROOF_KEYS, readProofType } from "../client/light/protocol.ts";
import { encode } from "../runtime/codec/types.ts";
import { verifyNative } from "../runtime/crypto/mod.ts";
import { buildState, pickKeys, readRate } from "./_account_state.ts";
import { CannedPeer } from "./_light_peer.ts";
import type { BenchResult } from "./_result.ts";

const SIZE = 100_000;
const READS = 4096;

/** Raw reads a second, then verified reads a second at one key and at the most keys a proof. */
export async function run(): Promise<BenchResult[]> {
  const { trie, root, keys } = buildState(SIZE);
  const picked = pickKeys(keys, READS);
  readRate(trie, root, picked, READS); // warms the JIT and the decoded-node cache
  const raw = readRate(trie, root, picked, READS * 10);
  const results: BenchResult[] = [{
    name: "light.proof.raw",
    value: Math.round(raw),
    unit: "reads/s",
    note: "the full node's Trie.get, state in memory",
  }];
  for (const size of [1, MAX_PROOF_KEYS]) {
    const batches = Array.from(
      { length: READS / size },
      (_, i) => picked.slice(i * size, (i + 1) * size),
    );
    const proofs = batches.map((batch) => encode(readProofType, trie.prove(root, batch)));
    await verifiedRate(root, batches, proofs); // warms the JIT
    const rate = await verifiedRate(root, batches, proofs);
    const bytes = proofs.reduce((sum, p) => sum + p.length, 0) / READS;
    results.push({
      name: `light.proof.verified.${size}`,
      value: Math.round(rate),
      unit: "reads/s",
      ceiling: Math.round(raw),
      ratio: Math.round((rate / raw) * 1000) / 1000,
      note: `${size} key(s) a proof, ${Math.round(bytes)} proof bytes a key`,
    });
  }
  return results;
}

/** Reads a second of a light client at a block with `stateRoot`, one `read` a batch. */
async function verifiedRate(
  stateRoot: Uint8Array,
  batches: Uint8Array[][],
  proofs: Uint8Array[],
): Promise<number> {
  const header: Header = {
    parentHash: new Uint8Array(32),
    number: 0,
    stateRoot,
    extrinsicsRoot: new Uint8Array(32),
    digest: [],
  };
  let next = 0;
  const peer = new CannedPeer(() => proofs[next++]);
  // Finality is not asked for: the checkpoint is the block read.
  const client = new LightClient(
    { header, set: { setId: 0n, authorities: [] } },
    peer,
    verifyNative,
  );
  let reads = 0;
  const t0 = performance.now();
  for (const batch of batches) {
    const state = await client.read(batch);
    for (const key of batch) {
      if (state.get(key) === undefined) throw new Error("A read key is proven absent");
      reads++;
    }
  }
  return reads / ((performance.now() - t0) / 1000);
}

if (import.meta.main) console.table(await run());
