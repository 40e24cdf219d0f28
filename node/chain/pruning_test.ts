import {
  deepStrictEqual as assertEquals,
  ok as assert,
  rejects as assertRejects,
  throws as assertThrows,
} from "node:assert/strict";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import { verifyStoredTrie } from "../../runtime/trie/mod.ts";
import { ChainDatabase } from "../db/mod.ts";
import { ChainClient } from "./client.ts";
import { StateDiscardedError } from "./errors.ts";
import { buildOn, openChainAt as open } from "./_testing.ts";
import type { TreeBlock } from "./_tree.ts";

async function until(condition: () => Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error("condition not met within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function grow(client: ChainClient, parent: TreeBlock, n: number, fork = 0) {
  const blocks: TreeBlock[] = [];
  for (let i = 0; i < n; i++) {
    const imported = await client.importBlock(buildOn(client, parent, { fork }));
    parent = imported!.block;
    blocks.push(parent);
  }
  return blocks;
}

/** The stored nodes, and the nodes of every state the client should still have, walked from disk. */
async function storedAndKept(db: ChainDatabase, keptRoots: Uint8Array[]) {
  const stored = new Set<string>();
  for await (const hash of db.stateNodes()) stored.add(hash);
  const kept = new Set<string>();
  for (const root of keptRoots) verifyStoredTrie(db.trieNodes, root, kept);
  return { stored: [...stored].sort(), kept: [...kept].sort() };
}

Deno.test("a node keeping 3 states stores exactly their nodes, forks' included, and refuses older ones", async () => {
  const path = await Deno.makeTempDir({ prefix: "sutantra-pruning-" });
  try {
    let chain = await open(path, { states: 3, blocks: "archive" });
    const genesis = chain.client.finalized;
    const main = await grow(chain.client, genesis, 12);
    const forkA = await grow(chain.client, main[4], 2, 1); // on #5
    const forkB = await grow(chain.client, main[7], 3, 2); // on #8
    await chain.client.finalize(main[3].hash); // #4: nothing discarded yet, states #2.. kept
    assertEquals(chain.db.stateBase, 2);
    const unfinalizedRoots = () =>
      [...main, ...forkA, ...forkB].filter((b) => chain.client.block(b.hash))
        .map((b) => b.header.stateRoot);
    let check = await storedAndKept(chain.db, [
      ...main.slice(1, 4).map((b) => b.header.stateRoot),
      ...unfinalizedRoots(),
    ]);
    assertEquals(check.stored, check.kept);

    await chain.client.finalize(main[9].hash); // #10: fork A discarded, fork B too
    assertEquals(chain.db.stateBase, 8);
    assertEquals(chain.client.block(forkA[0].hash), undefined);
    await until(async () => await chain.client.header(forkB[0].hash) === undefined);
    check = await storedAndKept(chain.db, [
      ...main.slice(7).map((b) => b.header.stateRoot),
    ]);
    assertEquals(check.stored, check.kept);
    // The states still kept read; one older answers as Substrate does.
    assert(chain.client.stateAt(main[7].header).get(new Uint8Array(32)) === undefined);
    assertThrows(() => chain.client.stateAt(main[6].header), StateDiscardedError);
    assertThrows(() => chain.client.stateAt(main[6].header), /State already discarded for 0x/);

    // A restart reads the finalized block and the two above it, and goes on pruning.
    await chain.close();
    chain = await open(path, { states: 3, blocks: "archive" });
    assertEquals(chain.client.best.hashHex, main[11].hashHex);
    assertEquals(chain.client.finalized.hashHex, main[9].hashHex);
    assertEquals(chain.db.stateBase, 8);
    await grow(chain.client, chain.client.best, 2);
    await chain.client.finalize(chain.client.best.hash);
    const kept = [chain.client.best.header];
    for (let i = 0; i < 2; i++) kept.push((await chain.client.header(kept[i].parentHash))!);
    assertEquals(chain.db.stateBase, kept[2].number);
    check = await storedAndKept(chain.db, kept.map((h) => h.stateRoot));
    assertEquals(check.stored, check.kept);
    await chain.close();
  } finally {
    await Deno.remove(path, { recursive: true });
  }
});

Deno.test("an archive keeps every state and cannot be reopened as a pruned node", async () => {
  const path = await Deno.makeTempDir({ prefix: "sutantra-pruning-" });
  try {
    let chain = await open(path, { states: "archive", blocks: "archive" });
    const main = await grow(chain.client, chain.client.finalized, 6);
    await grow(chain.client, main[1], 2, 1);
    await chain.client.finalize(main[5].hash);
    const genesis = (await chain.client.header((await chain.client.hashAt(0))!))!;
    const check = await storedAndKept(chain.db, [
      genesis.stateRoot,
      ...main.map((b) => b.header.stateRoot),
    ]);
    assertEquals(check.stored, check.kept);
    await chain.close();
    await assertRejects(
      () => ChainDatabase.open(path, { pruning: { states: 256, blocks: "archive" } }),
      /made with --state-pruning archive; it cannot switch to 256/,
    );
    chain = await open(path, { states: "archive", blocks: "archive" });
    assertEquals(chain.client.finalized.hashHex, main[5].hashHex);
    await chain.close();
  } finally {
    await Deno.remove(path, { recursive: true });
  }
});

Deno.test("--blocks-pruning keeps the newest bodies and every header", async () => {
  const path = await Deno.makeTempDir({ prefix: "sutantra-pruning-" });
  try {
    const chain = await open(path, { states: 256, blocks: 2 });
    const main = await grow(chain.client, chain.client.finalized, 5);
    await chain.client.finalize(main[4].hash);
    const bodies = await Promise.all(main.map((b) => chain.client.body(b.hash)));
    assertEquals(bodies.map((b) => b !== undefined), [false, false, false, true, true]);
    const headers = await Promise.all(main.map((b) => chain.client.header(b.hash)));
    assertEquals(
      headers.map((h) => toHexRaw(h!.stateRoot)),
      main.map((b) => toHexRaw(b.header.stateRoot)),
    );
    await chain.close();
  } finally {
    await Deno.remove(path, { recursive: true });
  }
});

Deno.test("a pinned block of a discarded fork stays readable until its last unpin", async () => {
  const path = await Deno.makeTempDir({ prefix: "sutantra-pruning-" });
  try {
    const chain = await open(path, { states: 256, blocks: "archive" });
    const genesis = chain.client.finalized;
    const [fork] = await grow(chain.client, genesis, 1, 1);
    const [main] = await grow(chain.client, genesis, 2);
    chain.client.pin(fork.hash);
    chain.client.pin(fork.hash);
    // A listener that reads the retracted block after the finalization has landed.
    const read = new Promise<unknown>((resolve) =>
      chain.client.onFinalized(async () => resolve(await chain.client.body(fork.hash)))
    );
    await chain.client.finalize(main.hash);
    assert(await read);
    chain.client.unpin(fork.hash);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert(await chain.client.header(fork.hash), "still pinned once");
    chain.client.unpin(fork.hash);
    await until(async () => await chain.client.header(fork.hash) === undefined);
    await chain.close();
  } finally {
    await Deno.remove(path, { recursive: true });
  }
});
