/**
 * Test helpers for the chain client: Alice's dev chain on a temp LevelDB
 * without seal checks, and real blocks built on any parent, so tests can
 * grow forks side by side.
 *
 * @module
 */
import { devSpec } from "../../chain-spec/presets.ts";
import type { Block } from "../../runtime/block/header.ts";
import { encodeBare } from "../../runtime/extrinsic/extrinsic.ts";
import { runtime } from "../../runtime/mod.ts";
import { ChainDatabase, type Pruning } from "../db/mod.ts";
import { ChainClient, type ChainClientInit } from "./client.ts";
import type { TreeBlock } from "./_tree.ts";

/** A chain client over a fresh database, and how to dispose of both. */
export interface TestChain {
  client: ChainClient;
  db: ChainDatabase;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The dev chain on the database at `path`, kept as `pruning` says (one
 * signature worker, no seal checks); call it again to reopen.
 */
export async function openChainAt(path: string, pruning: Pruning) {
  const db = await ChainDatabase.open(path, { pruning });
  const client = await ChainClient.open({ db, spec: devSpec(), verifierThreads: 1 });
  return {
    db,
    client,
    async close() {
      await client.close();
      await db.close();
    },
  };
}

/** Opens the dev chain on a temp LevelDB, one signature worker, no seal checks. */
export async function openTestChain(
  init: Partial<Omit<ChainClientInit, "db" | "spec">> = {},
): Promise<TestChain> {
  const path = await Deno.makeTempDir({ prefix: "sutantra-chain-" });
  const db = await ChainDatabase.open(path);
  const client = await ChainClient.open({ db, spec: devSpec(), verifierThreads: 1, ...init });
  return {
    client,
    db,
    async [Symbol.asyncDispose]() {
      await client.close();
      await db.close();
      await Deno.remove(path, { recursive: true });
    },
  };
}

/**
 * A block on `parent` holding `extrinsics` after the timestamp inherent.
 * Blocks on one parent differ by `fork` (milliseconds added to the
 * timestamp), so two forks of equal content are still two chains.
 */
export function buildOn(
  client: ChainClient,
  parent: TreeBlock,
  options: { extrinsics?: Uint8Array[]; fork?: number } = {},
): Block {
  const builder = client.executive.buildBlock(parent.header, []);
  const now = BigInt(parent.header.number + 1) * 6000n + BigInt(options.fork ?? 0);
  builder.applyExtrinsic(
    encodeBare(runtime.encodeCall({ pallet: "Timestamp", call: "set", args: { now } })),
  );
  for (const extrinsic of options.extrinsics ?? []) builder.applyExtrinsic(extrinsic);
  const built = builder.finish();
  return { header: built.header, extrinsics: built.extrinsics };
}
