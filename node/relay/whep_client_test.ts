import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { parseSdpFragment } from "./http.ts";
import {
  exchangeSdp,
  MAX_BUSY_RETRIES,
  SdpExchangeError,
  trickleCandidates,
} from "../../client/relay/whep_client.ts";

/** A WHEP endpoint on 127.0.0.1 answering each POST with the next of `answers`. */
async function standIn(
  answers: (() => Response)[],
  run: (url: string, posts: () => number) => Promise<void>,
): Promise<void> {
  let posts = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.text();
    return answers[Math.min(posts++, answers.length - 1)]();
  });
  try {
    await run(`http://127.0.0.1:${server.addr.port}/whep/1`, () => posts);
  } finally {
    await server.shutdown();
  }
}

const busy = (seconds: string) => () =>
  new Response("the media worker lags", { status: 503, headers: { "retry-after": seconds } });
const created = () =>
  new Response("v=0\r\n", { status: 201, headers: { location: "/whep/1/session" } });

Deno.test("a busy relay's 503 is waited out and the offer made again", async () => {
  await standIn([busy("0"), busy("0"), created], async (url, posts) => {
    const exchange = await exchangeSdp(url, "v=0\r\n", "token");
    assertEquals(exchange.location, new URL("/whep/1/session", url).href);
    assertEquals(posts(), 3);
  });
});

Deno.test("a relay busy for long, or busy past the retries, is an error saying so", async () => {
  await standIn([busy("60")], async (url, posts) => {
    await rejects(
      exchangeSdp(url, "v=0\r\n", "token"),
      (e: SdpExchangeError) => e.status === 503 && e.retryAfter === 60,
    );
    assertEquals(posts(), 1, "a minute is the caller's to wait, not the exchange's");
  });
  await standIn([busy("0")], async (url, posts) => {
    await rejects(exchangeSdp(url, "v=0\r\n", "token"), (e: SdpExchangeError) => e.status === 503);
    assertEquals(posts(), MAX_BUSY_RETRIES + 1);
  });
});

Deno.test("a refusal without Retry-After says none", async () => {
  await standIn([() => new Response("no", { status: 403 })], async (url) => {
    await rejects(
      exchangeSdp(url, "v=0\r\n", "token"),
      (e: SdpExchangeError) => e.status === 403 && e.retryAfter === undefined,
    );
  });
});

Deno.test("a pull's held-back candidates are trickled as a fragment the relay reads back", async () => {
  let received: { type: string | null; body: string } | undefined;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    received = { type: req.headers.get("content-type"), body: await req.text() };
    return new Response(null, { status: 204 });
  });
  try {
    const offer = "v=0\r\na=ice-ufrag:puller\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n";
    await trickleCandidates(`http://127.0.0.1:${server.addr.port}/whep/1/s`, "token", offer, [
      { candidate: "candidate:1 1 UDP 2122260223 127.0.0.1 50000 typ host", sdpMid: "0" },
      { candidate: "a=candidate:2 1 UDP 2122260222 127.0.0.1 50001 typ host", sdpMid: "1" },
    ]);
    assertEquals(received?.type, "application/trickle-ice-sdpfrag");
    assertEquals(parseSdpFragment(received!.body), {
      ufrag: "puller",
      candidates: [
        { candidate: "candidate:1 1 UDP 2122260223 127.0.0.1 50000 typ host", sdpMid: "0" },
        { candidate: "candidate:2 1 UDP 2122260222 127.0.0.1 50001 typ host", sdpMid: "1" },
      ],
    });
  } finally {
    await server.shutdown();
  }
});
