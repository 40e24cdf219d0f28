/**
 * The runtime's base weights, measured: `ExtrinsicBaseWeight`, what every
 * signed extrinsic costs before its call (decoding, the signature check on
 * the applying thread, nonce, fee, events), as the time of applying a
 * signed `System.remark` of no bytes less the remark's own call weight; and
 * `BlockExecutionWeight`, what an empty block costs (initialize, every
 * pallet's hooks, finalize, the state root). Each is the slowest of three
 * rounds, so a busy machine errs on the expensive side.
 *
 * @module
 */
import { keypairFromSeed, ss58Encode } from "../../runtime/crypto/mod.ts";
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import { TestExt } from "../../runtime/testing/mod.ts";
import { runtimeGenesis, TOKEN } from "../../chain-spec/presets.ts";
import { WEIGHTS as SYSTEM_WEIGHTS } from "../../pallets/system/weights.ts";
import type { Weight } from "../../runtime/pallet/pallet.ts";

const ACCOUNTS = 200;
const EXTRINSICS = 2_000;
const EMPTY_BLOCKS = 200;
const ROUNDS = 3;
const PICOS_PER_MS = 1_000_000_000;

/** Measured base weights, in picoseconds. */
export interface BaseWeights {
  extrinsicBaseWeight: Weight;
  blockExecutionWeight: Weight;
}

/** `count` funded accounts (1,000 tokens each) and a genesis that funds them; benches share it. */
export function fundedAccounts(count: number) {
  const keys = Array.from(
    { length: count },
    (_, i) => keypairFromSeed(blake2_256(new Uint8Array([i >> 8, i & 255, 7]))),
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
  return { keys, genesis };
}

/** Measures both base weights on this machine. */
export function measureBaseWeights(): BaseWeights {
  const { keys, genesis } = fundedAccounts(ACCOUNTS);
  const signer = new TestExt(genesis);
  const nonces = new Array(ACCOUNTS).fill(0);
  const remarks = Array.from(
    { length: EXTRINSICS },
    (_, i) =>
      signer.signed("System", "remark", { remark: new Uint8Array() }, keys[i % ACCOUNTS], {
        nonce: nonces[i % ACCOUNTS]++,
      }),
  );
  let perExtrinsicMs = 0;
  let perBlockMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const chain = new TestExt(genesis);
    const start = performance.now();
    for (const tx of remarks) {
      if (!chain.applyExtrinsic(tx).ok) throw new Error("a benchmark remark failed");
    }
    perExtrinsicMs = Math.max(perExtrinsicMs, (performance.now() - start) / EXTRINSICS);
    chain.nextBlock();
    const empty = performance.now();
    chain.nextBlock(EMPTY_BLOCKS);
    perBlockMs = Math.max(perBlockMs, (performance.now() - empty) / EMPTY_BLOCKS);
  }
  const remarkCall = SYSTEM_WEIGHTS.remark(0);
  return {
    extrinsicBaseWeight: Math.max(0, Math.round(perExtrinsicMs * PICOS_PER_MS) - remarkCall),
    blockExecutionWeight: Math.round(perBlockMs * PICOS_PER_MS),
  };
}

if (import.meta.main) console.table(measureBaseWeights());
