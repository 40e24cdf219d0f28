/**
 * The pool follows the chain's re-orgs, those finality causes included.
 */
import assert from "node:assert/strict";
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import { dev, TestExt } from "../../runtime/testing/mod.ts";
import { buildOn, openTestChain } from "../chain/_testing.ts";
import { followChain } from "./follow_chain.ts";
import { TransactionPool } from "./pool.ts";
import { record, remark, types } from "./_testing.ts";

Deno.test("finalizing a shorter fork returns the longer fork's transactions to the pool", async () => {
  await using chain = await openTestChain();
  const { client } = chain;
  const pool = new TransactionPool({ executive: client.executive });
  const errors: unknown[] = [];
  const genesis = client.best;
  const tx = remark(new TestExt(), dev.bob, { nonce: 0, genesisHash: client.genesisHash });
  const seen = record(pool, pool.submit(tx, genesis.header).hash);
  const unfollow = followChain(client, pool, (e) => errors.push(e));
  try {
    const a1 = (await client.importBlock(buildOn(client, genesis, { extrinsics: [tx] })))!.block;
    await client.importBlock(buildOn(client, a1));
    const b1 = (await client.importBlock(buildOn(client, genesis, { fork: 1 })))!.block;

    await client.finalize(b1.hash);
  } finally {
    await unfollow();
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(pool.pending().map(extrinsicHash), [extrinsicHash(tx)]);
  assert.deepEqual(types(seen), ["ready", "inBlock", "retracted", "ready"]);
});
