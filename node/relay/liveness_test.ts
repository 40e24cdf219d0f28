import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Hono } from "hono";
import type { CarriedStream, StreamLiveness } from "../../client/relay/answers.ts";
import { addRelayRoutes } from "./http.ts";
import { type LivenessInit, MAX_CARRIERS_ASKED, PublisherLiveness } from "./liveness.ts";
import type { Relay } from "./relay.ts";

const SELF = "http://127.0.0.1:9944";

/** A probe over streams carried here, statuses on chain and carriers answering `answers`. */
function probe(
  init: {
    here?: CarriedStream[];
    status?: StreamLiveness["status"];
    carriers?: string[];
    answers?: Record<string, unknown>;
    now?: () => number;
  },
): { liveness: PublisherLiveness; asked: string[] } {
  const asked: string[] = [];
  const fake: typeof fetch = (input) => {
    const url = String(input);
    asked.push(url);
    const origin = new URL(url).origin;
    if (!(origin in (init.answers ?? {}))) return Promise.reject(new TypeError("unreachable"));
    const body = init.answers![origin];
    return Promise.resolve(
      typeof body === "string" ? new Response(body) : Response.json(body),
    );
  };
  const liveness = new PublisherLiveness(
    {
      relay: { streams: () => init.here ?? [] },
      status: () => init.status === undefined ? "Live" : init.status,
      carriers: () => init.carriers ?? [],
      self: SELF,
      fetch: fake,
      now: init.now,
    } satisfies LivenessInit,
  );
  return { liveness, asked };
}

Deno.test("a stream published here is live, with its viewers here, and no carrier is asked", async () => {
  const { liveness, asked } = probe({
    here: [{ stream: 7, viewers: 3, source: "publisher" }],
    carriers: ["http://127.0.0.1:9945"],
  });
  assertEquals(await liveness.of(7n), {
    stream: 7,
    status: "Live",
    publishing: true,
    relay: SELF,
    viewersHere: 3,
  });
  assertEquals(asked, []);
});

Deno.test("a stream not live on chain is not live, whatever a carrier says, and none is asked", async () => {
  for (const status of ["Created", "Ended", null] as const) {
    const { liveness, asked } = probe({
      status,
      carriers: ["http://127.0.0.1:9945"],
      answers: { "http://127.0.0.1:9945": [{ stream: 7, viewers: 0, source: "publisher" }] },
    });
    const answer = await liveness.of(7n);
    assertEquals([answer.status, answer.publishing, answer.relay], [status, false, null]);
    assertEquals(asked, []);
  }
});

Deno.test("live on chain with no publisher anywhere: not live (viewers are told to wait)", async () => {
  const { liveness, asked } = probe({
    // Carried here for a viewer, but nothing flows in; one carrier lists it with no
    // source either, another does not answer, a third answers garbage.
    here: [{ stream: 7, viewers: 1, source: null }],
    carriers: ["http://127.0.0.1:9945", "http://127.0.0.1:9946", "http://127.0.0.1:9947"],
    answers: {
      "http://127.0.0.1:9945": [{ stream: 7, viewers: 2, source: null }],
      "http://127.0.0.1:9947": "not json",
    },
  });
  const answer = await liveness.of(7n);
  assertEquals([answer.publishing, answer.relay, answer.viewersHere], [false, null, 1]);
  assertEquals(asked.length, 3);
});

Deno.test("a stream published at a carrier the chain lists is live, and names that carrier", async () => {
  const { liveness } = probe({
    carriers: ["http://127.0.0.1:9945", "http://127.0.0.1:9946"],
    answers: {
      "http://127.0.0.1:9945": [{ stream: 8, viewers: 0, source: "publisher" }],
      "http://127.0.0.1:9946": [{ stream: 7, viewers: 0, source: "upstream" }],
    },
  });
  const answer = await liveness.of(7n);
  assertEquals([answer.publishing, answer.relay], [true, "http://127.0.0.1:9946"]);
});

Deno.test("the carriers' answer is kept two seconds: many viewers polling cost a carrier one request", async () => {
  let now = 0;
  const answers = { "http://127.0.0.1:9945": [{ stream: 7, viewers: 0, source: "publisher" }] };
  const { liveness, asked } = probe({
    carriers: ["http://127.0.0.1:9945"],
    answers,
    now: () => now,
  });
  await Promise.all([liveness.of(7n), liveness.of(7n)]);
  now = 1_999;
  assertEquals((await liveness.of(7n)).publishing, true);
  assertEquals(asked.length, 1);
  // The publisher leaves: the next answer past the two seconds says so.
  answers["http://127.0.0.1:9945"] = [];
  now = 2_000;
  assertEquals((await liveness.of(7n)).publishing, false);
  assertEquals(asked.length, 2);
});

Deno.test(`at most ${MAX_CARRIERS_ASKED} carriers are asked for one answer`, async () => {
  const carriers = Array.from({ length: 20 }, (_, i) => `http://127.0.0.1:${10_000 + i}`);
  const { liveness, asked } = probe({ carriers });
  assertEquals((await liveness.of(7n)).publishing, false);
  assertEquals(asked.length, MAX_CARRIERS_ASKED);
});

Deno.test("GET /relay/live/{stream} answers the probe's JSON, open to any origin; a bad id is a 404", async () => {
  const { liveness } = probe({ here: [{ stream: 7, viewers: 2, source: "publisher" }] });
  const app = new Hono();
  addRelayRoutes(app, {
    relay: { streams: () => [] } as unknown as Relay, // the route reads the probe alone
    genesis: "0x00",
    audiences: new Set([SELF]),
    iceServers: [],
    liveness,
  });
  const response = await app.request("/relay/live/7");
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("access-control-allow-origin"), "*");
  assertEquals(await response.json(), await liveness.of(7n));
  assertEquals((await app.request("/relay/live/seven")).status, 404);
});
