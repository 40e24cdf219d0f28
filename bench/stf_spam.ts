/**
 * `stf.spam`: the worst block an attacker can pay for. The cheapest call
 * (`System.remark` of no bytes, signed) as many times as a block's normal
 * weight takes, base weights included, applied as the node imports a block
 * (signatures verified on worker threads while the main thread applies) and
 * on the main thread alone, against the 2 s a block may take. Target: ≤ 100%
 * of the budget; the fees the attacker paid for the block are reported too.
 * Once per signature kind: ed25519 (`stf.spam`), sr25519 and ecdsa (the
 * most expensive to verify), each weighed with its own verify cost.
 */
import { type SignatureType, verifyMulti } from "../runtime/crypto/mod.ts";
import { TestExt } from "../runtime/testing/mod.ts";
import { LIMITS } from "../runtime/mod.ts";
import { TOKEN } from "../chain-spec/presets.ts";
import { WEIGHT_PER_SECOND } from "../runtime/pallet/pallet.ts";
import {
  applyWithVerifiedSignatures,
  SignatureVerifierPool,
  VerifiedSignatures,
} from "../node/verify/mod.ts";
import type { BenchResult } from "./_result.ts";
import { fundedAccounts } from "./weights/base.ts";

const ACCOUNTS = 500;
const BUDGET_SECONDS = LIMITS.maxWeight / WEIGHT_PER_SECOND;

export async function run(): Promise<BenchResult[]> {
  return [
    ...await spam("Ed25519", "stf.spam"),
    ...await spam("Sr25519", "stf.spam.sr25519"),
    ...await spam("Ecdsa", "stf.spam.ecdsa"),
  ];
}

/** The worst block an attacker signing with `kind` can pay for, as `name` and `name.one-thread`. */
async function spam(kind: SignatureType, name: string): Promise<BenchResult[]> {
  const { keys, genesis } = fundedAccounts(ACCOUNTS, kind);
  const signer = new TestExt(genesis);
  const remark = (i: number, nonce: number) =>
    signer.signed("System", "remark", { remark: new Uint8Array() }, keys[i % ACCOUNTS], { nonce });
  const { weight } = signer.executive.queryInfo(signer.parent, remark(0, 0));
  const fit = Math.floor(LIMITS.maxWeight * LIMITS.normalRatioPercent / 100 / weight) + 1;
  const txs = Array.from({ length: fit }, (_, i) => remark(i, Math.floor(i / ACCOUNTS)));

  /** Applies until the block is full; returns the extrinsics included and their fees. */
  const fill = async (
    chain: TestExt,
    parallel?: { pool: SignatureVerifierPool; verified: VerifiedSignatures },
  ) => {
    let included = 0;
    let fees = 0n;
    const apply = (tx: Uint8Array) => {
      try {
        const outcome = chain.applyExtrinsic(tx);
        included++;
        fees += outcome.fee;
      } catch {
        // ExhaustsResources: the block is full.
      }
    };
    if (parallel) {
      await applyWithVerifiedSignatures(
        {
          count: txs.length,
          signatureCheck: (i) => chain.signatureCheck(txs[i]),
          apply: (i) => apply(txs[i]),
        },
        parallel.pool,
        parallel.verified,
      );
    } else {
      for (const tx of txs) apply(tx);
    }
    chain.nextBlock();
    return { included, fees };
  };

  const pool = new SignatureVerifierPool();
  const verified = new VerifiedSignatures(verifyMulti);
  const runs: { parallel: number; serial: number; included: number; fees: bigint }[] = [];
  for (let round = 0; round < 3; round++) {
    let start = performance.now();
    const one = await fill(new TestExt(genesis, { verify: verified.verify }), { pool, verified });
    const parallel = (performance.now() - start) / 1000;
    start = performance.now();
    await fill(new TestExt(genesis));
    const serial = (performance.now() - start) / 1000;
    runs.push({ parallel, serial, included: one.included, fees: one.fees });
  }
  pool.close();
  const median = (pick: (r: typeof runs[number]) => number) =>
    runs.map(pick).sort((a, b) => a - b)[1];
  const { included, fees } = runs[0];
  const stream = Number(fees) / Number(TOKEN);
  const result = (name: string, seconds: number): BenchResult => ({
    name,
    value: Number(seconds.toFixed(3)),
    unit: "s",
    ceiling: BUDGET_SECONDS,
    ratio: Number((seconds / BUDGET_SECONDS).toFixed(3)),
    note: `${included} remarks of ${weight / 1e6} µs weight; the attacker paid ${
      stream.toFixed(3)
    } STREAM`,
  });
  return [
    result(name, median((r) => r.parallel)),
    result(`${name}.one-thread`, median((r) => r.serial)),
  ];
}

if (import.meta.main) console.table(await run());
