import { deepStrictEqual as assertEquals, match, ok, rejects } from "node:assert/strict";
import type { StreamLiveness } from "../../client/relay/answers.ts";
import {
  type Availability,
  type AvailabilityInit,
  streamAvailability,
  waitForPublisher,
} from "./stream_availability.ts";

const HERE = "http://127.0.0.1:9944";
const CARRIER = "http://127.0.0.1:9955";

/** A chain with stream 0 in `status` (none when undefined). */
function chain(status: string | undefined): AvailabilityInit["node"] {
  return { queryStorage: () => Promise.resolve(status === undefined ? null : { status }) };
}

/** The viewer's relay answering `GET /relay/live/0` with `relay` as the one with the media. */
function relaySays(relay: string | null, asked: string[] = []): typeof fetch {
  return ((url: string) => {
    asked.push(url);
    const answer: StreamLiveness = {
      stream: 0,
      status: "Live",
      publishing: relay !== null,
      relay,
      viewersHere: 0,
    };
    return Promise.resolve(Response.json(answer));
  }) as typeof fetch;
}

const availability = (node: AvailabilityInit["node"], ask: typeof fetch) =>
  streamAvailability({ node, stream: 0, relay: HERE, fetch: ask });

Deno.test("a stream is published only when it is live on chain and its relay says the media comes", async () => {
  const asked: string[] = [];
  assertEquals(await availability(chain(undefined), relaySays(HERE, asked)), { kind: "missing" });
  assertEquals(await availability(chain("Ended"), relaySays(HERE, asked)), { kind: "ended" });
  const created = await availability(chain("Created"), relaySays(HERE, asked));
  assertEquals(created.kind, "offline", "not live on chain: the relay's word is not enough");
  assertEquals(asked, [], "the chain decides first");
  assertEquals(await availability(chain("Live"), relaySays(HERE, asked)), {
    kind: "published",
    relay: HERE,
  });
  assertEquals(asked, [`${HERE}/relay/live/0`]);
  // At a carrier: the viewer's relay pulls from it.
  assertEquals(await availability(chain("Live"), relaySays(CARRIER)), {
    kind: "published",
    relay: CARRIER,
  });
  assertEquals(await availability(chain("Live"), relaySays(null)), {
    kind: "offline",
    reason: "live on chain, but no relay has its publisher",
  });
});

Deno.test("a relay that cannot say counts as no publisher: the viewer waits rather than pays", async () => {
  const refused = (() => Promise.reject(new TypeError("connection refused"))) as typeof fetch;
  const notFound = (() => Promise.resolve(new Response("", { status: 404 }))) as typeof fetch;
  const offline = await availability(chain("Live"), refused);
  assertEquals(offline.kind, "offline");
  ok(offline.kind === "offline" && offline.reason.includes("does not answer"), offline.reason);
  assertEquals(await availability(chain("Live"), notFound), {
    kind: "offline",
    reason: `the relay ${HERE} answers 404`,
  });
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
