/**
 * Sync and gossip between real libp2p nodes in process: a node catches up
 * with a validator's chain, and a peer that gossips garbage or a block with a
 * forged seal is reported, dropped and banned while the node keeps importing.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { devSpec } from "../../chain-spec/presets.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { ChainClient } from "../chain/mod.ts";
import { AuraVerifier, BlockAuthor, sealHeader } from "../consensus/mod.ts";
import { FinalityGadget } from "../consensus/finality/mod.ts";
import { ChainDatabase } from "../db/mod.ts";
import { createLogger } from "../log.ts";
import { Network } from "../network/mod.ts";
import { BlockSync, encodeBlockData } from "./mod.ts";

const alice = keypairFromUri("//Alice");
const log = createLogger("error");

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A node in process: database, chain, network, finality, sync; an author if
 * `key`. Its clock runs a minute ahead: blocks authored on demand take the
 * next free slots, which may lie ahead of the real clock.
 */
async function startNode(bootnodes: string[], key?: typeof alice) {
  const path = await Deno.makeTempDir({ prefix: "sutantra-sync-" });
  const db = await ChainDatabase.open(path);
  const client = await ChainClient.open({
    db,
    spec: devSpec(),
    sealVerifier: new AuraVerifier(() => Date.now() + 60_000, 6000),
    verifierThreads: 1,
  });
  const network = await Network.start({
    genesisHash: client.genesisHash,
    privateKey: await generateKeyPair("Ed25519"),
    listen: ["/ip4/127.0.0.1/tcp/0"],
    bootnodes,
  });
  const finality = await FinalityGadget.start({ client, db, voter: key });
  const sync = new BlockSync({ client, network, finality, log, intervalMs: 200 });
  await sync.start();
  const author = key
    ? new BlockAuthor({
      client,
      key,
      slotDurationMs: 6000,
      transactions: { ready: () => [] },
      onAuthored: (_p, imported) => void sync.announce(imported),
    })
    : undefined;
  const stop = async () => {
    sync.stop();
    await author?.stop();
    await finality.stop();
    await network.stop();
    await client.close();
    await db.close();
    await Deno.remove(path, { recursive: true });
  };
  return { client, network, author, stop };
}

Deno.test({
  name: "a node syncs a validator's chain and drops a peer that gossips garbage or forged blocks",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const validator = await startNode([], alice);
    const nodes = [validator];
    try {
      for (let i = 0; i < 5; i++) await validator.author!.authorNow();
      const follower = await startNode(validator.network.listenAddresses());
      nodes.push(follower);
      await until("the follower to sync 5 blocks", () => follower.client.best.header.number === 5);
      assertEquals(toHex(follower.client.best.hash), toHex(validator.client.best.hash));

      // A misbehaving peer on the same chain, connected to the follower.
      const rogue = await Network.start({
        genesisHash: follower.client.genesisHash,
        privateKey: await generateKeyPair("Ed25519"),
        listen: ["/ip4/127.0.0.1/tcp/0"],
        bootnodes: follower.network.listenAddresses(),
      });
      try {
        await until(
          "the rogue to connect",
          () => follower.network.peers().some((p) => p.peerId === rogue.peerId),
        );
        await rogue.publish("blocks", new Uint8Array([1, 2, 3, 4, 5]));
        const forged = sealHeader(
          { ...validator.client.best.header, number: 6, parentHash: validator.client.best.hash },
          keypairFromUri("//Mallory"),
        );
        await rogue.publish(
          "blocks",
          encodeBlockData({ header: forged, extrinsics: [], justification: undefined }),
        );
        await until(
          "the rogue to be dropped",
          () => !follower.network.peers().some((p) => p.peerId === rogue.peerId),
        );
        // Banned: for a while it stays out, though it keeps redialling its bootnode.
        const until2s = Date.now() + 2000;
        while (Date.now() < until2s) {
          ok(!follower.network.peers().some((p) => p.peerId === rogue.peerId), "the rogue is back");
          await new Promise((r) => setTimeout(r, 100));
        }

        // The follower keeps following the honest validator.
        await validator.author!.authorNow();
        await until("block 6 on the follower", () => follower.client.best.header.number === 6);
        assertEquals(toHex(follower.client.best.hash), toHex(validator.client.best.hash));
      } finally {
        await rogue.stop();
      }
    } finally {
      for (const node of nodes.reverse()) await node.stop();
    }
  },
});
