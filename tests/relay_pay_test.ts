/**
 * Paying per second on a real dev node: a viewer without a channel gets
 * 403; a paying viewer's vouchers are acknowledged; forged, replayed (other
 * channel, other genesis) and non-monotonic vouchers are refused; a viewer
 * that stops paying is cut off within grace + 2 s; the relay, killed and
 * restarted, still claims the newest voucher it acknowledged. A viewer whose
 * stream's publisher leaves has its session ended, so it pays no more.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { keypairFromUri, signMulti } from "../runtime/crypto/mod.ts";
import { fromHex } from "../runtime/primitives/hex.ts";
import { voucherPayload } from "../pallets/access/voucher.ts";
import { HeadlessViewer } from "../node/client/headless_viewer.ts";
import { NodeConnection } from "../node/client/commands.ts";
import type { AckMessage, RefusedMessage } from "../client/relay/pay_messages.ts";
import { channelToWire, signatureToWire } from "../client/relay/pay_messages.ts";
import { fastDevSpec, NodeProcess } from "./_node.ts";
import { liveStream, publishAsAlice, tokenFor, untilTrue } from "./_relay.ts";

const PRICE = 1_000_000_000n;
const GRACE_SECONDS = 5; // the dev preset's relay grace
const bob = keypairFromUri("//Bob");

Deno.test({
  name: "relay: vouchers are checked, acknowledged, enforced and claimed after a restart",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sutantra-pay-" });
    const chain = await fastDevSpec(dir);
    const start = () =>
      new NodeProcess(["--chain", chain, "--alice", "--base-path", `${dir}/alice`]);
    let node = start();
    const cleanups: (() => Promise<unknown>)[] = [];
    try {
      await node.ready();
      const base = `http://127.0.0.1:${node.rpcPort}`;
      const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
      const stream = await liveStream(node, "//Alice", PRICE);
      const publisher = await publishAsAlice(node, genesis, stream, 300_000);
      cleanups.push(() => publisher.stop());

      // No channel, no access.
      const refused = await fetch(`${base}/whep/${stream}`, {
        method: "POST",
        headers: {
          "content-type": "application/sdp",
          authorization: `Bearer ${tokenFor("//Bob", genesis, stream, "watch", node)}`,
        },
        body: "v=0\r\n",
      });
      await refused.body?.cancel();
      assertEquals(refused.status, 403);

      let conn = await NodeConnection.open(`ws://127.0.0.1:${node.rpcPort}`);
      cleanups.push(() => Promise.resolve(conn.close()));
      const { channel, viewer } = await bobWatching(conn, node, genesis, stream);
      cleanups.push(() => viewer.stop());
      const acks = () => viewer.messages.filter((m): m is AckMessage => m.type === "ack");
      const refusals = () =>
        viewer.messages.filter((m): m is RefusedMessage => m.type === "refused");
      await untilTrue("three acknowledged vouchers", () => acks().length >= 3, 20_000);
      ok(viewer.stats().video.frames > 0, "media flows to a paying viewer");

      // Forged, other genesis, other channel, not newer: each refused.
      const held = BigInt(acks().at(-1)!.amount);
      // The node relays with //Alice's key: her lane is the payee vouchers name.
      const relay = keypairFromUri("//Alice").publicKey;
      const signed = (g: Uint8Array, ch: bigint, amount: bigint) =>
        signatureToWire(signMulti(bob, voucherPayload(g, ch, relay, amount)));
      const otherGenesis = new Uint8Array(32).fill(7);
      const before = refusals().length;
      viewer.payments!.sendVoucher(held + 100n * PRICE, { forged: true });
      for (const [g, ch] of [[otherGenesis, channel], [fromHex(genesis), channel + 1n]] as const) {
        viewer.send({
          type: "voucher",
          channel: channelToWire(channel),
          amount: (held + 100n * PRICE).toString(),
          signature: signed(g, ch, held + 100n * PRICE),
        });
      }
      viewer.send({
        type: "voucher",
        channel: channelToWire(channel),
        amount: held.toString(),
        signature: signed(fromHex(genesis), channel, held),
      });
      await untilTrue("four refusals", () => refusals().length >= before + 4, 10_000);
      for (const r of refusals().slice(before)) assertEquals(r.what, "voucher");

      // Stop paying: cut off within grace + 2 s of the last voucher's cover.
      viewer.payments!.pause();
      const pausedAt = Date.now();
      const reason = await viewer.ended;
      const cutAfter = (Date.now() - pausedAt) / 1000;
      assertEquals(reason, "cutoff");
      ok(cutAfter <= GRACE_SECONDS + 2 + 1, `cut off after ${cutAfter} s`);
      const lastAck = BigInt(acks().at(-1)!.amount);
      const claimed = async () => {
        const ch = await conn.queryStorage("Access", "Channels", [channel.toString()]) as
          | { claimed: string | number }
          | null;
        return ch === null ? -1n : BigInt(ch.claimed);
      };
      await untilTrue("the session's vouchers claimed", async () => (await claimed()) === lastAck);

      // A second session pays on; the relay is killed before it claims, and claims after.
      const again = await HeadlessViewer.start({
        whepUrl: `${base}/whep/${stream}`,
        token: tokenFor("//Bob", genesis, stream, "watch", node),
        loopback: true,
        pay: { key: bob, baseline: lastAck },
      });
      cleanups.push(() => again.stop());
      const acked = () => again.messages.filter((m): m is AckMessage => m.type === "ack");
      await untilTrue("two more acknowledged vouchers", () => acked().length >= 2, 20_000);
      await node.stop("SIGKILL");
      const acknowledged = BigInt(acked().at(-1)!.amount);
      ok(acknowledged > lastAck);
      conn.close();
      node = start();
      await node.ready();
      conn = await NodeConnection.open(`ws://127.0.0.1:${node.rpcPort}`);
      await untilTrue(
        "the acknowledged voucher claimed after the restart",
        async () => (await claimed()) === acknowledged,
        30_000,
      );
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      await node.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Bob opens a channel to `stream` and watches it, paying; the channel's id and his viewer. */
async function bobWatching(
  conn: NodeConnection,
  node: NodeProcess,
  genesis: string,
  stream: bigint,
): Promise<{ channel: bigint; viewer: HeadlessViewer }> {
  const opened = await conn.submit(
    "Access",
    "openChannel",
    { stream: stream.toString(), deposit: (1000n * PRICE).toString(), expiry: 1_000_000 },
    bob,
    "in-block",
  );
  const channel = BigInt(
    opened.events.find((e) => e.name === "ChannelOpened")!.fields.channel as string,
  );
  const viewer = await HeadlessViewer.start({
    whepUrl: `http://127.0.0.1:${node.rpcPort}/whep/${stream}`,
    token: tokenFor("//Bob", genesis, stream, "watch", node),
    loopback: true,
    pay: { key: bob },
  });
  return { channel, viewer };
}

