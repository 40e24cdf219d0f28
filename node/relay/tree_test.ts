/**
 * Relay trees in process: two relays over one dev chain, each on its own
 * HTTP port. Relay A (Alice's) serves one viewer at most; the second viewer
 * is sent on to relay B (Bob's, registered on chain) with a `307`, follows
 * it with a token of its own for B, B pulls the stream from A, and the
 * viewer watches from B and pays B on B's voucher lane. A token made for A
 * is no good at B, a forged one neither, and a relay pulling from a full
 * relay is never sent on.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Hono } from "hono";
import { signerFromUri, type SigningKey, ss58Encode } from "../../runtime/crypto/mod.ts";
import { utf8 } from "../../runtime/primitives/bytes.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { HeadlessViewer } from "../client/headless_viewer.ts";
import { addRelayRoutes } from "./http.ts";
import { InProcessPlane } from "./media/plane.ts";
import { RelayOverflow } from "./overflow.ts";
import type { AckMessage, SessionMessage } from "../../client/relay/pay_messages.ts";
import {
  alice,
  bob,
  charlie,
  dave,
  liveStream,
  openChannel,
  openDesk,
  startChain,
  type TestChain,
  testLogger,
  until,
} from "./pay/_testing.ts";
import { Relay } from "./relay.ts";
import { peerConfig } from "./rtc_config.ts";
import { SyntheticPublisher } from "./testing/synthetic_source.ts";
import { encodeToken, issueToken, type TokenRole } from "../../client/relay/token.ts";
import { UpstreamPuller } from "./upstream.ts";

const PRICE = 1_000_000_000n;
const eve = signerFromUri("//Eve", "ed25519");

/** A relay of `key`'s account with its routes served on 127.0.0.1. */
interface RunningRelay {
  url: string;
  relay: Relay;
  close(): Promise<void>;
}

/** Starts a relay for `key` on `chain`: it pulls with its key, meters with its desk, redirects when full. */
async function startRelay(
  chain: TestChain,
  key: SigningKey & { publicKey: Uint8Array },
  name: string,
  maxViewers?: number,
): Promise<RunningRelay> {
  const log = testLogger();
  const client = chain.client;
  const payments = await openDesk(chain, {
    path: `${chain.dir}/${name}`,
    signer: chain.signer(key),
    log,
  });
  const upstream = new UpstreamPuller({
    client,
    key,
    log,
    backing: (stream) => payments.vouchersFor(stream),
  });
  const relay = new Relay({
    client,
    plane: new InProcessPlane({ peerConfig: peerConfig({ loopbackOnly: true }), upstream }),
    log,
    payments,
    maxViewers,
    overflow: new RelayOverflow({ client, self: key.publicKey, log }),
  });
  const app = new Hono();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}`;
  addRelayRoutes(app, {
    relay,
    genesis: toHex(client.genesisHash),
    audiences: new Set([url]),
    iceServers: [],
    upstream,
  });
  return {
    url,
    relay,
    close: async () => {
      await relay.close();
      await payments.close();
      await server.shutdown();
    },
  };
}

/** A token of `key` for `stream` at the relay at `url`. */
function token(chain: TestChain, key: SigningKey, stream: bigint, role: TokenRole, url: string) {
  return issueToken(key, { genesis: toHex(chain.client.genesisHash), stream, role, audience: url });
}

/** A WHEP POST of a placeholder offer with `token`, not following redirects. */
function offer(url: string, stream: bigint, bearer: string, query = ""): Promise<Response> {
  return fetch(`${url}/whep/${stream}${query}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/sdp", authorization: `Bearer ${bearer}` },
    body: "v=0\r\n",
  });
}

