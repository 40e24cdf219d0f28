/**
 * state.proof: µs to generate, and to verify, a read proof of one key in a
 * trie of 100k account-like pairs (48-byte keys, 80-byte hashed values).
 *
 * @module
 */
import { verifyReadProof } from "../runtime/trie/mod.ts";
import type { BenchResult } from "./_result.ts";
import { buildState, pickKeys } from "./_account_state.ts";

const SIZE = 100_000;
const PROOFS = 2000;

export async function run(): Promise<BenchResult[]> {
  const { trie, root, keys } = buildState(SIZE);
  const chosen = pickKeys(keys, PROOFS);
  // Warm the JIT on a few, then time the rest.
  for (let i = 0; i < 100; i++) verifyReadProof(root, trie.prove(root, [chosen[i]]), [chosen[i]]);
  const proofs: Uint8Array[][] = [];
  let t0 = performance.now();
  for (const key of chosen) proofs.push(trie.prove(root, [key]));
  const proveUs = ((performance.now() - t0) * 1000) / PROOFS;
  t0 = performance.now();
  for (let i = 0; i < PROOFS; i++) {
    if (verifyReadProof(root, proofs[i], [chosen[i]]).size !== 1) throw new Error("unverified");
  }
  const verifyUs = ((performance.now() - t0) * 1000) / PROOFS;
  const nodes = proofs.reduce((s, p) => s + p.length, 0) / PROOFS;
  const bytes = proofs.reduce((s, p) => s + p.reduce((t, n) => t + n.length, 0), 0) / PROOFS;
  await Promise.resolve();
  return [
    { name: "state.proof.prove.100k", value: round(proveUs), unit: "µs/key" },
    { name: "state.proof.verify.100k", value: round(verifyUs), unit: "µs/key" },
    {
      name: "state.proof.size.100k",
      value: round(bytes),
      unit: `bytes/key (${round(nodes)} nodes)`,
    },
  ];
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (import.meta.main) console.table(await run());
