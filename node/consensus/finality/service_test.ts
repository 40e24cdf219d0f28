/**
 * Justifications as sync hands them to the finality service, each case the
 * mistake or attack it answers: one whose precommits name blocks this node
 * has not imported finalizes through its own ancestry headers (it used to
 * get its honest sender banned); a forged precommit is refused; one past a
 * set change this node has not finalized waits, blaming nobody; and the
 * change block's own justification hands finality to the next set. And a
 * voter's two prevotes in one round, gossiped, become a proof staking
 * accepts.
 */
import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { devSpec } from "../../../chain-spec/presets.ts";
import type { Header } from "../../../runtime/block/header.ts";
import {
  encodeJustification,
  type GrandpaEquivocationProof,
  localizedPayload,
  scheduledChangeOf,
} from "../../../runtime/consensus/grandpa.ts";
import { keypairFromUri } from "../../../runtime/crypto/mod.ts";
import { toHex, toHexRaw } from "../../../runtime/primitives/hex.ts";
import { checkEquivocation } from "../../../pallets/staking/equivocation.ts";
import { ChainClient } from "../../chain/mod.ts";
import { ChainDatabase } from "../../db/mod.ts";
import { Network } from "../../network/mod.ts";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { createLogger } from "../../log.ts";
import { AuraVerifier, BlockAuthor } from "../mod.ts";
import { type FinalityInit, FinalityService, GRANDPA_TOPIC, JustificationError } from "./mod.ts";
import { encodeVote, voteMessage } from "./messages.ts";

const alice = keypairFromUri("//Alice");
const bob = keypairFromUri("//Bob");
const SLOT_MS = 6000;
/** An era (and an authority set change) every three blocks. */
const ERA = 3;

function spec() {
  const s = devSpec();
  const runtime = (s.genesis as { runtime: Record<string, Record<string, unknown>> }).runtime;
  runtime.staking.eraLength = ERA;
  return s;
}

async function open(path: string) {
  const db = await ChainDatabase.open(path);
  const client = await ChainClient.open({
    db,
    spec: spec(),
    // Blocks made on demand take the next free slots: the clock runs a day ahead of them.
    sealVerifier: new AuraVerifier(() => Date.now() + 86_400_000, SLOT_MS),
    verifierThreads: 1,
  });
  return { db, client };
}

/**
 * A chain of `blocks` blocks by Alice, none finalized, and a follower that
 * imports the first `known`, its finality service on a network if `networked`.
 */
async function setup(
  blocks: number,
  known: number,
  options: { networked?: boolean; onEquivocation?: FinalityInit["onEquivocation"] } = {},
) {
  const paths = await Promise.all([0, 1].map(() => Deno.makeTempDir({ prefix: "sutantra-fin-" })));
  const chain = await open(paths[0]);
  const author = new BlockAuthor({
    client: chain.client,
    key: alice,
    slotDurationMs: SLOT_MS,
    transactions: { ready: () => [] },
    now: () => Date.now() + 3_600_000,
  });
  const headers: Header[] = [];
  for (let i = 0; i < blocks; i++) headers.push((await author.authorNow())!.block.header);
  const follower = await open(paths[1]);
  for (const header of headers.slice(0, known)) {
    const hash = (await chain.client.hashAt(header.number))!;
    await follower.client.importBlock({ header, extrinsics: (await chain.client.body(hash))! });
  }
  const network = options.networked
    ? await Network.start({
      genesisHash: follower.client.genesisHash,
      privateKey: await generateKeyPair("Ed25519"),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      bootnodes: [],
    })
    : undefined;
  const finality = await FinalityService.start({
    client: follower.client,
    db: follower.db,
    log: createLogger("error"),
    network,
    onEquivocation: options.onEquivocation,
  });
  const close = async () => {
    await finality.stop();
    await network?.stop();
    await author.stop();
    for (const { client, db } of [chain, follower]) {
      await client.close();
      await db.close();
    }
    await Promise.all(paths.map((p) => Deno.remove(p, { recursive: true })));
  };
  return { headers, chain: chain.client, follower: follower.client, finality, network, close };
}

/** A justification of `target` by `signer` claiming Alice, precommitting to `on`. */
async function justify(
  chain: ChainClient,
  target: Header,
  on: Header,
  setId: bigint,
  ancestries: Header[],
  signer = alice,
): Promise<Uint8Array> {
  const precommit = {
    targetHash: (await chain.hashAt(on.number))!,
    targetNumber: on.number,
  };
  const round = 4n;
  const signature = signer.sign(
    localizedPayload({ tag: "Precommit", value: precommit }, round, setId),
  );
  return encodeJustification({
    round,
    commit: {
      targetHash: (await chain.hashAt(target.number))!,
      targetNumber: target.number,
      precommits: [{ precommit, signature, id: alice.publicKey }],
    },
    votesAncestries: ancestries,
  });
}

const GENESIS_SET = 1n;

Deno.test("a justification whose precommit names a block not imported here finalizes through its headers", async () => {
  const { headers, chain, follower, finality, close } = await setup(2, 1);
  try {
    const [b1, b2] = headers;
    const bytes = await justify(chain, b1, b2, GENESIS_SET, [b2]);
    assertEquals(await finality.importJustification(bytes), "finalized");
    assertEquals(follower.finalized.header.number, 1);
    assertEquals(toHex((await follower.justification(follower.finalized.hash))!), toHex(bytes));
  } finally {
    await close();
  }
});

