/**
 * Go live on one node and watch on another in the web app: the creator's
 * browser publishes its fake camera by WHIP to node 1; the viewer, with a
 * payment channel open, watches by WHEP in a browser on node 2, which pulls the
 * stream from node 1. The viewer's `getStats()` show frames decoded rising
 * for 10 s without a freeze; when the viewer stops, node 2 claims its
 * vouchers, and the balances on chain moved by price × seconds watched,
 * split between creator, relay and pot as the access pallet says.
 *
 * The creator is //Charlie, not node 1's //Alice: Alice authors every block
 * (a share of each fee is hers) and carries the stream as a relay (the QoS
 * pot pays her), so her balance moves for more than the claim. Charlie's
 * moves only by his share of it. Node 2's key is //Dave, the relay that
 * claims; //Bob only watches. All three are sr25519 accounts, as polkadot.js
 * Apps makes them (node 2 runs with `--scheme sr25519`): they create, pay,
 * relay, sign tokens, vouchers, pulls and claims with sr25519 keys.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { decode, t } from "../runtime/codec/types.ts";
import { signerFromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import { accessStorage, type Channel, channelType, splitClaim } from "../pallets/access/mod.ts";
import type { RuntimeMetadata } from "../runtime/executive/metadata.ts";
import { decodeEventsWith, storageKeyFromJson } from "../client/metadata.ts";
import type { CarriedStream } from "../client/relay/answers.ts";
import { type BrowserSession, goLiveWithCamera, statusOk, walletAt } from "./_browser.ts";
import { balanceAt, fastDevSpec, type NodeProcess, storageAt, until } from "./_node.ts";
import { startRelayNodes } from "./_relay.ts";
import { openChannelOnChain } from "./_viewer.ts";

/** 0.001 token of 12 decimals a second, as the stream form is filled in. */
const PRICE = 1_000_000_000n;
/** The viewer's deposit: 1 token. */
const DEPOSIT = 1_000_000_000_000n;
/** How long frames decoded must keep rising. */
const SAMPLE_MS = 10_000;

const creator = signerFromUri("//Charlie", "sr25519").account;
const viewer = signerFromUri("//Bob", "sr25519").account;
const relay = signerFromUri("//Dave", "sr25519").account;

/**
 * Run in the viewer's page: notes (by the system clock) when it began paying
 * (the relay's `session` message shown) and when Stop was clicked, as
 * `window.payingAt` and `window.stoppedAt`.
 */
const PAGE_CLOCK = `(() => {
  const message = document.querySelector("[data-testid=meter-message]");
  new MutationObserver(() => {
    if (message.dataset.state === "ok" && message.textContent.startsWith("Paying")) {
      window.payingAt ??= Date.now();
    }
  }).observe(message, { attributes: true, childList: true, characterData: true, subtree: true });
  document.querySelector("[data-testid=watch-stop]")
    .addEventListener("click", () => (window.stoppedAt ??= Date.now()), { capture: true });
})()`;

/** Channel `id` at block `at`, if open. */
async function channelAt(node: NodeProcess, id: bigint, at: string): Promise<Channel | undefined> {
  const raw = await storageAt(node, accessStorage.Channels.keyOf(id), at);
  return raw && decode(channelType, raw);
}

/** The node's best block: hash and number. */
async function best(node: NodeProcess): Promise<{ hash: string; number: number }> {
  const hash = await node.rpc<string>("chain_getBlockHash", []);
  const header = await node.rpc<{ number: string }>("chain_getHeader", [hash]);
  return { hash, number: parseInt(header.number, 16) };
}

/** The `Access.Claimed` events of `channel` in blocks `from + 1` to `to`. */
async function claimsBetween(node: NodeProcess, channel: bigint, from: number, to: number) {
  const metadata = await node.rpc<RuntimeMetadata>("sutantra_metadataJson");
  const eventsKey = storageKeyFromJson(metadata, "System", "Events", []);
  const claims: Record<string, unknown>[] = [];
  for (let n = from + 1; n <= to; n++) {
    const hash = await node.rpc<string>("chain_getBlockHash", [n]);
    const raw = await storageAt(node, eventsKey, hash);
    for (const e of raw ? decodeEventsWith(metadata, raw) : []) {
      if (
        e.pallet === "Access" && e.name === "Claimed" &&
        BigInt(e.fields.channel as string) === channel
      ) {
        claims.push(e.fields);
      }
    }
  }
  return claims;
}

