/**
 * Sync and gossip between real libp2p nodes in process: a node catches up
 * with a validator's chain, and a peer that gossips garbage or a block with a
 * forged seal is reported, dropped and banned while the node keeps importing;
 * a node that missed the votes finalizing its blocks fetches their
 * justifications once the voter's neighbour packet shows it behind, and a
 * node that missed rounds catches up; a fork block is fetched by hash with
 * its ancestors.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { devSpec } from "../../chain-spec/presets.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { ChainClient } from "../chain/mod.ts";
import { AuraVerifier, BlockAuthor, sealHeader } from "../consensus/mod.ts";
import { FinalityService } from "../consensus/finality/mod.ts";
import { decodeJustification } from "../../runtime/consensus/grandpa.ts";
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
 * next free slots, which may lie ahead of the real clock. `blocksOf` is a
 * chain whose blocks it imports, without their justifications, before it
 * goes on the network.
 */
async function startNode(bootnodes: string[], key?: typeof alice, blocksOf?: ChainClient) {
  const path = await Deno.makeTempDir({ prefix: "sutantra-sync-" });
  const db = await ChainDatabase.open(path);
  const client = await ChainClient.open({
    db,
    spec: devSpec(),
    sealVerifier: new AuraVerifier(() => Date.now() + 60_000, 6000),
    verifierThreads: 1,
  });
  for (let n = 1; blocksOf && n <= blocksOf.best.header.number; n++) {
    const hash = (await blocksOf.hashAt(n))!;
    await client.importBlock({
      header: (await blocksOf.header(hash))!,
      extrinsics: (await blocksOf.body(hash))!,
    });
  }
  const network = await Network.start({
    genesisHash: client.genesisHash,
    privateKey: await generateKeyPair("Ed25519"),
    listen: ["/ip4/127.0.0.1/tcp/0"],
    bootnodes,
  });
  // Assigned once, after finality starts: a const cannot be closed over before.
  // deno-lint-ignore prefer-const
  let sync: BlockSync | undefined;
  const finality = await FinalityService.start({
    client,
    db,
    log,
    network,
    key,
    fetchBlock: (peer, hash) => void sync?.fetchBlock(peer, hash),
    fetchFinality: (peer) => void sync?.fetchFinality(peer),
  });
  sync = new BlockSync({ client, network, finality, log, intervalMs: 200 });
  await sync.start();
  const author = key
    ? new BlockAuthor({
      client,
      key,
      slotDurationMs: 6000,
      transactions: { ready: () => [] },
      onAuthored: (_p, imported) => void sync!.announce(imported),
    })
    : undefined;
  const stop = async () => {
    sync!.stop();
    await author?.stop();
    await finality.stop();
    await network.stop();
    await client.close();
    await db.close();
    await Deno.remove(path, { recursive: true });
  };
  return { client, network, author, finality, sync, stop };
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
        const forged = sealHeader(
          { ...validator.client.best.header, number: 6, parentHash: validator.client.best.hash },
          keypairFromUri("//Mallory"),
        );
        // Gossip reaches a peer once the topic's mesh has formed: send until it lands.
        const dropped = () => !follower.network.peers().some((p) => p.peerId === rogue.peerId);
        for (let tries = 0; !dropped() && tries < 100; tries++) {
          await rogue.publish("blocks", new Uint8Array([1, 2, 3, 4, 5])).catch(() => 0);
          await rogue.publish(
            "blocks",
            encodeBlockData({ header: forged, extrinsics: [], justification: undefined }),
          ).catch(() => 0);
          await new Promise((r) => setTimeout(r, 200));
        }
        await until("the rogue to be dropped", dropped);
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

/**
 * A validator that authored and finalized `blocks` blocks, and a follower
 * connected to it that has those blocks but heard none of their votes.
 */
async function followerBehind(blocks: number) {
  const validator = await startNode([], alice);
  let follower: Awaited<ReturnType<typeof startNode>> | undefined;
  try {
    for (let i = 0; i < blocks; i++) await validator.author!.authorNow();
    await until(
      `the validator to finalize #${blocks}`,
      () => validator.client.finalized.header.number === blocks,
    );
    follower = await startNode(validator.network.listenAddresses(), undefined, validator.client);
    await until(
      "the follower to connect",
      () => follower!.network.peers().some((p) => p.peerId === validator.network.peerId),
    );
    assertEquals(follower.client.best.header.number, blocks);
    return { validator, follower, nodes: [validator, follower] };
  } catch (e) {
    await follower?.stop();
    await validator.stop();
    throw e;
  }
}

/** Waits until `node` has finalized the block `validator` finalized, with the same justification. */
async function finalizedLike(
  node: { client: ChainClient },
  validator: { client: ChainClient },
): Promise<void> {
  const target = validator.client.finalized;
  await until(
    `#${target.header.number} final`,
    () => node.client.finalized.header.number >= target.header.number,
  );
  assertEquals(toHex(node.client.finalized.hash), toHex(target.hash));
}

Deno.test({
  name: "a node that missed the votes finalizing its blocks fetches their justifications",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { validator, follower, nodes } = await followerBehind(3);
    try {
      // The validator's neighbour packets say #3 is final: the follower fetches the justifications.
      await finalizedLike(follower, validator);
      const justification = await follower.client.justification(follower.client.finalized.hash);
      assertEquals(decodeJustification(justification!).commit.targetNumber, 3);
    } finally {
      for (const node of nodes.reverse()) await node.stop();
    }
  },
});

Deno.test({
  name: "a node rounds behind catches up to the voters' round and follows their commits",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { validator, follower, nodes } = await followerBehind(2);
    try {
      await until(
        "the follower to catch up",
        () => follower.finality.report().best.round >= validator.finality.report().best.round - 1,
      );
      await validator.author!.authorNow();
      await until(
        "#3 final on the validator",
        () => validator.client.finalized.header.number === 3,
      );
      await finalizedLike(follower, validator);
    } finally {
      for (const node of nodes.reverse()) await node.stop();
    }
  },
});

Deno.test({
  name: "a block off the best chain is fetched by hash with the ancestors the node lacks",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const validator = await startNode([], alice);
    const nodes = [validator];
    try {
      for (let i = 0; i < 3; i++) await validator.author!.authorNow();
      const follower = await startNode(validator.network.listenAddresses());
      nodes.push(follower);
      await until(
        "the follower to connect",
        () => follower.network.peers().some((p) => p.peerId === validator.network.peerId),
      );
      const tip = validator.client.best;
      await follower.sync!.fetchBlock(validator.network.peerId, tip.hash);
      assertEquals(toHex(follower.client.block(tip.hash)!.hash), toHex(tip.hash));
      ok(await follower.client.header(tip.header.parentHash), "its parent came with it");
    } finally {
      for (const node of nodes.reverse()) await node.stop();
    }
  },
});
