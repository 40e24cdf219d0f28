/**
 * Light clients on a four-validator local network (eras of 16 blocks,
 * 500 ms slots): Dave chills, so a set change drops him and the authority
 * list itself changes, not only the set id. An early light client, started
 * from the spec's genesis with the network, follows finality through the
 * set changes as they come; a late one, started after two of them, warps
 * from genesis over them all with one justification each. Each ends at a
 * block the four full nodes finalized with the same hash, under the set
 * (ids and keys) the chain's state names there: three validators, no Dave.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { loadChainSpec, specCheckpoint } from "../../chain-spec/mod.ts";
import { authorshipStorage } from "../../pallets/authorship/mod.ts";
import { blockHash, type Header } from "../../runtime/block/header.ts";
import { decode, t } from "../../runtime/codec/types.ts";
import { keypairFromUri, verifyNative } from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { Network } from "../../node/network/mod.ts";
import { networkTransport } from "../../node/light/transport.ts";
import { LightClient, type LightTransport } from "../../client/light/client.ts";
import { decodeLightRequest, warpProofType } from "../../client/light/protocol.ts";
import {
  cli,
  fastSpec,
  finalizedNumber,
  LocalValidators,
  type NodeProcess,
  storageAt,
  until,
} from "../_node.ts";
import { lightNetwork } from "../_light.ts";

const DAVE = toHex(keypairFromUri("//Dave").publicKey);

/** The authority set the chain's state names at finalized block `number`, and its hash. */
async function chainSetAt(node: NodeProcess, number: number) {
  const hash = await node.rpc<string>("chain_getBlockHash", [number]);
  const [keys, setId] = await Promise.all([
    storageAt(node, authorshipStorage.Authorities.key, hash),
    storageAt(node, authorshipStorage.SetId.key, hash),
  ]);
  return {
    hash,
    setId: decode(t.u64, setId!),
    authorities: decode(t.vec(t.accountId), keys!).map(toHex).sort(),
  };
}

/** Blocks a node must have finalized past a light client before it syncs. */
const AHEAD = 3;

/**
 * Syncs `client` once `node` has finalized {@link AHEAD} blocks past it, or
 * says where it is: an honest client paces itself (each sync spends requests
 * of a node's per-peer budget, and a client past it is refused and then
 * dropped), and there is nothing new to prove before.
 */
async function syncBehind(client: LightClient, node: NodeProcess): Promise<Header | undefined> {
  const behind = (await finalizedNumber(node)) >= client.finality.finalized.number + AHEAD;
  return behind ? await client.sync() : undefined;
}

/**
 * `at`, a light client's finalized header, is what every full node
 * finalized at its height, under the set `client` holds.
 */
async function assertAgrees(nodes: NodeProcess[], client: LightClient, at: Header, who: string) {
  await until(
    `every node to finalize #${at.number}`,
    async () =>
      (await Promise.all(nodes.map(finalizedNumber))).every((n) => n >= at.number) || undefined,
    120_000,
  );
  for (const node of nodes) {
    const chain = await chainSetAt(node, at.number);
    assertEquals(toHex(blockHash(at)), chain.hash, `${who}'s #${at.number} is the nodes'`);
    assertEquals(client.finality.set.setId, chain.setId, `${who}'s set id is the chain's`);
    assertEquals(
      client.finality.set.authorities.map(toHex).sort(),
      chain.authorities,
      `${who}'s authorities are the chain's`,
    );
  }
}

Deno.test({
  name: "light clients follow and warp over a local network's set changes, one dropping Dave",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const bases = await Promise.all(
      LocalValidators.NAMES.map((n) => Deno.makeTempDir({ prefix: `sutantra-light-${n}-` })),
    );
    const chain = await fastSpec(bases[0], {
      preset: "local",
      slotMs: 500,
      staking: { eraLength: 16 },
    });
    const genesis = specCheckpoint(loadChainSpec(chain));
    let net: LocalValidators | undefined;
    let light: Network | undefined;
    try {
      net = await LocalValidators.start(chain, bases);
      const nodes = net.up;
      const chilled = await cli(
        nodes[0],
        ...["tx", "call", "Staking", "chill", "{}", "--from", "//Dave//stash"],
        ...["--wait", "in-block"],
      );
      assertEquals(chilled.code, 0, chilled.out);

      light = await lightNetwork(blockHash(genesis.header), net.bootnodes);
      const network = light;
      await until(
        "the light clients to reach the validators",
        () => network.peers().filter((p) => p.roles !== "light").length >= 2 || undefined,
      );
      const transport = networkTransport(network);

      // The early client syncs again and again as the chain goes on.
      const early = new LightClient(genesis, transport, verifyNative);
      const setsSeen = new Set<bigint>();
      const earlyAt = await until(
        "the early light client past two set changes, to a set without Dave",
        async () => {
          const at = await syncBehind(early, nodes[0]);
          if (!at) return undefined;
          const { setId, authorities } = early.finality.set;
          setsSeen.add(setId);
          const past = setId >= genesis.set.setId + 2n && !authorities.map(toHex).includes(DAVE);
          return past ? at : undefined;
        },
        300_000,
      );
      ok(
        setsSeen.size >= 3,
        `the early client held each set in turn, not one warp at the end: ${[...setsSeen]}`,
      );
      assertEquals(early.bans.size, 0, `no honest node banned: ${[...early.bans.values()]}`);
      await assertAgrees(nodes, early, earlyAt, "the early client");

      // The late client warps from genesis, over every change so far.
      const fragments: number[] = [];
      const recording: LightTransport = {
        ...transport,
        request: async (peer, bytes) => {
          const answer = await transport.request(peer, bytes);
          if (decodeLightRequest(bytes).tag === "WarpProof") {
            fragments.push(decode(warpProofType, answer).fragments.length);
          }
          return answer;
        },
      };
      const late = new LightClient(genesis, recording, verifyNative);
      const lateAt = await until(
        "the late light client to sync",
        () => syncBehind(late, nodes[0]),
        120_000,
      );
      const warped = fragments.reduce((a, b) => a + b, 0);
      ok(warped >= 2, `the late client warped over ${warped} set changes`);
      ok(late.finality.set.setId >= genesis.set.setId + 2n, "past two set changes");
      ok(!late.finality.set.authorities.map(toHex).includes(DAVE), "Dave's removal proven");
      assertEquals(genesis.set.authorities.length, 4);
      assertEquals(late.finality.set.authorities.length, 3);
      assertEquals(late.bans.size, 0, `no honest node banned: ${[...late.bans.values()]}`);
      await assertAgrees(nodes, late, lateAt, "the late client");

      // Both, synced on, reach the same block, the full nodes' at that height.
      const [earlyThen, lateThen] = await until("both light clients at one block", async () => {
        const [a, b] = [await syncBehind(early, nodes[0]), await syncBehind(late, nodes[0])];
        return a && b && a.number === b.number ? [a, b] : undefined;
      }, 120_000);
      assertEquals(toHex(blockHash(earlyThen)), toHex(blockHash(lateThen)));
      await assertAgrees(nodes, early, earlyThen, "the early client");
      await assertAgrees(nodes, late, lateThen, "the late client");
    } catch (e) {
      if (net) console.error(await net.tails());
      throw e;
    } finally {
      await light?.stop();
      await net?.stop();
      await Promise.all(bases.map((b) => Deno.remove(b, { recursive: true }).catch(() => {})));
    }
  },
});
