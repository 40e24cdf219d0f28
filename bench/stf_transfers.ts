/**
 * `stf.transfers`: build and apply 10,000 signed transfers among 1,000
 * accounts, in as few blocks as their weight (base weight included) allows
 * (signature checks, nonces, fees, events and the state roots included),
 * against the native ed25519 verify ceiling measured in the same run.
 * Target: ratio ≥ 0.5. Again signed with sr25519 (`stf.transfers.sr25519`),
 * against schnorrkel-wasm's own verify rate.
 *
 * Measured twice over the same transactions: as the node applies a block
 * (signatures verified on worker threads while the main thread applies,
 * `stf.transfers`), and on the main thread alone (`stf.transfers.one-thread`).
 * Three rounds of (ceiling, block, block) back to back; the round with the
 * median ratio is reported.
 */
import { type SignatureType, verifyMulti } from "../runtime/crypto/mod.ts";
import { TestExt } from "../runtime/testing/mod.ts";
import { LIMITS } from "../runtime/mod.ts";
import { TOKEN } from "../chain-spec/presets.ts";
import {
  applyWithVerifiedSignatures,
  SignatureVerifierPool,
  VerifiedSignatures,
} from "../node/verify/mod.ts";
import type { BenchResult } from "./_result.ts";
import { nativeVerifiesPerSecond, sr25519VerifiesPerSecond } from "./_ceiling.ts";
import { fundedAccounts } from "./weights/base.ts";

const ACCOUNTS = 1_000;
const TRANSFERS = 10_000;

export async function run(): Promise<BenchResult[]> {
  return [
    ...await transfers("Ed25519", "stf.transfers", nativeVerifiesPerSecond),
    ...await transfers("Sr25519", "stf.transfers.sr25519", sr25519VerifiesPerSecond),
  ];
}

/**
 * Transfers signed with keys of `kind`, against `ceiling`, the verify rate
 * of that kind's own library on one thread, as `name` and `name.one-thread`.
 */
async function transfers(
  kind: SignatureType,
  name: string,
  ceilingOf: (count: number) => number,
): Promise<BenchResult[]> {
  const { keys, genesis } = fundedAccounts(ACCOUNTS, kind);
  const signer = new TestExt(genesis);
  const nonces = new Array(ACCOUNTS).fill(0);
  const txs: Uint8Array[] = [];
  for (let i = 0; i < TRANSFERS; i++) {
    const from = i % ACCOUNTS;
    const to = (i * 7 + 1) % ACCOUNTS;
    txs.push(signer.signed(
      "Balances",
      "transferKeepAlive",
      { dest: { tag: "Id", value: keys[to].account ?? keys[to].publicKey }, value: TOKEN / 100n },
      keys[from],
      { nonce: nonces[from]++ },
    ));
  }

  // As many transfers as the block's normal weight takes (base weight included), block after block.
  const { weight } = signer.executive.queryInfo(signer.parent, txs[0]);
  const perBlock = Math.floor(LIMITS.maxWeight * LIMITS.normalRatioPercent / 100 / weight);
  const blocks = Array.from(
    { length: Math.ceil(txs.length / perBlock) },
    (_, i) => txs.slice(i * perBlock, (i + 1) * perBlock),
  );

  const pool = new SignatureVerifierPool();
  const verified = new VerifiedSignatures(verifyMulti);
  const roots = new Set<string>();
  const applyParallel = async () => {
    const chain = new TestExt(genesis, { verify: verified.verify });
    const seconds = await timed(async () => {
      for (const block of blocks) {
        await applyWithVerifiedSignatures(
          {
            count: block.length,
            signatureCheck: (i) => chain.signatureCheck(block[i]),
            apply: (i) => mustSucceed(chain.applyExtrinsic(block[i]).ok),
          },
          pool,
          verified,
        );
        chain.nextBlock();
      }
    });
    roots.add(chain.parent.stateRoot.join());
    return seconds;
  };
  const applySerial = async () => {
    const chain = new TestExt(genesis);
    const seconds = await timed(() => {
      for (const block of blocks) {
        for (const tx of block) mustSucceed(chain.applyExtrinsic(tx).ok);
        chain.nextBlock();
      }
      return Promise.resolve();
    });
    roots.add(chain.parent.stateRoot.join());
    return seconds;
  };

  // Rounds of (ceiling, parallel block, one-thread block) back to back: the
  // machine's speed drifts between minutes, so each ratio compares
  // neighbours, and the median round is reported.
  const rounds: { ceiling: number; parallel: number; serial: number }[] = [];
  for (let round = 0; round < 3; round++) {
    // The ceiling: verifying as many distinct signatures of this kind, one thread.
    const ceiling = ceilingOf(TRANSFERS);
    rounds.push({
      ceiling,
      parallel: TRANSFERS / await applyParallel(),
      serial: TRANSFERS / await applySerial(),
    });
  }
  pool.close();
  if (roots.size !== 1) throw new Error("the runs disagree on the state root");
  const result = (name: string, rate: (r: typeof rounds[number]) => number): BenchResult => {
    const r = [...rounds].sort((a, b) => rate(a) / a.ceiling - rate(b) / b.ceiling)[1];
    return {
      name,
      value: Math.round(rate(r)),
      unit: "tx/s",
      ceiling: Math.round(r.ceiling),
      ratio: Number((rate(r) / r.ceiling).toFixed(3)),
    };
  };
  return [
    result(name, (r) => r.parallel),
    result(`${name}.one-thread`, (r) => r.serial),
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
