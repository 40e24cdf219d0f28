import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Hono } from "hono";
import { toHex } from "../../runtime/primitives/hex.ts";
import { issueToken } from "../../client/relay/token.ts";
import { getStream } from "../../pallets/streams/mod.ts";
import { addRelayRoutes } from "./http.ts";
import { InProcessPlane } from "./media/plane.ts";
import { alice, bob, liveStream, startChain, testLogger } from "./pay/_testing.ts";
import { isJpeg, MAX_POSTER_BYTES, Posters } from "./posters.ts";
import { Relay } from "./relay.ts";
import { peerConfig } from "./rtc_config.ts";

const ORIGIN = "http://127.0.0.1:9944";
/** The start of a JPEG (SOI, APP0), enough for the relay, which does not decode it. */
const JPEG = new Uint8Array([
  0xff,
  0xd8,
  0xff,
  0xe0,
  0,
  16,
  0x4a,
  0x46,
  0x49,
  0x46,
  0,
  1,
  0xff,
  0xd9,
]);

Deno.test("a JPEG is told by its first bytes", () => {
  assertEquals(isJpeg(JPEG), true);
  assertEquals(isJpeg(new TextEncoder().encode("\x89PNG\r\n")), false);
  assertEquals(isJpeg(new Uint8Array([0xff, 0xd8])), false);
});

Deno.test("only a live stream's creator sets its poster (204), checked for size and JPEG; GET gives it until the stream ends", async () => {
  const chain = await startChain();
  const relay = new Relay({
    client: chain.client,
    plane: new InProcessPlane({ peerConfig: peerConfig({ loopbackOnly: true }) }),
    log: testLogger(),
  });
  const app = new Hono();
  const genesis = toHex(chain.client.genesisHash);
  addRelayRoutes(app, {
    relay,
    genesis,
    audiences: new Set([ORIGIN]),
    iceServers: [],
    posters: new Posters({ stream: (id) => getStream(chain.state(), id) }),
  });
  try {
    const stream = await liveStream(chain, alice, 0n);
    const bearer = (key: typeof alice) =>
      `Bearer ${issueToken(key, { genesis, stream, role: "publish", audience: ORIGIN })}`;
    const put = (body: Uint8Array<ArrayBuffer>, headers: Record<string, string>) =>
      app.request(`/relay/poster/${stream}`, {
        method: "PUT",
        headers: { "content-type": "image/jpeg", ...headers },
        body,
      });
    const creator = { authorization: bearer(alice) };

    assertEquals((await app.request(`/relay/poster/${stream}`)).status, 404, "none yet");
    assertEquals((await put(JPEG, {})).status, 401, "no token");
    assertEquals((await put(JPEG, { authorization: bearer(bob) })).status, 403, "not the creator");
    const big = new Uint8Array(MAX_POSTER_BYTES + 1);
    big.set(JPEG);
    assertEquals((await put(big, creator)).status, 413, "too large");
    const png = new TextEncoder().encode("\x89PNG\r\n\x1a\n");
    assertEquals((await put(png, creator)).status, 415, "not a JPEG");
    assertEquals((await put(JPEG, { ...creator, "content-type": "image/png" })).status, 415);
    assertEquals((await put(JPEG, creator)).status, 204);

    const got = await app.request(`/relay/poster/${stream}`);
    assertEquals(got.status, 200);
    assertEquals(got.headers.get("content-type"), "image/jpeg");
    assertEquals(got.headers.get("cache-control"), "max-age=5");
    assertEquals(new Uint8Array(await got.arrayBuffer()), JPEG);

    await chain.apply(alice, "Streams", "endStream", { id: stream });
    assertEquals((await app.request(`/relay/poster/${stream}`)).status, 404, "ended: dropped");
    assertEquals((await put(JPEG, creator)).status, 409, "not live");
  } finally {
    await relay.close();
    await chain.close();
  }
});

Deno.test("a relay without a stream's poster gives a carrier's own, asked with ?here and kept a while", async () => {
  const asked: string[] = [];
  let now = 0;
  const posters = new Posters({
    stream: () => ({ creator: new Uint8Array(32), status: { tag: "Live" as const, value: null } }),
    carriers: () => ["http://a.test", "http://b.test"],
    fetch: (url) => {
      asked.push(String(url));
      return Promise.resolve(
        String(url).startsWith("http://b.test")
          ? new Response(JPEG, { headers: { "content-type": "image/jpeg" } })
          : new Response("no", { status: 404 }),
      );
    },
    now: () => now,
  });
  assertEquals(posters.here(3n), undefined);
  assertEquals(await posters.of(3n), JPEG);
  assertEquals(asked, ["http://a.test/relay/poster/3?here", "http://b.test/relay/poster/3?here"]);
  await posters.of(3n);
  assertEquals(asked.length, 2, "kept");
  now = 10_000;
  await posters.of(3n);
  assertEquals(asked.length, 4, "asked again");
});