Deno.test({
  name: "relay: when the publisher leaves, its viewers' sessions end rather than go on paying",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sutantra-pay-gone-" });
    const node = new NodeProcess(["--chain", await fastDevSpec(dir), "--alice", "--tmp"]);
    const cleanups: (() => Promise<unknown>)[] = [];
    try {
      await node.ready();
      const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
      const stream = await liveStream(node, "//Alice", PRICE);
      const publisher = await publishAsAlice(node, genesis, stream, 300_000);
      cleanups.push(() => publisher.stop());
      const conn = await NodeConnection.open(`ws://127.0.0.1:${node.rpcPort}`);
      cleanups.push(() => Promise.resolve(conn.close()));
      const { viewer } = await bobWatching(conn, node, genesis, stream);
      cleanups.push(() => viewer.stop());
      const acks = () => viewer.messages.filter((m) => m.type === "ack").length;
      await untilTrue("two acknowledged vouchers", () => acks() >= 2, 20_000);

      // The creator stops: the relay ends the viewer's session, so nothing more is owed.
      await publisher.stop();
      let ended: string | undefined;
      void viewer.ended.then((reason) => ended = reason);
      await untilTrue("the viewer's session ended by the relay", () => ended !== undefined, 30_000);
      const carried = async () => {
        const streams: { stream: number; viewers: number }[] = await (await fetch(
          `http://127.0.0.1:${node.rpcPort}/relay/streams`,
        )).json();
        return streams.find((s) => BigInt(s.stream) === stream)?.viewers ?? 0;
      };
      await untilTrue("no viewer left on the relay", async () => await carried() === 0, 10_000);
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      await node.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
