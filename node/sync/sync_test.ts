/**
 * Sync and gossip between real libp2p nodes in process: a node catches up
 * with a validator's chain, and a peer that gossips garbage or a block with a
 * forged seal is reported, dropped and banned while the node keeps importing;
 * a node that missed the votes finalizing its blocks fetches their
 * justifications once a vote shows it is rounds behind.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { devSpec } from "../../chain-spec/presets.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { ChainClient } from "../chain/mod.ts";
import { AuraVerifier, BlockAuthor, sealHeader } from "../consensus/mod.ts";
import { encodeVote, FinalityGadget, type SignedVote } from "../consensus/finality/mod.ts";
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
  const votes: SignedVote[] = [];
  const finality = await FinalityGadget.start({
    client,
    db,
    voter: key,
    broadcast: (vote) => {
      votes.push(vote);
      void network.publish("votes", encodeVote(vote));
    },
  });
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
  return { client, network, author, finality, votes, stop };
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
    assertEquals(follower.client.finalized.header.number, 0);
    return { validator, follower, nodes: [validator, follower] };
  } catch (e) {
    await follower?.stop();
    await validator.stop();
    throw e;
  }
}

/** Calls `nudge` every 100 ms until `node` has finalized the block `validator` finalized. */
async function nudgeUntilFinalized(
  node: { client: ChainClient },
  validator: { client: ChainClient },
  nudge: () => unknown,
): Promise<void> {
  const target = validator.client.finalized.header.number;
  const deadline = Date.now() + 20_000;
  while (node.client.finalized.header.number < target) {
    if (Date.now() > deadline) throw new Error(`timed out waiting to finalize #${target}`);
    await nudge();
    await new Promise((r) => setTimeout(r, 100));
  }
  assertEquals(toHex(node.client.finalized.hash), toHex(validator.client.finalized.hash));
}

Deno.test({
  name: "a node that missed the votes finalizing its blocks fetches their justifications",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // The follower is in round 1, the validator in round 4.
    const { validator, follower, nodes } = await followerBehind(3);
    try {
      // A repeat of the validator's last vote (round 3) shows the follower two rounds behind.
      const last = encodeVote(validator.votes.at(-1)!);
      await nudgeUntilFinalized(
        follower,
        validator,
        () => validator.network.publish("votes", last),
      );
      assertEquals(
        await follower.client.justification(follower.client.finalized.hash),
        await validator.client.justification(validator.client.finalized.hash),
      );
    } finally {
      for (const node of nodes.reverse()) await node.stop();
    }
  },
});

Deno.test({
  name: "a node one round behind finalizes from the deciding precommits its peer repeats",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // The follower is in round 1, whose precommit it never heard; the validator is in round 2.
    const { validator, follower, nodes } = await followerBehind(1);
    try {
      await nudgeUntilFinalized(follower, validator, () => validator.finality.rebroadcast());
      assertEquals(follower.finality.position.round, 2n);
    } finally {
      for (const node of nodes.reverse()) await node.stop();
    }
  },
});
