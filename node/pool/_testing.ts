/**
 * Test helpers for the pool: a chain (the real runtime), a pool over it with
 * a clock the test moves, and real signed remarks.
 *
 * @module
 */
import type { Keypair } from "../../runtime/crypto/mod.ts";
import { blockHash } from "../../runtime/block/header.ts";
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import type { Era } from "../../runtime/extrinsic/era.ts";
import { TestExt } from "../../runtime/testing/mod.ts";
import { type PoolLimits, TransactionPool } from "./pool.ts";
import type { TxStatus } from "./status.ts";

/** A chain, a pool validating against it, and the pool's clock. */
export function setup(limits?: PoolLimits): {
  ext: TestExt;
  pool: TransactionPool;
  clock: { now: number };
} {
  const ext = new TestExt();
  const clock = { now: 1_000 };
  const pool = new TransactionPool({
    executive: ext.executive,
    limits,
    banMs: 60_000,
    now: () => clock.now,
  });
  return { ext, pool, clock };
}

let remarks = 0;

/** A real signed `System.remark`, unique each call, for the open block of `ext`. */
export function remark(
  ext: TestExt,
  signer: Keypair,
  options: { nonce?: number; tip?: bigint; era?: Era; genesisHash?: Uint8Array } = {},
): Uint8Array {
  const n = remarks++;
  return ext.signed(
    "System",
    "remark",
    { remark: new Uint8Array([n & 0xff, n >> 8]) },
    signer,
    options,
  );
}

/** Puts `txs` in the open block, seals it, and returns the new best's header and hash. */
export function includeAll(ext: TestExt, txs: Uint8Array[]) {
  for (const tx of txs) {
    const outcome = ext.applyExtrinsic(tx);
    if (!outcome.ok) throw new Error("the extrinsic failed in the block");
  }
  const body = [...ext.extrinsics];
  ext.nextBlock();
  return {
    header: ext.parent,
    hash: blockHash(ext.parent),
    body,
    included: txs.map(extrinsicHash),
  };
}

/** Watches `hash` and records its statuses as short strings (`inBlock` etc). */
export function record(pool: TransactionPool, hash: Uint8Array): TxStatus[] {
  const seen: TxStatus[] = [];
  pool.watch(hash, (s) => seen.push(s));
  return seen;
}

/** The types of recorded statuses. */
export function types(statuses: TxStatus[]): string[] {
  return statuses.map((s) => s.type);
}