Deno.test({
  name: "a full relay sends a viewer on to another, which pulls from it and is paid by the viewer",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const chain = await startChain();
    const cleanups: (() => Promise<unknown>)[] = [];
    try {
      const stream = await liveStream(chain, alice, PRICE);
      const a = await startRelay(chain, alice, "a", 1);
      cleanups.push(() => a.close());
      const b = await startRelay(chain, bob, "b");
      cleanups.push(() => b.close());
      // What each node's directory does: A carries the stream, B is a registered relay.
      await chain.apply(alice, "QosRewards", "registerRelay", { endpoint: utf8(a.url) });
      await chain.apply(alice, "Streams", "announceRelay", { id: stream });
      await chain.apply(bob, "QosRewards", "registerRelay", { endpoint: utf8(b.url) });
      for (const viewer of [dave, eve]) await openChannel(chain, viewer, stream, 1_000n * PRICE);

      const publisher = await SyntheticPublisher.start({
        whipUrl: `${a.url}/whip/${stream}`,
        token: token(chain, alice, stream, "publish", a.url),
        loopback: true,
        bitrate: 300_000,
      });
      cleanups.push(() => publisher.stop());

      const first = await HeadlessViewer.start({
        whepUrl: `${a.url}/whep/${stream}`,
        token: (url) => token(chain, dave, stream, "watch", url),
        loopback: true,
        pay: { key: dave },
      });
      cleanups.push(() => first.stop());
      assertEquals(first.endpoint, `${a.url}/whep/${stream}`);

      // A is full: the next viewer is sent to B, with the Location a browser can read.
      const refused = await offer(a.url, stream, token(chain, eve, stream, "watch", a.url));
      await refused.body?.cancel();
      assertEquals(refused.status, 307);
      assertEquals(refused.headers.get("location"), `${b.url}/whep/${stream}`);
      ok(refused.headers.get("access-control-expose-headers")?.includes("location"));

      const audiences: string[] = [];
      const second = await HeadlessViewer.start({
        whepUrl: `${a.url}/whep/${stream}`,
        token: (url) => {
          audiences.push(new URL(url).origin);
          return token(chain, eve, stream, "watch", url);
        },
        loopback: true,
        pay: { key: eve },
        connectTimeoutMs: 20_000,
      });
      cleanups.push(() => second.stop());
      assertEquals(second.endpoint, `${b.url}/whep/${stream}`);
      assertEquals(audiences, [a.url, b.url], "a fresh token for the relay it was sent to");

      await until("30 frames from B", () => second.stats().video.frames >= 30, 20_000);
      const acks = () => second.messages.filter((m): m is AckMessage => m.type === "ack");
      await until("B acknowledging three vouchers", () => acks().length >= 3, 20_000);
      const session = second.messages.find((m): m is SessionMessage => m.type === "session")!;
      assertEquals(session.relay, ss58Encode(bob.publicKey), "B names itself the payee");
      ok(BigInt(acks().at(-1)!.amount) > BigInt(acks()[0].amount), "B's lane grows");

      // A serves its one viewer (B's pull is not a viewer); the stream is one deeper at B.
      assertEquals(await (await fetch(`${a.url}/relay/load`)).json(), {
        viewers: 1,
        maxViewers: 1,
      });
      const depthAt = async (url: string) => {
        const streams: { stream: number; depth: number | null; source: string }[] =
          await (await fetch(`${url}/relay/streams`)).json();
        return streams.find((s) => s.stream === Number(stream));
      };
      assertEquals((await depthAt(a.url))?.depth, 0);
      await until("B's depth known", () => b.relay.streams().length > 0);
      const atB = await depthAt(b.url);
      assertEquals([atB?.source, atB?.depth], ["upstream", 1]);
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      await chain.close();
    }
  },
});

Deno.test({
  name: "attack: a token made for the full relay, or forged, is refused where the viewer is sent",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const chain = await startChain();
    const cleanups: (() => Promise<unknown>)[] = [];
    try {
      const stream = await liveStream(chain, alice, 0n);
      const a = await startRelay(chain, alice, "a", 0);
      cleanups.push(() => a.close());
      const b = await startRelay(chain, bob, "b");
      cleanups.push(() => b.close());
      await chain.apply(bob, "QosRewards", "registerRelay", { endpoint: utf8(b.url) });
      await chain.apply(charlie, "QosRewards", "registerRelay", {
        endpoint: utf8("http://x.invalid"),
      });

      const forA = token(chain, dave, stream, "watch", a.url);
      const sent = await offer(a.url, stream, forA);
      await sent.body?.cancel();
      assertEquals(sent.status, 307);
      const location = sent.headers.get("location")!;
      assertEquals(location, `${b.url}/whep/${stream}`);
      // A pinned simulcast layer goes with the viewer.
      const pinned = await offer(a.url, stream, forA, "?layer=low");
      await pinned.body?.cancel();
      assertEquals(pinned.headers.get("location"), `${b.url}/whep/${stream}?layer=low`);

      // The token A was shown names A: B refuses it (it cannot be replayed anywhere else).
      const replayed = await fetch(location, {
        method: "POST",
        headers: { "content-type": "application/sdp", authorization: `Bearer ${forA}` },
        body: "v=0\r\n",
      });
      assertEquals(replayed.status, 401);
      ok((await replayed.text()).includes("not this one"));

      // A token for B in Dave's name, signed by another key.
      const forged = encodeToken({
        genesis: toHex(chain.client.genesisHash),
        stream: Number(stream),
        account: ss58Encode(dave.publicKey),
        role: "watch",
        aud: b.url,
        exp: Math.floor(Date.now() / 1000) + 60,
      }, eve);
      const refused = await offer(b.url, stream, forged);
      assertEquals(refused.status, 401);
      ok((await refused.text()).includes("signature"));

      // A registered relay pulling from the full relay is never sent on (here, nothing to pull yet).
      const pull = await offer(a.url, stream, token(chain, charlie, stream, "relay", a.url));
      await pull.body?.cancel();
      assertEquals(pull.status, 409);
      assertEquals(pull.headers.get("location"), null);
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      await chain.close();
    }
  },
});