Deno.test("a forged precommit, a missing ancestry header or a wrong set is refused and nothing is finalized", async () => {
  const { headers, chain, follower, finality, close } = await setup(2, 2);
  try {
    const [b1, b2] = headers;
    for (
      const bytes of [
        await justify(chain, b1, b1, GENESIS_SET, [], bob),
        await justify(chain, b1, b2, GENESIS_SET, []),
        await justify(chain, b1, b1, GENESIS_SET + 1n, []),
        new Uint8Array([1, 2, 3]),
      ]
    ) {
      await rejects(finality.importJustification(bytes), JustificationError);
    }
    assertEquals(follower.finalized.header.number, 0);
  } finally {
    await close();
  }
});

Deno.test("past an unfinalized set change a justification waits; the change block's own hands over the set", async () => {
  const { headers, chain, follower, finality, close } = await setup(ERA + 1, ERA + 1);
  try {
    const change = headers[ERA - 1];
    const after = headers[ERA];
    assertEquals(scheduledChangeOf(change.digest) !== undefined, true);
    const nextSet = GENESIS_SET + 1n;
    // Signed by the next set: not checkable until the change block is final.
    assertEquals(
      await finality.importJustification(await justify(chain, after, after, nextSet, [])),
      "later",
    );
    assertEquals(follower.finalized.header.number, 0);
    assertEquals(
      await finality.importJustification(await justify(chain, change, change, GENESIS_SET, [])),
      "finalized",
    );
    assertEquals(finality.report().setId, Number(nextSet));
    // The old set cannot finalize past its end; the new one can.
    await rejects(
      finality.importJustification(await justify(chain, after, after, GENESIS_SET, [])),
      JustificationError,
    );
    assertEquals(
      await finality.importJustification(await justify(chain, after, after, nextSet, [])),
      "finalized",
    );
    assertEquals(follower.finalized.header.number, ERA + 1);
  } finally {
    await close();
  }
});

Deno.test({
  name:
    "two prevotes one voter signed for different blocks in a round become a proof staking accepts",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const proofs: GrandpaEquivocationProof[] = [];
    const { headers, chain, follower, finality, network, close } = await setup(1, 1, {
      networked: true,
      onEquivocation: (proof) => proofs.push(proof),
    });
    const rogue = await Network.start({
      genesisHash: follower.genesisHash,
      privateKey: await generateKeyPair("Ed25519"),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      bootnodes: network!.listenAddresses(),
    });
    try {
      const { setId, best } = finality.report();
      const prevote = async (number: number) => {
        const target = { hash: toHexRaw((await chain.hashAt(number))!), number };
        const signature = alice.sign(
          localizedPayload(voteMessage("prevote", target), BigInt(best.round), BigInt(setId)),
        );
        return encodeVote(setId, best.round, {
          stage: "prevote",
          target,
          voter: toHexRaw(alice.publicKey),
          signature,
        });
      };
      const votes = [await prevote(0), await prevote(headers[0].number)];
      // Gossip lands once the topic's mesh has formed: send until the proof shows.
      for (let tries = 0; proofs.length === 0 && tries < 100; tries++) {
        for (const vote of votes) await rogue.publish(GRANDPA_TOPIC, vote).catch(() => 0);
        await new Promise((r) => setTimeout(r, 200));
      }
      assertEquals(proofs.length, 1);
      const offence = checkEquivocation(follower.stateAt(follower.best.header), {
        tag: "Votes",
        value: proofs[0],
      });
      assertEquals(toHex(offence.key), toHex(alice.publicKey));
    } finally {
      await rogue.stop();
      await close();
    }
  },
});

Deno.test({
  name:
    "a peer gossiping a vote in a voter's name that another key signed is dropped; the vote never counts",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { chain, finality, network, close } = await setup(1, 1, { networked: true });
    const rogue = await Network.start({
      genesisHash: chain.genesisHash,
      privateKey: await generateKeyPair("Ed25519"),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      bootnodes: network!.listenAddresses(),
    });
    try {
      const { setId, best } = finality.report();
      const target = { hash: toHexRaw(chain.genesisHash), number: 0 };
      const forged = encodeVote(setId, best.round, {
        stage: "prevote",
        target,
        voter: toHexRaw(alice.publicKey),
        // Bob signs what Alice would: the payload is right, the key is not.
        signature: bob.sign(
          localizedPayload(voteMessage("prevote", target), BigInt(best.round), BigInt(setId)),
        ),
      });
      const connected = () => network!.peers().some((p) => p.peerId === rogue.peerId);
      for (let tries = 0; !connected() && tries < 100; tries++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assertEquals(connected(), true);
      const dropped = () => !connected();
      // Gossip lands once the topic's mesh has formed: send until the rogue is gone.
      for (let tries = 0; !dropped() && tries < 100; tries++) {
        await rogue.publish(GRANDPA_TOPIC, forged).catch(() => 0);
        await new Promise((r) => setTimeout(r, 200));
      }
      assertEquals(dropped(), true);
      assertEquals(finality.report().best.prevoted, []);
    } finally {
      await rogue.stop();
      await close();
    }
  },
});
