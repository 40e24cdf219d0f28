/**
 * Rogue peers against four validators: one gossips garbage, one sends
 * request frames over the size limit, one gossips forged blocks, one forged
 * votes in Alice's name, one floods every node with block requests. Each
 * is a reserved peer of every validator (so `--reserved-only` lets it in)
 * and keeps misbehaving until every validator has dropped it; then it must
 * stay out while it keeps redialling (banned), and the validators' finality
 * must not have lagged more than 4 blocks behind their best (p95) meanwhile.
 */
import { ok } from "node:assert/strict";
import { fromHex } from "../../runtime/primitives/hex.ts";
import { until } from "../_node.ts";
import type { Cluster } from "./_cluster.ts";
import { MISBEHAVIOURS, RoguePeer } from "./_rogue.ts";
import { hold, report, seconds, VALIDATORS, withCluster } from "./_scenario.ts";

/** How long a rogue keeps at it before the test gives up on its ban. */
const ATTACK_MS = 60_000;
/** How long a banned rogue must stay out while it redials every second. */
const BANNED_MS = 10_000;
const LAG_TARGET = 4;

/** The peer ids that `cluster`'s live nodes list as peers. */
async function listedPeers(cluster: Cluster): Promise<Set<string>> {
  const lists = await Promise.all(
    cluster.live.map((m) => m.process!.rpc<{ peerId: string }[]>("system_peers")),
  );
  return new Set(lists.flat().map((p) => p.peerId));
}

Deno.test({
  name:
    "rogue peers (garbage, oversized frames, forged blocks and votes, a request flood) are banned; finality keeps up",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const rogues = await Promise.all(MISBEHAVIOURS.map((m) => RoguePeer.create(m)));
    try {
      await withCluster(
        { slotMs: 1000, seed: 25, extraReserved: rogues.map((r) => r.address) },
        async (cluster, watch) => {
          const alice = cluster.node(0);
          const genesis = fromHex(await alice.rpc<string>("chain_getBlockHash", [0]));
          const validators = cluster.members;
          const addresses = validators.map((m) => `/ip4/127.0.0.1/tcp/${m.port}/p2p/${m.peerId}`);
          await Promise.all(rogues.map((r) => r.start(genesis, addresses)));
          await until(
            "every rogue to be connected to every validator",
            () =>
              rogues.every((r) => validators.every((m) => r.connectedTo(m.peerId))) || undefined,
            60_000,
          );

          const attacked = Date.now();
          const droppedAfter = new Map<RoguePeer, number>();
          await Promise.all(rogues.map(async (rogue) => {
            const connected = () => validators.some((m) => rogue.connectedTo(m.peerId));
            while (connected() && Date.now() - attacked < ATTACK_MS) {
              await rogue.misbehave(alice);
              await hold(100);
            }
            if (!connected()) droppedAfter.set(rogue, Date.now() - attacked);
          }));

          // Banned, not merely dropped: the rogue redials every second and stays out.
          const notBanned = new Set(
            rogues.filter((r) => !droppedAfter.has(r)).map((r) => r.misbehaviour),
          );
          const checkedUntil = Date.now() + BANNED_MS;
          while (Date.now() < checkedUntil) {
            const listed = await listedPeers(cluster);
            for (const rogue of rogues) {
              const back = validators.some((m) => rogue.connectedTo(m.peerId));
              if (back || listed.has(rogue.peerId)) notBanned.add(rogue.misbehaviour);
            }
            await hold(250);
          }
          const lag = watch.lagP95([...VALIDATORS], attacked, Date.now());
          const banned = rogues.filter((r) => !notBanned.has(r.misbehaviour))
            .map((r) => `${r.misbehaviour} ${seconds(droppedAfter.get(r)!)}`);
          report(
            `rogue peers: banned by all 4 after ${banned.join(", ")}; not banned: ${
              [...notBanned].join(", ") || "none"
            }; finality lag p95 ${lag} blocks, stall ${
              seconds(watch.stallMs(attacked, Date.now()))
            }`,
          );
          ok(notBanned.size === 0, `still connected or listed: ${[...notBanned].join(", ")}`);
          ok(lag <= LAG_TARGET, `finality lagged ${lag} blocks (p95) under attack`);
        },
      );
    } finally {
      await Promise.all(rogues.map((r) => r.stop()));
    }
  },
});
