import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { Hono } from "hono";
import { toHex } from "../../runtime/primitives/hex.ts";
import { addRelayRoutes, parseSdpFragment } from "./http.ts";
import { createPeerConnection } from "./media/peer.ts";
import { alice, liveStream, startChain, type TestChain, testLogger } from "./pay/_testing.ts";
import { Relay, RelayError } from "./relay.ts";
import { InProcessPlane } from "./media/plane.ts";
import { type IceServer, peerConfig } from "./rtc_config.ts";
import { issueToken } from "../../client/relay/token.ts";

Deno.test("a trickle-ice-sdpfrag gives its ufrag and candidates with their mid", () => {
  const fragment = [
    "a=ice-ufrag:EsAw",
    "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1",
    "m=audio 9 RTP/AVP 0",
    "a=mid:0",
    "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0",
    "a=end-of-candidates",
  ].join("\r\n");
  assertEquals(parseSdpFragment(fragment), {
    ufrag: "EsAw",
    candidates: [{
      candidate: "candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0",
      sdpMid: "0",
    }],
  });
});

Deno.test("a body that is not an SDP fragment is a 400", () => {
  throws(
    () => parseSdpFragment("hello\r\nworld"),
    (e: Error) => e instanceof RelayError && e.status === 400,
  );
});

/** The relay's routes on a Hono app over Alice's dev chain in process, with `iceServers`. */
async function withRoutes(
  iceServers: IceServer[],
  fn: (app: Hono, chain: TestChain) => Promise<void>,
): Promise<void> {
  const chain = await startChain();
  const relay = new Relay({
    client: chain.client,
    plane: new InProcessPlane({ peerConfig: peerConfig({ loopbackOnly: true }) }),
    log: testLogger(),
  });
  const app = new Hono();
  addRelayRoutes(app, {
    relay,
    genesis: toHex(chain.client.genesisHash),
    audiences: new Set([ORIGIN]),
    iceServers,
  });
  try {
    await fn(app, chain);
  } finally {
    await relay.close();
    await chain.close();
  }
}

const ORIGIN = "http://127.0.0.1:9944";

Deno.test("a WHEP endpoint answers GET and HEAD with no content, as application/sdp", async () => {
  // The WHEP draft: its resources have no representation, so GET is a 2xx
  // without content; HEAD says application/sdp, by which a player may
  // discover that a URL is a WHEP endpoint ("WHEP Endpoint URL Discoverability").
  await withRoutes([], async (app) => {
    for (const method of ["GET", "HEAD"]) {
      const response = await app.request("/whep/7", { method });
      assertEquals(response.status, 200, method);
      assertEquals(response.headers.get("content-type"), "application/sdp");
      assertEquals(response.headers.get("access-control-allow-origin"), "*");
      assertEquals(await response.text(), "");
    }
    assertEquals((await app.request("/whep/x")).status, 404);
  });
});

Deno.test("ICE servers go in Link on a plain OPTIONS, not on a CORS preflight", async () => {
  // RFC 9725 §4.6: no STUN/TURN configuration on a preflight (their
  // credentials may cost a request to an outside provider to make).
  const stun = { urls: "stun:127.0.0.1:3478" };
  await withRoutes([stun], async (app) => {
    const plain = await app.request("/whip/7", { method: "OPTIONS" });
    assertEquals(plain.headers.get("link"), `<stun:127.0.0.1:3478>; rel="ice-server"`);
    const preflight = await app.request("/whip/7", {
      method: "OPTIONS",
      headers: {
        origin: "http://127.0.0.1:8000",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    assertEquals(preflight.status, 204);
    assertEquals(preflight.headers.get("link"), null);
    assertEquals(preflight.headers.get("access-control-allow-origin"), "*");
  });
});

Deno.test("a session takes PATCH without If-Match (third-party clients send none), a wrong one is 412, and GET sees it until DELETE", async () => {
  await withRoutes([], async (app, chain) => {
    const stream = await liveStream(chain, alice, 0n);
    const authorization = `Bearer ${
      issueToken(alice, {
        genesis: toHex(chain.client.genesisHash),
        stream,
        role: "publish",
        audience: ORIGIN,
      })
    }`;
    const publisher = createPeerConnection(peerConfig({ loopbackOnly: true }));
    try {
      publisher.addTransceiver("video", { direction: "sendonly" });
      await publisher.setLocalDescription(await publisher.createOffer());
      const posted = await app.request(`/whip/${stream}`, {
        method: "POST",
        headers: { authorization, "content-type": "application/sdp" },
        body: publisher.localDescription!.sdp,
      });
      assertEquals(posted.status, 201, await posted.clone().text());
      await posted.body?.cancel();
      const session = posted.headers.get("location")!;
      const ufrag = publisher.localDescription!.sdp.match(/^a=ice-ufrag:(\S+)/m)![1];
      const fragment = (ifMatch?: string) =>
        app.request(session, {
          method: "PATCH",
          headers: {
            authorization,
            "content-type": "application/trickle-ice-sdpfrag",
            ...(ifMatch ? { "if-match": ifMatch } : {}),
          },
          body: `a=ice-ufrag:${ufrag}\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n` +
            "a=candidate:1 1 udp 2122260223 127.0.0.1 9 typ host\r\na=end-of-candidates\r\n",
        });
      assertEquals((await fragment()).status, 204);
      assertEquals((await fragment(posted.headers.get("etag")!)).status, 204);
      assertEquals((await fragment(`"another"`)).status, 412);

      assertEquals((await app.request(session)).status, 200);
      const deleted = await app.request(session, { method: "DELETE", headers: { authorization } });
      assertEquals(deleted.status, 200);
      assertEquals((await app.request(session)).status, 404);
    } finally {
      await publisher.close();
    }
  });
});

Deno.test("attack: a ?layer= that names no layer is a 400, before anything is negotiated", async () => {
  await withRoutes([], async (app, chain) => {
    const stream = await liveStream(chain, alice, 0n);
    const authorization = `Bearer ${
      issueToken(alice, {
        genesis: toHex(chain.client.genesisHash),
        stream,
        role: "watch",
        audience: ORIGIN,
      })
    }`;
    for (const layer of ["a%20b", "x".repeat(33), "%22%3E"]) {
      const response = await app.request(`/whep/${stream}?layer=${layer}`, {
        method: "POST",
        headers: { authorization, "content-type": "application/sdp" },
        body: "v=0\r\n",
      });
      assertEquals(response.status, 400, layer);
      assertEquals((await response.text()).includes("?layer= takes a layer"), true);
    }
  });
});
