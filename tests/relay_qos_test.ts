/**
 * QoS rewards across real nodes: two relays pull the same paid stream, one
 * serves two viewers and the other one, each viewer pays and signs
 * receipts; both relays claim and report in the era and the era's payout
 * rewards the busier relay more.
 */
import { ok } from "node:assert/strict";
import { keypairFromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import { fromHex, toHex } from "../runtime/primitives/hex.ts";
import { NodeConnection } from "../node/client/commands.ts";
import { HeadlessViewer } from "../node/client/headless_viewer.ts";
import { decodeEventsWith, storageKeyFromJson } from "../client/metadata.ts";
import { fastDevSpec, NodeProcess } from "./_node.ts";
import { liveStream, publishAsAlice, startRelayNodes, tokenFor, untilTrue } from "./_relay.ts";

/** 60 blocks of 200 ms: a 12 s era. */
const ERA_LENGTH = 60;
/** Planck a second: 10,000 s fit in a viewer's dev balance many times over. */
const PRICE = 1_000_000n;

Deno.test({
  name: "relay: the relay that served more is rewarded more at the era's end",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sutantra-qos-" });
    const chain = await fastDevSpec(dir, { eraLength: ERA_LENGTH });
    const nodes: NodeProcess[] = [];
    const cleanups: (() => Promise<unknown>)[] = [];
    try {
      const [alice, bob, charlie] = await startRelayNodes(chain, ["//Bob", "//Charlie"], nodes);
      const genesis = await alice.rpc<string>("chain_getBlockHash", [0]);
      const stream = await liveStream(alice, "//Alice", PRICE);
      const publisher = await publishAsAlice(alice, genesis, stream, 300_000);
      cleanups.push(() => publisher.stop());
      const conn = await NodeConnection.open(`ws://127.0.0.1:${alice.rpcPort}`);
      cleanups.push(() => Promise.resolve(conn.close()));

      // QoS credits only paid seconds: each viewer pays through a channel.
      const watch = async (node: NodeProcess, uri: string) => {
        await conn.submit(
          "Access",
          "openChannel",
          { stream: stream.toString(), deposit: (10_000n * PRICE).toString(), expiry: 1_000_000 },
          keypairFromUri(uri),
          "in-block",
        );
        const viewer = await HeadlessViewer.start({
          whepUrl: `http://127.0.0.1:${node.rpcPort}/whep/${stream}`,
          token: tokenFor(uri, genesis, stream, "watch", node),
          loopback: true,
          connectTimeoutMs: 20_000,
          pay: { key: keypairFromUri(uri), receiptIntervalMs: 1_000 },
        });
        cleanups.push(() => viewer.stop());
      };
      // Bob's relay serves two viewers, Charlie's one, for the same time.
      await Promise.all([
        watch(bob, "//Dave"),
        watch(bob, "//Eve"),
        watch(charlie, "//Ferdie"),
      ]);

      const eventsKey = toHex(storageKeyFromJson(conn.metadata, "System", "Events", []));
      const rewards = new Map<string, bigint>();
      const names = new Map(
        ["//Bob", "//Charlie"].map((uri) => [ss58Encode(keypairFromUri(uri).publicKey), uri]),
      );
      let scanned = (await conn.rpc.call<{ number: string }>("chain_getHeader")).number;
      await untilTrue("both relays rewarded in one era", async () => {
        const best = Number((await conn.rpc.call<{ number: string }>("chain_getHeader")).number);
        for (let n = Number(scanned) + 1; n <= best; n++) {
          const hash = await conn.rpc.call<string>("chain_getBlockHash", [n]);
          const raw = await conn.rpc.call<string | null>("state_getStorage", [eventsKey, hash]);
          for (const e of raw ? decodeEventsWith(conn.metadata, fromHex(raw)) : []) {
            if (e.name !== "RelayRewarded") continue;
            const uri = names.get(e.fields.relay as string);
            if (uri) rewards.set(uri, BigInt(e.fields.amount as string | number));
          }
          if (rewards.size === 2) return true;
          rewards.clear(); // both in the same era's payout block
        }
        scanned = String(best);
        return false;
      }, 3 * ERA_LENGTH * 200 + 30_000);
      ok(
        rewards.get("//Bob")! > rewards.get("//Charlie")!,
        `Bob ${rewards.get("//Bob")} > Charlie ${rewards.get("//Charlie")}`,
      );
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      await Promise.all(nodes.map((n) => n.stop()));
      await Deno.remove(dir, { recursive: true });
    }
  },
});
