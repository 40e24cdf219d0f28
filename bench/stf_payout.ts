/**
 * `stf.payout`: what the staking pallet's era hook and its payout pages
 * cost as whole blocks (the state root over what they write included,
 * which `deno task bench:weights` does not time), to check
 * `pallets/staking/weights.ts` against.
 *
 * - `stf.payout.era_block`: the block that starts an era (the election of
 *   16 validators, every nominator naming all 16, the worst a nomination
 *   can be; and the ended era's payout), less an empty block, per nominator.
 * - `stf.payout.page_block`: a block whose hook pays `PAGES_PER_BLOCK` (4)
 *   full pages (512 nominators each), less an empty block: the real cost
 *   of the most a block pays; and `stf.payout.page`, a quarter of it.
 *
 * Blocks are timed whole (hooks, events, the state root over the accounts
 * they credit) on the main thread; each figure is the slowest of three
 * rounds, so a busy machine errs on the expensive side.
 */
import { ss58Encode } from "../runtime/crypto/mod.ts";
import { blake2_256 } from "../runtime/primitives/hashing.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { TestExt } from "../runtime/testing/mod.ts";
import { runtimeGenesis, TOKEN } from "../chain-spec/presets.ts";
import { PAGES_PER_BLOCK } from "../pallets/staking/mod.ts";
import type { BenchResult } from "./_result.ts";

const ERA_LENGTH = 10;
const ROUNDS = 3;
const PAGE = 512;
const TARGETS = 16;

const id = (tag: number, i: number) => blake2_256(new Uint8Array([tag, i >> 16, i >> 8, i]));

/** A chain of `validators` validators and `nominators` nominators naming every validator. */
function chain(validators: number, nominators: number, eraLength = ERA_LENGTH): TestExt {
  const vals = Array.from({ length: validators }, (_, i) => id(1, i));
  const noms = Array.from({ length: nominators }, (_, i) => id(2, i));
  const base = runtimeGenesis(["Alice"]).balances as {
    existentialDeposit: string;
    balances: [string, string][];
  };
  const staker = (stash: Uint8Array, key: Uint8Array, bond: bigint, role: unknown) => ({
    stash: toHex(stash),
    sessionKey: toHex(key),
    bond: bond.toString(),
    role,
  });
  return new TestExt({
    balances: {
      existentialDeposit: base.existentialDeposit,
      balances: [
        ...base.balances,
        ...[...vals, ...noms].map((s) => [ss58Encode(s), (200_000n * TOKEN).toString()]),
      ],
    },
    qosRewards: {
      relayDeposit: (100n * TOKEN).toString(),
      eraIssuance: "0",
      maxReceiptsPerReport: 16,
    },
    staking: {
      eraLength,
      bondingDuration: 2,
      validatorCount: validators,
      minValidatorBond: (1_000n * TOKEN).toString(),
      minNominatorBond: (10n * TOKEN).toString(),
      eraPayout: (1_000n * TOKEN).toString(),
      equivocationSlashPerbill: 100_000_000,
      stakers: [
        ...vals.map((s, i) =>
          staker(s, id(3, i), 100_000n * TOKEN, { Validator: { commissionPerbill: 50_000_000 } })
        ),
        ...noms.map((s, i) =>
          staker(s, id(4, i), 10n * TOKEN + BigInt(i), { Nominator: vals.map(toHex) })
        ),
      ],
    },
  });
}

/** Milliseconds `fn` took. */
function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/**
 * Milliseconds a block takes (its hooks, then its finish with the state
 * root), steady state: `ext.nextBlock()` finishes one block and opens the
 * next, so the mean of `count` calls after a first untimed one covers
 * `count` whole blocks of the kind that repeats.
 */
function perBlock(ext: TestExt, count: number): number {
  ext.nextBlock();
  return timed(() => ext.nextBlock(count)) / count;
}

/** An era block (every block one, with one-block eras) and an empty block, in ms. */
function eraBlock(validators: number, nominators: number): { era: number; empty: number } {
  let era = 0;
  let empty = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    era = Math.max(era, perBlock(chain(validators, nominators, 1), 3));
    empty = Math.min(empty, perBlock(chain(validators, nominators), 3));
  }
  return { era, empty };
}

/**
 * A block paying `PAGES_PER_BLOCK` pages of one validator's `pages` full
 * pages (the first block after the era's untimed), and an empty block, in ms.
 */
function pageBlock(pages: number): { block: number; empty: number } {
  let block = 0;
  let empty = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const ext = chain(1, pages * PAGE);
    empty = Math.min(empty, perBlock(ext, 3));
    ext.nextBlock(ERA_LENGTH - ext.blockNumber);
    block = Math.max(block, perBlock(ext, pages / PAGES_PER_BLOCK - 1));
  }
  return { block, empty };
}

export function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const eraNote = `${TARGETS} validators, every nominator naming all ${TARGETS}`;
  for (const nominators of [250, 1_000]) {
    const { era, empty } = eraBlock(TARGETS, nominators);
    results.push({
      name: `stf.payout.era_block.${nominators}`,
      value: round((era - empty) * 1000 / nominators),
      unit: "µs/nominator",
      note: `${eraNote}; era block ${round(era)} ms, empty ${round(empty)} ms`,
    });
  }
  // Pages enough that every timed block pays PAGES_PER_BLOCK full ones:
  // one validator of 16 full pages (8,192 nominators), four blocks of them.
  const { block, empty } = pageBlock(4 * PAGES_PER_BLOCK);
  const blockMs = block - empty;
  results.push(
    {
      name: "stf.payout.page_block",
      value: round(blockMs),
      unit: "ms",
      note: `${PAGES_PER_BLOCK} pages of ${PAGE} nominators; block ${round(block)} ms, ` +
        `empty ${round(empty)} ms`,
    },
    {
      name: "stf.payout.page",
      value: round(blockMs * 1000 / PAGES_PER_BLOCK),
      unit: "µs",
      note: `${PAGE} nominators`,
    },
  );
  return Promise.resolve(results);
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

if (import.meta.main) console.table(await run());
