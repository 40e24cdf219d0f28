/**
 * Relay trees across two real nodes: node A (Alice's) serves one viewer at
 * most (`--relay-max-viewers 1`); a second viewer of a paid stream is sent
 * on to node B (Bob's, a registered relay) with a `307`, follows it with a
 * token of its own for B, B pulls the stream from A, and the viewer decodes
 * frames from B and pays B: B names itself the payee, acknowledges growing
 * vouchers and claims them on chain when the viewer leaves. `stream watch`
 * is sent on likewise. Both nodes' metrics and `/relay/streams` say the
 * stream's depth (0 at A, 1 at B). The attacks: the token A was shown is
 * refused at B, and so is a forged one; B's pull from the full A is not
 * sent on.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { keypairFromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { HeadlessViewer } from "../node/client/headless_viewer.ts";
import { NodeConnection } from "../node/client/commands.ts";
import { parseAmount } from "../client/units.ts";
import type { AckMessage, SessionMessage } from "../client/relay/pay_messages.ts";
import { encodeToken, issueToken } from "../client/relay/token.ts";
import { cli, fastDevSpec, NodeProcess } from "./_node.ts";
import { liveStream, publishAsAlice, startTreeNodes, untilTrue } from "./_relay.ts";

const PRICE = 1_000_000_000n;
const bob = keypairFromUri("//Bob");

/** The node's Prometheus metrics, from the port it logged. */
async function metricsOf(node: NodeProcess): Promise<string> {
  const port = node.output.match(/Prometheus metrics on http:\/\/127\.0\.0\.1:(\d+)/)?.[1];
  ok(port, "the node logged its metrics port");
  return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

Deno.test({
  name: "relay tree: a full node sends a viewer on to another, which pulls from it and is paid",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sutantra-tree-" });
    const chain = await fastDevSpec(dir);
    const nodes: NodeProcess[] = [];
    const cleanups: (() => Promise<unknown>)[] = [];
    try {
      const { a, b } = await startTreeNodes(chain, 1, nodes);
      const urlA = `http://127.0.0.1:${a.rpcPort}`;
      const urlB = `http://127.0.0.1:${b.rpcPort}`;
      const genesis = await a.rpc<string>("chain_getBlockHash", [0]);
      const tokenFor = (uri: string, role: "watch" | "relay") => (url: string) =>
        issueToken(keypairFromUri(uri), { genesis, stream, role, audience: url });

      const stream = await liveStream(a, "//Alice", PRICE);
      const conn = await NodeConnection.open(`ws://127.0.0.1:${a.rpcPort}`);
      cleanups.push(() => Promise.resolve(conn.close()));
      const channels = new Map<string, bigint>();
      for (const uri of ["//Dave", "//Eve"]) {
        const opened = await conn.submit(
          "Access",
          "openChannel",
          {
            stream: stream.toString(),
            deposit: (1000n * PRICE).toString(),
            expiry: 1_000_000,
          },
          keypairFromUri(uri),
          "in-block",
        );
        const event = opened.events.find((e) => e.name === "ChannelOpened");
        ok(event, `${uri}'s channel: ${opened.error?.name}`);
        channels.set(uri, BigInt(event.fields.channel as string));
      }

      const publisher = await publishAsAlice(a, genesis, stream, 500_000);
      cleanups.push(() => publisher.stop());
      await untilTrue("A listed as the stream's carrier", async () => {
        const since = await conn.queryStorage("Streams", "StreamRelays", [
          stream.toString(),
          toHex(keypairFromUri("//Alice").publicKey),
        ]);
        return since !== null && since !== undefined;
      }, 60_000);

      const first = await HeadlessViewer.start({
        whepUrl: `${urlA}/whep/${stream}`,
        token: tokenFor("//Dave", "watch"),
        loopback: true,
        pay: { key: keypairFromUri("//Dave") },
        connectTimeoutMs: 20_000,
      });
      cleanups.push(() => first.stop());
      assertEquals(first.endpoint, `${urlA}/whep/${stream}`);

      // A is full: a plain WHEP POST learns where to go.
      const tokenOfEveForA = tokenFor("//Eve", "watch")(urlA);
      const sent = await fetch(`${urlA}/whep/${stream}`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/sdp", authorization: `Bearer ${tokenOfEveForA}` },
        body: "v=0\r\n",
      });
      await sent.body?.cancel();
      assertEquals(sent.status, 307);
      assertEquals(sent.headers.get("location"), `${urlB}/whep/${stream}`);

      // The attacks at B: A's token, and one forged in Eve's name, are refused.
      const offerAtB = async (bearer: string) => {
        const response = await fetch(`${urlB}/whep/${stream}`, {
          method: "POST",
          headers: { "content-type": "application/sdp", authorization: `Bearer ${bearer}` },
          body: "v=0\r\n",
        });
        return { status: response.status, body: await response.text() };
      };
      const replayed = await offerAtB(tokenOfEveForA);
      assertEquals(replayed.status, 401, replayed.body);
      ok(replayed.body.includes("not this one"), replayed.body);
      const forged = await offerAtB(encodeToken({
        genesis,
        stream: Number(stream),
        account: ss58Encode(keypairFromUri("//Eve").publicKey),
        role: "watch",
        aud: urlB,
        exp: Math.floor(Date.now() / 1000) + 60,
      }, keypairFromUri("//Ferdie")));
      assertEquals(forged.status, 401, forged.body);

      // Eve follows the redirect with a token for B; B pulls from the full A (never sent on).
      const second = await HeadlessViewer.start({
        whepUrl: `${urlA}/whep/${stream}`,
        token: tokenFor("//Eve", "watch"),
        loopback: true,
        pay: { key: keypairFromUri("//Eve") },
        connectTimeoutMs: 20_000,
      });
      cleanups.push(() => second.stop());
      assertEquals(second.endpoint, `${urlB}/whep/${stream}`);
      await untilTrue("30 frames from B", () => second.stats().video.frames >= 30, 30_000);
      ok(b.output.includes(`Stream ${stream}: pulling from ${urlA}`), "B pulls from A");

      const acks = () => second.messages.filter((m): m is AckMessage => m.type === "ack");
      await untilTrue("B acknowledging three vouchers", () => acks().length >= 3, 20_000);
      const session = second.messages.find((m): m is SessionMessage => m.type === "session");
      assertEquals(session?.relay, ss58Encode(bob.publicKey, 42), "B names itself the payee");
      const acked = acks().map((m) => BigInt(m.amount));
      ok(acked.at(-1)! > acked[0], `B's lane grows: ${acked.join(", ")}`);

      // Depth and viewers, as the nodes say them.
      const loadOf = async (url: string) => await (await fetch(`${url}/relay/load`)).json();
      assertEquals(await loadOf(urlA), { viewers: 1, maxViewers: 1 });
      assertEquals((await loadOf(urlB)).viewers, 1);
      const streamAt = async (url: string) =>
        ((await (await fetch(`${url}/relay/streams`)).json()) as {
          stream: number;
          depth: number | null;
        }[]).find((s) => s.stream === Number(stream));
      assertEquals((await streamAt(urlA))?.depth, 0);
      assertEquals((await streamAt(urlB))?.depth, 1);
      const label = `{stream="${stream}"}`;
      ok((await metricsOf(a)).includes(`sutantra_relay_stream_depth${label} 0`));
      const metricsB = await metricsOf(b);
      ok(metricsB.includes(`sutantra_relay_stream_depth${label} 1`), metricsB);
      ok(metricsB.includes(`sutantra_relay_stream_viewers${label} 1`), metricsB);
      ok((await metricsOf(a)).includes("sutantra_relay_max_viewers 1"));

      // `stream watch` at the full A is sent on to B too, and pays there.
      const watched = await cli(
        a,
        "stream",
        "watch",
        stream.toString(),
        "--key",
        "//Ferdie",
        "--seconds",
        "3",
      );
      ok(watched.out.includes(`sent on to ${urlB}`), watched.out);
      ok(watched.out.includes(`Watching from ${urlB}`), watched.out);
      const ticks = [...watched.out.matchAll(/(\d+) fps .* paid ([\d.]+) STREAM/g)];
      ok(ticks.some(([, fps]) => Number(fps) > 0), `no frames from B:\n${watched.out}`);
      ok(parseAmount(ticks.at(-1)?.[2] ?? "0", 12) > 0n, `nothing paid to B:\n${watched.out}`);

      // Eve leaves: B claims her newest voucher on its own lane.
      await second.stop();
      const newest = BigInt(acks().at(-1)!.amount);
      const channel = channels.get("//Eve")!;
      await untilTrue("B's claim of Eve's vouchers on chain", async () => {
        const state = await conn.queryStorage("Access", "Channels", [channel.toString()]) as
          | { claimed: string | number }
          | null;
        return state !== null && BigInt(state.claimed) >= newest;
      }, 60_000);
    } catch (e) {
      const logs = nodes.map((n) => n.output.slice(-3000)).join("\n---\n");
      throw new Error(`${(e as Error).message}\nThe nodes said:\n${logs}`);
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      await Promise.all(nodes.map((n) => n.stop()));
      await Deno.remove(dir, { recursive: true });
    }
  },
});
