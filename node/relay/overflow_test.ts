/**
 * Where a full relay sends a viewer: relays registered on chain, asked for
 * their load over HTTP (stand-ins on 127.0.0.1 here), the least loaded
 * chosen, this node never, and a relay that does not answer (or answers
 * nonsense) never.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { keypairFromUri, type SigningKey } from "../../runtime/crypto/mod.ts";
import { utf8 } from "../../runtime/primitives/bytes.ts";
import { alice, bob, charlie, dave, liveStream, startChain, testLogger } from "./pay/_testing.ts";
import type { TestChain } from "./pay/_testing.ts";
import { LOAD_TIMEOUT_MS, RelayOverflow } from "./overflow.ts";

const eve = keypairFromUri("//Eve");

/**
 * A stand-in relay answering `GET /relay/load` with what `answer` gives
 * (`closing` resolves when it closes, for an answer that never comes); counts the asks.
 */
function standIn(answer: (closing: Promise<void>) => Response | Promise<Response>) {
  let asked = 0;
  const closing = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    if (new URL(request.url).pathname !== "/relay/load") return new Response(null, { status: 404 });
    asked++;
    return answer(closing.promise);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get asked() {
      return asked;
    },
    close: () => {
      closing.resolve();
      return server.shutdown();
    },
  };
}

type StandIn = ReturnType<typeof standIn>;

const load = (viewers: number, maxViewers: number | null) => () =>
  Response.json({ viewers, maxViewers });

/** Registers `key` as a relay at `endpoint`, carrying `stream` when asked. */
async function relayAt(chain: TestChain, key: SigningKey, endpoint: string, carries?: bigint) {
  await chain.apply(key, "QosRewards", "registerRelay", { endpoint: utf8(endpoint) });
  if (carries !== undefined) await chain.apply(key, "Streams", "announceRelay", { id: carries });
}

/** A chain with a live free stream, stand-ins, and an overflow of Alice's node; cleaned up after. */
async function withChain(
  fn: (chain: TestChain, stream: bigint, standIns: StandIn[]) => Promise<void>,
): Promise<void> {
  const chain = await startChain();
  const standIns: StandIn[] = [];
  try {
    const stream = await liveStream(chain, alice, 0n);
    await fn(chain, stream, standIns);
  } finally {
    await Promise.all(standIns.map((s) => s.close()));
    await chain.close();
  }
}

Deno.test("a full relay sends a viewer to the relay with the most room, never to itself", async () => {
  await withChain(async (chain, stream, standIns) => {
    const self = standIn(load(0, 100));
    const crowded = standIn(load(8, 10));
    const roomy = standIn(load(30, 50));
    standIns.push(self, crowded, roomy);
    await relayAt(chain, alice, self.url, stream);
    await relayAt(chain, bob, crowded.url, stream);
    await relayAt(chain, charlie, roomy.url);
    const overflow = new RelayOverflow({
      client: chain.client,
      self: alice.publicKey,
      log: testLogger(),
    });
    assertEquals(await overflow.elsewhere(stream), `${roomy.url}/whep/${stream}`);
    assertEquals(self.asked, 0, "this node is never a candidate");
  });
});

Deno.test("on equal room a carrier is chosen, and a crowd spreads over the relays", async () => {
  await withChain(async (chain, stream, standIns) => {
    const carrier = standIn(load(0, 10));
    const other = standIn(load(0, 10));
    const third = standIn(load(0, 10));
    standIns.push(carrier, other, third);
    await relayAt(chain, bob, carrier.url, stream);
    await relayAt(chain, charlie, other.url);
    await relayAt(chain, dave, third.url);
    const overflow = new RelayOverflow({ client: chain.client, log: testLogger() });
    assertEquals(await overflow.elsewhere(stream), `${carrier.url}/whep/${stream}`);
    // Each viewer sent on counts on its relay's kept load: the next ones go where there is room.
    const sent: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) sent.push(await overflow.elsewhere(stream));
    const count = (s: StandIn) => sent.filter((u) => u === `${s.url}/whep/${stream}`).length;
    assertEquals([count(carrier), count(other), count(third)].sort(), [1, 2, 2]);
    // Asked once each, however many viewers were sent on within the cache window.
    assertEquals([carrier.asked, other.asked, third.asked], [1, 1, 1]);
  });
});

Deno.test("relays without room, silent, failing or answering nonsense are never chosen", async () => {
  await withChain(async (chain, stream, standIns) => {
    const full = standIn(load(10, 10));
    const failing = standIn(() => new Response("no", { status: 500 }));
    const nonsense = standIn(() => Response.json({ viewers: -1, maxViewers: "many" }));
    const huge = standIn(() =>
      new Response(`{"viewers":0,"maxViewers":null,"x":"${"y".repeat(4096)}"}`)
    );
    const silent = standIn((closing) => closing.then(() => new Response(null, { status: 503 })));
    standIns.push(full, failing, nonsense, huge, silent);
    const keys = [bob, charlie, dave, eve, keypairFromUri("//Ferdie")];
    for (const [i, s] of [full, failing, nonsense, huge, silent].entries()) {
      await relayAt(chain, keys[i], s.url);
    }
    const overflow = new RelayOverflow({ client: chain.client, log: testLogger() });
    const began = performance.now();
    assertEquals(await overflow.elsewhere(stream), undefined);
    const took = performance.now() - began;
    ok(took < LOAD_TIMEOUT_MS + 500, `a silent relay costs the timeout at most (${took} ms)`);
    // Silence is kept like an answer: the next viewer does not wait for it again.
    const again = performance.now();
    assertEquals(await overflow.elsewhere(stream), undefined);
    ok(performance.now() - again < 200, "the silent relay is not asked again at once");
  });
});

Deno.test("a relay with no bound has the most room; endpoints that are not http(s) are skipped", async () => {
  await withChain(async (chain, stream, standIns) => {
    const bounded = standIn(load(0, 1_000));
    const unbounded = standIn(load(500, null));
    standIns.push(bounded, unbounded);
    await relayAt(chain, bob, bounded.url);
    await relayAt(chain, charlie, `${unbounded.url}/`);
    await relayAt(chain, dave, "/dns4/relay.example/tcp/30333");
    const overflow = new RelayOverflow({ client: chain.client, log: testLogger() });
    assertEquals(await overflow.elsewhere(stream), `${unbounded.url}/whep/${stream}`);
  });
});
