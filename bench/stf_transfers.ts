/**
 * `stf.transfers`: build and apply one block of 10,000 signed transfers among
 * 1,000 accounts (signature checks, nonces, fees, events and the state root
 * included), against the native ed25519 verify ceiling measured in the same
 * run. Target: ratio ≥ 0.5.
 *
 * Measured twice over the same transactions: as the node applies a block
 * (signatures verified on worker threads while the main thread applies,
 * `stf.transfers`), and on the main thread alone (`stf.transfers.one-thread`).
 */
import { keypairFromSeed, ss58Encode, verifyNative } from "../runtime/crypto/mod.ts";
import { blake2_256 } from "../runtime/primitives/hashing.ts";
import { TestExt } from "../runtime/testing/mod.ts";
import { runtimeGenesis, TOKEN } from "../chain-spec/presets.ts";
import {
  applyWithVerifiedSignatures,
  SignatureVerifierPool,
  VerifiedSignatures,
} from "../node/verify/mod.ts";
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
  const genesis = {
    balances: {
      existentialDeposit: balances.existentialDeposit,
      balances: [
        ...balances.balances,
        ...keys.map((k) => [ss58Encode(k.publicKey), (1000n * TOKEN).toString()]),
      ],
    },
  };
  const signer = new TestExt(genesis);
  const nonces = new Array(ACCOUNTS).fill(0);
  const txs: Uint8Array[] = [];
  for (let i = 0; i < TRANSFERS; i++) {
    const from = i % ACCOUNTS;
    const to = (i * 7 + 1) % ACCOUNTS;
    txs.push(signer.signed(
      "Balances",
      "transferKeepAlive",
      { dest: { tag: "Id", value: keys[to].publicKey }, value: TOKEN / 100n },
      keys[from],
      { nonce: nonces[from]++ },
    ));
  }

  const pool = new SignatureVerifierPool();
  const verified = new VerifiedSignatures(verifyNative);
  const parallel = new TestExt(genesis, { verify: verified.verify });
  const parallelSeconds = await timed(async () => {
    await applyWithVerifiedSignatures(
      {
        count: txs.length,
        signatureCheck: (i) => parallel.signatureCheck(txs[i]),
        apply: (i) => mustSucceed(parallel.applyExtrinsic(txs[i]).ok),
      },
      pool,
      verified,
    );
    parallel.nextBlock();
  });
  pool.close();

  const serial = new TestExt(genesis);
  const serialSeconds = await timed(() => {
    for (const tx of txs) mustSucceed(serial.applyExtrinsic(tx).ok);
    serial.nextBlock();
    return Promise.resolve();
  });
  if (serial.parent.stateRoot.join() !== parallel.parent.stateRoot.join()) {
    throw new Error("the two ways of applying the block disagree on the state root");
  }

  // The ceiling: native verification of as many distinct signatures, one thread.
  const messages = txs.map((_, i) => blake2_256(new Uint8Array([i >> 8, i & 255, 1])));
  const sigs = messages.map((m, i) => keys[i % ACCOUNTS].sign(m));
  const verifySeconds = await timed(() => {
    for (let i = 0; i < TRANSFERS; i++) {
      if (!verifyNative(sigs[i], messages[i], keys[i % ACCOUNTS].publicKey)) {
        throw new Error("verify");
      }
    }
    return Promise.resolve();
  });
  const ceiling = TRANSFERS / verifySeconds;
  const result = (name: string, seconds: number): BenchResult => ({
    name,
    value: Math.round(TRANSFERS / seconds),
    unit: "tx/s",
    ceiling: Math.round(ceiling),
    ratio: Number((TRANSFERS / seconds / ceiling).toFixed(3)),
  });
  return [
    result("stf.transfers", parallelSeconds),
    result("stf.transfers.one-thread", serialSeconds),
  ];
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

function mustSucceed(ok: boolean): void {
  if (!ok) throw new Error("a benchmark transfer failed");
}

if (import.meta.main) console.table(await run());
