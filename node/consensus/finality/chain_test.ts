/**
 * The voter's chain keeps answering ancestry for the bases rounds start
 * from after the client's tree has let them go. A round whose base is the
 * block finalized when it began (genesis, or the block finalized before a
 * restart) must still weigh votes once a later block is final; when it did
 * not, its votes weighed nothing, its prevote-GHOST never rose to the last
 * round's estimate, and its voters never precommitted: finality stopped.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { devSpec } from "../../../chain-spec/presets.ts";
import { keypairFromUri } from "../../../runtime/crypto/mod.ts";
import { toHexRaw } from "../../../runtime/primitives/hex.ts";
import { ChainClient } from "../../chain/mod.ts";
import { ChainDatabase } from "../../db/mod.ts";
import { AuraVerifier, BlockAuthor } from "../mod.ts";
import { ClientChain } from "./_chain.ts";
import type { BlockRef } from "./vote_graph.ts";

const SLOT_MS = 6000;

async function open(path: string) {
  const db = await ChainDatabase.open(path);
  const client = await ChainClient.open({
    db,
    spec: devSpec(),
    sealVerifier: new AuraVerifier(() => Date.now() + 86_400_000, SLOT_MS),
    verifierThreads: 1,
  });
  return { db, client, close: async () => (await client.close(), await db.close()) };
}

async function refAt(client: ChainClient, number: number): Promise<BlockRef> {
  return { hash: toHexRaw((await client.hashAt(number))!), number };
}

/** Alice authors `count` blocks on `client`. */
async function author(client: ChainClient, count: number): Promise<void> {
  const author = new BlockAuthor({
    client,
    key: keypairFromUri("//Alice"),
    slotDurationMs: SLOT_MS,
    transactions: { ready: () => [] },
    now: () => Date.now() + 3_600_000,
  });
  for (let i = 0; i < count; i++) await author.authorNow();
  await author.stop();
}

Deno.test("a round based on genesis finds its votes' ancestry after block #1 is final", async () => {
  const path = await Deno.makeTempDir({ prefix: "sutantra-fin-chain-" });
  const { client, close } = await open(path);
  try {
    const chain = await ClientChain.open(client);
    await author(client, 3);
    const [genesis, one, two, three] = await Promise.all([0, 1, 2, 3].map((n) => refAt(client, n)));
    await client.finalize((await client.hashAt(1))!);
    assertEquals(chain.ancestry(genesis, three), [three.hash, two.hash, one.hash]);
    assertEquals(chain.ancestry(one, three), [three.hash, two.hash]);
  } finally {
    await close();
    await Deno.remove(path, { recursive: true });
  }
});

Deno.test("after a restart, rounds based below the finalized block still find their votes' ancestry", async () => {
  const path = await Deno.makeTempDir({ prefix: "sutantra-fin-chain-" });
  try {
    const first = await open(path);
    await author(first.client, 4);
    await first.client.finalize((await first.client.hashAt(2))!);
    await first.close();

    const { client, close } = await open(path);
    try {
      // A voter record may name a round based on genesis, below block #2.
      const chain = await ClientChain.open(client, 0);
      await client.finalize((await client.hashAt(3))!);
      const refs = await Promise.all([0, 1, 2, 3, 4].map((n) => refAt(client, n)));
      const route = [4, 3, 2, 1].map((n) => refs[n].hash);
      assertEquals(chain.ancestry(refs[0], refs[4]), route);
      assertEquals(chain.ancestry(refs[2], refs[4]), route.slice(0, 2));
      assertEquals(chain.has(refs[1].hash), true);
    } finally {
      await close();
    }
  } finally {
    await Deno.remove(path, { recursive: true });
  }
});