Deno.test("web app: live on node 1, watched on node 2 over a hop, paid and claimed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-web-multihop-" });
  const chain = await fastDevSpec(dir);
  const nodes: NodeProcess[] = [];
  const browsers: BrowserSession[] = [];
  try {
    const [one, two] = await startRelayNodes(chain, ["//Dave"], nodes, "sr25519");
    await until(
      "node 2 importing node 1's blocks",
      async () => (await best(two)).number >= 3 || undefined,
      60_000,
    );

    const origin1 = `http://127.0.0.1:${one.rpcPort}`;
    const origin2 = `http://127.0.0.1:${two.rpcPort}`;
    const page1 = await walletAt(origin1, "//Charlie", "sr25519", browsers);
    const page2 = await walletAt(origin2, "//Bob", "sr25519", browsers);

    // The creator's page on node 1: a stream at 0.001 a second, live from the camera.
    const id = await goLiveWithCamera(page1, "Camera over a hop", "0.001");

    // The viewer's channel with 1 token, once node 2 knows the stream (opened over RPC, so
    // that the chain can be read before the viewer's page on node 2 watches).
    const oneBest = (await best(one)).number;
    await until(
      "node 2 at node 1's best",
      async () => (await best(two)).number >= oneBest || undefined,
    );
    const channel = await openChannelOnChain(two, "//Bob", "sr25519", BigInt(id), DEPOSIT);
    await page2.goto(`${origin2}/#/watch/${id}`);
    await until(
      "the page to know the channel",
      async () =>
        (await page2.getByTestId("watch-channel").getAttribute("data-channel")) ===
          String(channel) || undefined,
    );

    // Before watching: the channel is on node 1's chain, nothing claimed; every fee paid.
    const before = await until("the channel on node 1's chain", async () => {
      const head = await best(one);
      return (await channelAt(one, channel, head.hash)) ? head : undefined;
    });
    const channelBefore = (await channelAt(one, channel, before.hash))!;
    assertEquals(channelBefore.deposit, DEPOSIT);
    assertEquals(channelBefore.claimed, 0n);
    const creatorBefore = await balanceAt(one, creator, before.hash);
    const viewerBefore = await balanceAt(one, viewer, before.hash);

    // When the page began paying (the relay's `session` message) and stopped, by the page's clock.
    await page2.evaluate(PAGE_CLOCK);
    await page2.getByTestId("watch-start").click();
    await statusOk(page2, "watch-status", 60_000);

    // Node 2 does not carry the stream: it pulls it from node 1.
    const carried = await until("node 2 pulling the stream", async () => {
      const response = await fetch(`${origin2}/relay/streams`);
      const streams: CarriedStream[] = await response.json();
      return streams.find((s) => s.stream === Number(id) && s.source === "upstream");
    });
    assertEquals(carried.viewers, 1);
    ok(
      two.output.includes(`Stream ${id}: pulling from ${origin1}`),
      `node 2 pulls from node 1 (${origin1}): ${two.output.match(/pulling from \S+/g)}`,
    );

    // getStats() on the viewer's page, refreshed each second: frames decoded rise, no freeze.
    const stats = async () => ({
      at: Date.now(),
      frames: Number(await page2.getByTestId("stats-frames-decoded").textContent()),
      freezes: Number(await page2.getByTestId("stats-freeze-count").textContent()),
    });
    let last = await until("frames decoded", async () => {
      const s = await stats();
      return s.frames > 0 ? s : undefined;
    });
    const samples = [last];
    while (last.at - samples[0].at < SAMPLE_MS) {
      await new Promise((r) => setTimeout(r, 1000));
      const previous = last;
      last = await until(
        `more frames decoded than ${previous.frames} (the page's stats refresh each second)`,
        async () => {
          const s = await stats();
          return s.frames > previous.frames || s.freezes > 0 ? s : undefined;
        },
        3_000, // the page refreshes its stats each second; a busy machine may delay that
      );
      samples.push(last);
      assertEquals(
        last.freezes,
        0,
        `a freeze after ${samples.map((s) => s.frames).join(", ")}; the relays said: ${
          nodes.flatMap((n) =>
            n.output.split("\n").filter((l) => /cut off|upstream .* (says|lost)/.test(l))
          )
            .join(" | ")
        }`,
      );
    }
    ok(samples.length >= 10, `${samples.length} samples in ${last.at - samples[0].at} ms`);

    // Stop watching: the session ends and node 2 claims its newest voucher.
    await page2.getByTestId("watch-stop").click();
    await statusOk(page2, "watch-status");
    const acked = BigInt(await page2.getByTestId("meter-paid").getAttribute("data-planck") ?? "0");
    const { payingAt, stoppedAt } = await page2.evaluate<{ payingAt: number; stoppedAt: number }>(
      "({ payingAt: window.payingAt, stoppedAt: window.stoppedAt })",
    );
    const watched = (stoppedAt - payingAt) / 1000;
    ok(watched >= SAMPLE_MS / 1000, `watched ${watched} s`);
    const after = await until("the claim on node 1's chain", async () => {
      const head = await best(one);
      const ch = await channelAt(one, channel, head.hash);
      return ch && ch.claimed >= acked ? head : undefined;
    }, 60_000);

    // The claim: price × seconds watched, within one second's worth.
    const claimed = (await channelAt(one, channel, after.hash))!.claimed;
    ok(
      claimed >= acked && claimed > 0n,
      `claimed ${claimed} ≥ the page's last acknowledged ${acked}`,
    );
    const expected = Number(PRICE) * watched;
    ok(
      Math.abs(Number(claimed) - expected) <= Number(PRICE),
      `claimed ${claimed} for ${watched} s at ${PRICE} a second (${expected})`,
    );

    // Split as the access pallet says, by its shares on chain: Dave is the claiming relay.
    const perbill = async (key: Uint8Array) =>
      BigInt(decode(t.u32, (await storageAt(one, key, after.hash))!));
    const creatorShare = await perbill(accessStorage.CreatorSharePerbill.key);
    const relayShare = await perbill(accessStorage.RelaySharePerbill.key);
    const claims = await claimsBetween(one, channel, before.number, after.number);
    ok(claims.length > 0, "an Access.Claimed event");
    let total = 0n;
    let toCreator = 0n;
    for (const c of claims) {
      const amount = BigInt(c.amount as string);
      const split = splitClaim(amount, creatorShare, relayShare, true);
      assertEquals(c.creator, ss58Encode(creator));
      assertEquals(c.relay, ss58Encode(relay));
      assertEquals(BigInt(c.creatorAmount as string), split.creator);
      assertEquals(BigInt(c.relayAmount as string), split.relay);
      assertEquals(BigInt(c.potAmount as string), split.pot);
      total += amount;
      toCreator += split.creator;
    }
    assertEquals(total, claimed);

    // Balances: the viewer's reserve paid the claim; the creator got his share of it.
    const creatorAfter = await balanceAt(one, creator, after.hash);
    const viewerAfter = await balanceAt(one, viewer, after.hash);
    assertEquals(creatorAfter.free - creatorBefore.free, toCreator);
    assertEquals(creatorAfter.reserved, creatorBefore.reserved);
    assertEquals(viewerAfter.free, viewerBefore.free);
    assertEquals(viewerBefore.reserved - viewerAfter.reserved, claimed);
    ok(viewerAfter.free + viewerAfter.reserved < viewerBefore.free + viewerBefore.reserved);
    const channelAfter = (await channelAt(one, channel, after.hash))!;
    assertEquals(channelAfter.deposit - channelAfter.claimed, DEPOSIT - claimed);

    await page1.getByTestId("live-stop").click();
    await statusOk(page1, "live-status");
    for (const b of browsers) ok(b.errors.length === 0, `page errors: ${b.errors.join("; ")}`);
  } finally {
    for (const b of browsers) await b.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
