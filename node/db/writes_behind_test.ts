import assert from "node:assert/strict";
import { ChainDatabase } from "./mod.ts";
import { WritesBehind } from "./_writes_behind.ts";

const EMPTY = new Uint8Array();
const NO_REFS = { added: new Map<string, number>(), removed: new Map<string, number>() };

function hashOf(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

Deno.test("a block written behind is read at once, nodes included, and is on disk after close", async () => {
  const path = await Deno.makeTempDir({ prefix: "sutantra-db-" });
  try {
    const db = await ChainDatabase.open(path);
    await db.commitGenesis({
      hash: hashOf(0),
      header: EMPTY,
      body: EMPTY,
      nodes: new Map(),
      refs: NO_REFS,
    });
    const node = new Uint8Array([1, 2, 3]);
    const nodeHash = "ab".repeat(32);
    for (let n = 1; n <= 100; n++) {
      const nodes = n === 1 ? new Map([[nodeHash, node]]) : new Map<string, Uint8Array>();
      const added = n === 1 ? new Map([[nodeHash, 1]]) : new Map<string, number>();
      await db.commitBlock(
        {
          hash: hashOf(n),
          header: new Uint8Array([n]),
          body: EMPTY,
          nodes,
          refs: { added, removed: new Map() },
        },
        { best: hashOf(n) },
      );
      if (n === 1) assert.deepEqual(db.trieNodes.get(hashOf(0xab)), node, "served before it lands");
    }
    assert.deepEqual(await db.getHeader(hashOf(100)), new Uint8Array([100]));
    await db.close();

    const reopened = await ChainDatabase.open(path);
    try {
      assert.deepEqual(await reopened.getMeta("best"), hashOf(100), "the writes landed in order");
      let unfinalized = 0;
      for await (const _ of reopened.unfinalizedHeaders()) unfinalized++;
      assert.equal(unfinalized, 100);
      assert.deepEqual(new Uint8Array(reopened.trieNodes.get(hashOf(0xab))!), node);
    } finally {
      await reopened.close();
    }
  } finally {
    await Deno.remove(path, { recursive: true });
  }
});

Deno.test("after a write fails no later one runs, and the failure is thrown from then on", async () => {
  const writes = new WritesBehind(4);
  const ran: number[] = [];
  const settled: (string | undefined)[] = [];
  const tell = (error?: unknown) => settled.push((error as Error | undefined)?.message);
  const record = (n: number) => () => {
    ran.push(n);
    return Promise.resolve();
  };
  await writes.push(record(1), tell);
  await writes.push(() => Promise.reject(new Error("disk full")), tell);
  await writes.push(record(3), tell);
  await writes.settled();
  assert.deepEqual(ran, [1]);
  assert.deepEqual(settled, [undefined, "disk full", "A block write failed: disk full"]);
  assert.throws(() => writes.check(), /A block write failed: disk full/);
  await assert.rejects(writes.drain(), /A block write failed: disk full/);
});

Deno.test("past its limit, push waits for the oldest write to land", async () => {
  const writes = new WritesBehind(1);
  const release: (() => void)[] = [];
  const slow = () => new Promise<void>((resolve) => release.push(resolve));
  await writes.push(slow, () => {});
  let second = false;
  const pushed = writes.push(slow, () => {}).then(() => second = true);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(second, false, "two waiting, over the limit of one");
  release[0]();
  await pushed;
  assert.equal(second, true);
  while (release.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
  release[1]();
  await writes.drain();
});
