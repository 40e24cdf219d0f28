/**
 * `stf.transfers`: build and apply one block of 10,000 signed transfers among
 * 1,000 accounts (signature checks, nonces, fees, events and the state root
 * included), against the native ed25519 verify ceiling measured in the same
 * run. Target: ratio ≥ 0.5.
 */
import { keypairFromSeed } from "../runtime/crypto/mod.ts";
import { verifyNative } from "../runtime/crypto/mod.ts";
import { blake2_256 } from "../runtime/primitives/hashing.ts";
import { ss58Encode } from "../runtime/crypto/mod.ts";
import { TestExt } from "../runtime/testing/mod.ts";
import { runtimeGenesis, TOKEN } from "../chain-spec/presets.ts";
import type { BenchResult } from "./_result.ts";

const ACCOUNTS = 1_000;
const TRANSFERS = 10_000;

export async function run(): Promise<BenchResult[]> {
  const keys = Array.from(
    { length: ACCOUNTS },
    (_, i) => keypairFromSeed(blake2_256(new Uint8Array([i >> 8, i & 255]))),
  );
  const base = runtimeGenesis(["Alice"]);
  const balances = base.balances as { existentialDeposit: string; balances: [string, string][] };
  const ext = new TestExt({
    balances: {
      existentialDeposit: balances.existentialDeposit,
      balances: [
        ...balances.balances,
        ...keys.map((k) => [ss58Encode(k.publicKey), (1000n * TOKEN).toString()]),
      ],
    },
  });
  const nonces = new Array(ACCOUNTS).fill(0);
  const txs: Uint8Array[] = [];
  for (let i = 0; i < TRANSFERS; i++) {
    const from = i % ACCOUNTS;
    const to = (i * 7 + 1) % ACCOUNTS;
    txs.push(ext.signed(
      "Balances",
      "transferKeepAlive",
      {
        dest: { tag: "Id", value: keys[to].publicKey },
        value: TOKEN / 100n,
      },
      keys[from],
      { nonce: nonces[from]++ },
    ));
  }

  const start = performance.now();
  for (const tx of txs) {
    const outcome = ext.applyExtrinsic(tx);
    if (!outcome.ok) throw new Error("a benchmark transfer failed");
  }
  ext.nextBlock();
  const seconds = (performance.now() - start) / 1000;
  const tps = TRANSFERS / seconds;

  // The ceiling: native verification of as many distinct signatures.
  const messages = txs.map((_, i) => blake2_256(new Uint8Array([i >> 8, i & 255, 1])));
  const sigs = messages.map((m, i) => keys[i % ACCOUNTS].sign(m));
  const vStart = performance.now();
  for (let i = 0; i < TRANSFERS; i++) {
    if (!verifyNative(sigs[i], messages[i], keys[i % ACCOUNTS].publicKey)) {
      throw new Error("verify");
    }
  }
  const ceiling = TRANSFERS / ((performance.now() - vStart) / 1000);
  await Promise.resolve();
  return [{
    name: "stf.transfers",
    value: Math.round(tps),
    unit: "tx/s",
    ceiling: Math.round(ceiling),
    ratio: Number((tps / ceiling).toFixed(3)),
  }];
}

if (import.meta.main) console.table(await run());
