/**
 * kill -9 of a relay while a viewer pays it: Alice's node relays a live
 * stream to Bob, who pays per second with vouchers that Alice's relay
 * acknowledges once they are on disk. Alice's node is SIGKILLed mid-session
 * and restarted; the newest voucher it acknowledged must then be claimed on
 * chain and finalized on every validator: no acknowledged voucher is lost.
 */
import { decode } from "../../runtime/codec/types.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { accessStorage, channelType } from "../../pallets/access/mod.ts";
import { NodeConnection } from "../../node/client/commands.ts";
import { HeadlessViewer } from "../../node/client/headless_viewer.ts";
import type { AckMessage } from "../../client/relay/pay_messages.ts";
import { type NodeProcess, storageAt, until } from "../_node.ts";
import { liveStream, publishAsAlice, tokenFor } from "../_relay.ts";
import { report, seconds, withCluster } from "./_scenario.ts";

const PRICE = 1_000_000_000n;
const ACKS_BEFORE_KILL = 3;
/** A restarted relay claims what its last run left unclaimed: within a few slots, finalized soon after. */
const CLAIMED_BOUND_MS = 90_000;

/** What the finalized state of `node` says was claimed of `channel` (-1 when it is closed). */
async function claimedWhenFinalized(node: NodeProcess, channel: bigint): Promise<bigint> {
  const finalized = await node.rpc<string>("chain_getFinalizedHead");
  const raw = await storageAt(node, accessStorage.Channels.keyOf(channel), finalized);
  return raw ? decode(channelType, raw).claimed : -1n;
}

Deno.test({
  name: "a relay killed with SIGKILL mid-session claims every voucher it acknowledged",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withCluster({ slotMs: 1000, seed: 26 }, async (cluster) => {
      const alice = cluster.node(cluster.index("alice"));
      const base = `http://127.0.0.1:${alice.rpcPort}`;
      const genesis = await alice.rpc<string>("chain_getBlockHash", [0]);
      const stream = await liveStream(alice, "//Alice", PRICE);
      const cleanups: (() => Promise<unknown>)[] = [];
      try {
        const publisher = await publishAsAlice(alice, genesis, stream, 300_000);
        cleanups.push(() => publisher.stop());
        const conn = await NodeConnection.open(`ws://127.0.0.1:${alice.rpcPort}`);
        const opened = await conn.submit(
          "Access",
          "openChannel",
          { stream: stream.toString(), deposit: (1000n * PRICE).toString(), expiry: 1_000_000 },
          keypairFromUri("//Bob"),
          // Finalized, not in a block: on a loaded 4-node cluster that block may lose a fork
          // race, and Alice's relay checks access at her best block.
          "finalized",
        ).finally(() => conn.close());
        const channel = BigInt(
          opened.events.find((e) => e.name === "ChannelOpened")!.fields.channel as string,
        );
        const viewer = await HeadlessViewer.start({
          whepUrl: `${base}/whep/${stream}`,
          token: tokenFor("//Bob", genesis, stream, "watch", alice),
          loopback: true,
          pay: { key: keypairFromUri("//Bob") },
        });
        cleanups.push(() => viewer.stop());
        const acks = () => viewer.messages.filter((m): m is AckMessage => m.type === "ack");
        await until(
          `${ACKS_BEFORE_KILL} acknowledged vouchers`,
          () => acks().length >= ACKS_BEFORE_KILL || undefined,
          60_000,
        );

        await cluster.kill(cluster.index("alice"));
        // Every acknowledgement Alice sent before she died has arrived or never will.
        const acknowledged = BigInt(acks().at(-1)!.amount);
        const restarted = Date.now();
        await cluster.start(cluster.index("alice"));
        await until(
          `the acknowledged voucher (${acknowledged}) claimed and finalized on every node`,
          async () => {
            const claimed = await Promise.all(
              cluster.live.map((m) => claimedWhenFinalized(m.process!, channel)),
            );
            return claimed.every((c) => c >= acknowledged) || undefined;
          },
          CLAIMED_BOUND_MS,
        );
        const claimedAfter = Date.now() - restarted;
        report(
          `kill -9 of a paid relay mid-session: acknowledged voucher claimed and finalized on all 4 ${
            seconds(claimedAfter)
          } after restart`,
        );
      } finally {
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      }
    }),
});
