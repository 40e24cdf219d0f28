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
import type { Header } from "../../runtime/block/header.ts";
import { ChainClient, type SealVerifier } from "../chain/mod.ts";
import { AuraVerifier, BlockAuthor, sealHeader } from "../consensus/mod.ts";
import { FinalityService } from "../consensus/finality/mod.ts";
import { decodeJustification } from "../../runtime/consensus/grandpa.ts";
import { ChainDatabase } from "../db/mod.ts";
import { createLogger, type Logger } from "../log.ts";
import { Network, NetworkError, NetworkErrorCode, type NetworkOptions } from "../network/mod.ts";
import { decodeBlockResponse, encodeBlockRequest, encodeBlockResponse } from "./messages.ts";
import { BlockSync, chainHead, encodeBlockData, SYNC_PROTOCOL } from "./mod.ts";

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
 * goes on the network. `sealVerifier` stands in for the Aura one; `log`
 * hears sync's lines.
 */
async function startNode(
  bootnodes: string[],
  options: {
    key?: typeof alice;
    blocksOf?: ChainClient;
    sealVerifier?: SealVerifier;
    log?: Logger;
  } = {},
) {
  const { key, blocksOf } = options;
  const path = await Deno.makeTempDir({ prefix: "sutantra-sync-" });
  const db = await ChainDatabase.open(path);
  const client = await ChainClient.open({
    db,
    spec: devSpec(),
    sealVerifier: options.sealVerifier ?? new AuraVerifier(() => Date.now() + 60_000, 6000),
    verifierThreads: 1,
    log,
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
    head: () => chainHead(client),
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
  sync = new BlockSync({ client, network, finality, log: options.log ?? log, intervalMs: 200 });
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

/**
 * A bare network peer connected to `node`, with no chain: its handshake
 * says genesis unless `head` says otherwise.
 */
async function startPeer(
  node: { network: Network; client: ChainClient },
  head?: NetworkOptions["head"],
): Promise<Network> {
  const peer = await Network.start({
    genesisHash: node.client.genesisHash,
    privateKey: await generateKeyPair("Ed25519"),
    listen: ["/ip4/127.0.0.1/tcp/0"],
    bootnodes: node.network.listenAddresses(),
    head,
  });
  try {
    await until("the peer to connect", () => node.network.peer(peer.peerId) !== undefined);
    return peer;
  } catch (e) {
    await peer.stop();
    throw e;
  }
}

type TestNode = Awaited<ReturnType<typeof startNode>>;

/**
 * Runs `test` on a validator that authored `blocks` blocks and a follower
 * that synced them, and stops both whatever happens.
 */
async function withSyncedFollower(
  blocks: number,
  test: (validator: TestNode, follower: TestNode) => Promise<void>,
): Promise<void> {
  const validator = await startNode([], { key: alice });
  const nodes = [validator];
  try {
    for (let i = 0; i < blocks; i++) await validator.author!.authorNow();
    const follower = await startNode(validator.network.listenAddresses());
    nodes.push(follower);
    await until(
      `the follower to sync ${blocks} blocks`,
      () => follower.client.best.header.number === blocks,
    );
    await test(validator, follower);
  } finally {
    for (const node of nodes.reverse()) await node.stop();
  }
}

Deno.test({
  name: "a node syncs a validator's chain and drops a peer that gossips garbage or forged blocks",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withSyncedFollower(5, async (validator, follower) => {
      assertEquals(toHex(follower.client.best.hash), toHex(validator.client.best.hash));

      // A misbehaving peer on the same chain, connected to the follower.
      const rogue = await startPeer(follower);
      try {
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
    }),
});

Deno.test({
  name: "a peer gossiping headers numbered 10^9 moves neither the sync target nor isSyncing",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withSyncedFollower(2, async (validator, follower) => {
      const rogue = await startPeer(follower);
      // Asked for the missing parents, the rogue never answers: no answer lowers what it showed.
      let asked = 0;
      let hangUp = () => {};
      const hanging = new Promise<void>((resolve) => hangUp = resolve);
      await rogue.handle(SYNC_PROTOCOL, async () => {
        asked++;
        await hanging;
        return encodeBlockResponse([]);
      });
      try {
        const best = validator.client.best;
        const absurd = 1_000_000_000;
        const gossip = (header: Header) =>
          rogue.publish(
            "blocks",
            encodeBlockData({ header, extrinsics: [], justification: undefined }),
          )
            .catch(() => 0);
        const untouched = () =>
          ok(
            follower.sync.target === 2 && !follower.sync.isSyncing,
            `target #${follower.sync.target}, syncing ${follower.sync.isSyncing}`,
          );
        // Gossip lands once the topic's mesh has formed: send until it shows.
        const orphan = { ...best.header, number: absurd, parentHash: new Uint8Array(32).fill(1) };
        for (let tries = 0; asked === 0 && tries < 100; tries++) {
          await gossip(orphan);
          await new Promise((r) => setTimeout(r, 200));
        }
        ok(asked > 0, "the orphan reached the follower, which asked the rogue for its parents");
        untouched();
        const forged = sealHeader(
          { ...best.header, number: absurd, parentHash: best.hash },
          keypairFromUri("//Mallory"),
        );
        const refused = () =>
          follower.network.reputation(rogue.peerId) < 0 ||
          follower.network.peer(rogue.peerId) === undefined;
        for (let tries = 0; !refused() && tries < 100; tries++) {
          await gossip(forged);
          await new Promise((r) => setTimeout(r, 200));
        }
        ok(refused(), "the forged block reached the follower and was refused");
        untouched();
      } finally {
        hangUp();
        await rogue.stop();
      }
    }),
});

Deno.test({
  name: "a peer whose handshake claims a best it cannot serve stops counting once asked",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withSyncedFollower(1, async (_validator, follower) => {
      const claim = { number: 1_000_000_000, hash: new Uint8Array(32).fill(1) };
      const liar = await startPeer(follower, () => ({ best: claim, finalized: claim }));
      try {
        await until(
          "the claim to fall to what the liar showed",
          () => follower.sync.peer(liar.peerId)?.best === 1 && !follower.sync.isSyncing,
        );
        assertEquals(follower.sync.target, 1);
      } finally {
        await liar.stop();
      }
    }),
});

Deno.test({
  name:
    "a peer flooding block requests is refused past its budget and reported; another is still served",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const validator = await startNode([], { key: alice });
    const peers: Network[] = [];
    try {
      await validator.author!.authorNow();
      peers.push(await startPeer(validator), await startPeer(validator));
      const [flooder, honest] = peers;
      const ask = (peer: Network) =>
        peer.request(
          validator.network.peerId,
          SYNC_PROTOCOL,
          encodeBlockRequest({
            from: { tag: "Number", value: 1 },
            direction: { tag: "Ascending" },
            max: 128,
          }),
        );
      let refusal: unknown;
      for (let round = 0; refusal === undefined && round < 100; round++) {
        const answers = await Promise.allSettled(Array.from({ length: 10 }, () => ask(flooder)));
        refusal = answers.find((a) => a.status === "rejected")?.reason;
      }
      ok(
        refusal instanceof NetworkError && refusal.code === NetworkErrorCode.RemoteError &&
          /over budget/.test(refusal.message),
        `refused: ${refusal}`,
      );
      ok(
        validator.network.reputation(flooder.peerId) < 0 ||
          validator.network.peer(flooder.peerId) === undefined,
        "the flooder is reported",
      );
      const served = decodeBlockResponse(await ask(honest));
      assertEquals(served.map((b) => b.header.number), [1]);
    } finally {
      await Promise.allSettled(peers.map((p) => p.stop()));
      await validator.stop();
    }
  },
});

Deno.test({
  name: "sync survives a peer whose blocks make import throw unexpectedly, and catches up after",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const validator = await startNode([], { key: alice });
    const nodes = [validator];
    try {
      for (let i = 0; i < 3; i++) await validator.author!.authorNow();
      const aura = new AuraVerifier(() => Date.now() + 60_000, 6000);
      let broken = true;
      let thrown = 0;
      const lines: string[] = [];
      const follower = await startNode(validator.network.listenAddresses(), {
        log: createLogger("error", (line) => lines.push(line)),
        sealVerifier: {
          verify: (header, parent, state) => {
            if (!broken) return aura.verify(header, parent, state);
            thrown++;
            throw new Error("a bug in the verifier");
          },
        },
      });
      nodes.push(follower);
      // On connect, then at each tick: every try throws, and nothing escapes.
      await until("imports to throw twice", () => thrown >= 2);
      ok(lines.some((line) => line.includes("a bug in the verifier")), "the failure is logged");
      broken = false;
      await until("the follower to sync 3 blocks", () => follower.client.best.header.number === 3);
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
  const validator = await startNode([], { key: alice });
  let follower: Awaited<ReturnType<typeof startNode>> | undefined;
  try {
    for (let i = 0; i < blocks; i++) await validator.author!.authorNow();
    await until(
      `the validator to finalize #${blocks}`,
      () => validator.client.finalized.header.number === blocks,
    );
    follower = await startNode(validator.network.listenAddresses(), { blocksOf: validator.client });
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
  name: "a block is served by hash with its ancestors, newest first",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withSyncedFollower(3, async (validator, follower) => {
      const tip = validator.client.best;
      const response = await follower.network.request(
        validator.network.peerId,
        SYNC_PROTOCOL,
        encodeBlockRequest({
          from: { tag: "Hash", value: tip.hash },
          direction: { tag: "Descending" },
          max: 2,
        }),
      );
      const numbers = decodeBlockResponse(response).map((b) => b.header.number);
      assertEquals(numbers, [3, 2]);
    }),
});
