import { deepStrictEqual as assertEquals, match, ok, rejects } from "node:assert/strict";
import { toHex } from "../../runtime/primitives/hex.ts";
import {
  type Availability,
  type AvailabilityInit,
  streamAvailability,
  waitForPublisher,
} from "./stream_availability.ts";

const HERE = "http://127.0.0.1:9944";
const CARRIER = "http://127.0.0.1:9955";

/** A chain with stream 0 in `status`, carried (on chain) by one relay at CARRIER. */
function chain(status: string | undefined, carriers = true): AvailabilityInit["node"] {
  return {
    queryStorage: (pallet: string, item: string) =>
      Promise.resolve(
        `${pallet}.${item}` === "Streams.Streams"
          ? status === undefined ? null : { status }
          : { endpoint: toHex(new TextEncoder().encode(`${CARRIER}/`)) },
      ),
    entriesUnder: () =>
      carriers
        ? Promise.resolve([[[0, "5Relay"], 7]] as [unknown[], unknown][])
        : Promise.reject(new Error("state_getKeysPaged is not served by a light client")),
  };
}

/** Relays answering `GET /relay/streams` with `carried[origin]`; the others do not answer. */
function relays(carried: Record<string, unknown[]>): typeof fetch {
  return ((url: string) => {
    const origin = new URL(url).origin;
    if (!(origin in carried)) return Promise.reject(new TypeError("connection refused"));
    return Promise.resolve(Response.json(carried[origin]));
  }) as typeof fetch;
}

const availability = (node: AvailabilityInit["node"], ask: typeof fetch) =>
  streamAvailability({ node, stream: 0, relay: HERE, fetch: ask });

Deno.test("a stream is published only when it is live on chain and a relay has its media", async () => {
  const published = [{ stream: 0, viewers: 0, source: "publisher" }];
  assertEquals(await availability(chain(undefined), relays({})), { kind: "missing" });
  assertEquals(await availability(chain("Ended"), relays({ [HERE]: published })), {
    kind: "ended",
  });
  const created = await availability(chain("Created"), relays({ [HERE]: published }));
  assertEquals(created.kind, "offline", "not live on chain: a publisher alone is not enough");
  assertEquals(await availability(chain("Live"), relays({ [HERE]: published })), {
    kind: "published",
    relay: HERE,
  });
  // Carried here with no source (viewers waiting), or another stream published: offline.
  const waiting = [{ stream: 0, viewers: 3, source: null }, {
    stream: 1,
    viewers: 0,
    source: "publisher",
  }];
  assertEquals(await availability(chain("Live"), relays({ [HERE]: waiting })), {
    kind: "offline",
    reason: "live on chain, but no relay has its publisher",
  });
});

Deno.test("a publisher at a carrier the chain lists counts: the viewer's relay pulls from it", async () => {
  const atCarrier = relays({
    [HERE]: [],
    [CARRIER]: [{ stream: 0, viewers: 1, source: "upstream" }],
  });
  assertEquals(await availability(chain("Live"), atCarrier), { kind: "published", relay: CARRIER });
  // A light client cannot list the carriers: only the viewer's relay is asked.
  assertEquals((await availability(chain("Live", false), atCarrier)).kind, "offline");
  // A carrier that does not answer has no publisher.
  assertEquals((await availability(chain("Live"), relays({ [HERE]: [] }))).kind, "offline");
});

Deno.test("waitForPublisher() waits while offline, with growing pauses, until the publisher comes", async () => {
  const answers: Availability[] = [
    { kind: "offline", reason: "not live" },
    { kind: "offline", reason: "not live" },
    { kind: "offline", reason: "no publisher" },
    { kind: "published", relay: HERE },
  ];
  const lines: string[] = [];
  const relay = await waitForPublisher(() => Promise.resolve(answers.shift()!), {
    stream: 4,
    deadlineMs: 10_000,
    signal: new AbortController().signal,
    print: (line) => lines.push(line),
    firstPauseMs: 1,
    maxPauseMs: 4,
  });
  assertEquals(relay, HERE);
  ok(lines[0].startsWith("Stream #4 is offline — waiting for the creator (not live)"), lines[0]);
  match(lines[1], /still offline; checking again/);
  ok(lines[2].startsWith("Stream #4 is offline — waiting for the creator (no publisher)"));
  assertEquals(lines[3], "Stream #4 is being published: watching");
});

Deno.test("waitForPublisher() gives up at its deadline, and stops on Ctrl-C, without a publisher", async () => {
  const offline = () => Promise.resolve<Availability>({ kind: "offline", reason: "not live" });
  const options = { stream: 2, print: () => {}, firstPauseMs: 1, maxPauseMs: 2 };
  await rejects(
    waitForPublisher(offline, { ...options, deadlineMs: 0, signal: new AbortController().signal }),
    /Stream #2 is offline \(not live\); gave up after 0 s without locking any money/,
  );
  const interrupted = new AbortController();
  const waiting = waitForPublisher(offline, {
    ...options,
    deadlineMs: 60_000,
    signal: interrupted.signal,
    firstPauseMs: 60_000,
  });
  interrupted.abort();
  assertEquals(await waiting, undefined);
  await rejects(
    waitForPublisher(() => Promise.resolve({ kind: "ended" }), {
      ...options,
      deadlineMs: 1_000,
      signal: new AbortController().signal,
    }),
    /Stream #2 has ended/,
  );
});
