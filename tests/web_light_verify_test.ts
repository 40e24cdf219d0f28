/**
 * The light client in the viewer's page, in headless Chromium against a
 * dev node that listens on WebSockets too: the page's light client dials
 * the node's `/ws` address and follows finality; before Bob's page pays for
 * Alice's stream, it proves the price and his channel, shows "verified at
 * #N" beside each figure (the figures the node stores), and then pays.
 *
 * The explorer, switched to the light client, lists finalized blocks as
 * the node has them and shows one's extrinsics and events, proven.
 *
 * The attack: the node Bob's page talks to lies about the stream's price
 * (its `state_getStorage` answers for the stream say twice the price). The
 * page refuses to pay, says the node's price is not what the chain proves,
 * and starts no session.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { accessStorage } from "../pallets/access/storage.ts";
import { streamInfoType, streamsStorage } from "../pallets/streams/mod.ts";
import { decode, encode } from "../runtime/codec/types.ts";
import type { StateReader } from "../runtime/storage/overlay.ts";
import { signerFromUri } from "../runtime/crypto/signer.ts";
import { fromHex, toHex } from "../runtime/primitives/hex.ts";
import { aliceLiveBobWatching, type BrowserSession, openApp, statusOk } from "./_browser.ts";
import { fastDevSpec, finalizedNumber, NodeProcess, until } from "./_node.ts";

const bob = signerFromUri("//Bob", "sr25519").account;

/**
 * Makes `page`'s node lie: every `state_getStorage` answer for `key` gets
 * the stream's price doubled (the rest of the record as stored).
 */
async function lieAboutPrice(page: Page, rpcUrl: string, key: Uint8Array): Promise<void> {
  const lied = new Set<number>();
  await page.routeWebSocket(rpcUrl, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      const call = JSON.parse(String(message));
      if (call.method === "state_getStorage" && call.params[0] === toHex(key)) lied.add(call.id);
      server.send(message);
    });
    server.onMessage((message) => {
      const answer = JSON.parse(String(message));
      if (!lied.delete(answer.id) || typeof answer.result !== "string") return ws.send(message);
      const stream = decode(streamInfoType, fromHex(answer.result));
      stream.pricePerSecond *= 2n;
      ws.send(JSON.stringify({ ...answer, result: toHex(encode(streamInfoType, stream)) }));
    });
  });
}

Deno.test("web app: the page's light client proves the price and channel before paying, and a node lying about the price is not paid", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-web-light-" });
  const node = new NodeProcess([
    "--chain",
    await fastDevSpec(dir),
    "--alice",
    "--base-path",
    dir,
    "--listen-addr",
    "/ip4/127.0.0.1/tcp/0",
    "--listen-addr",
    "/ip4/127.0.0.1/tcp/0/ws",
  ]);
  const browsers: BrowserSession[] = [];
  try {
    await node.ready();
    const origin = `http://127.0.0.1:${node.rpcPort}`;
    const { bob: page, id } = await aliceLiveBobWatching(origin, browsers);
    const stream = BigInt(id);

    // The page's light client follows finality over the node's /ws address.
    const light = page.getByTestId("light-status");
    await until(
      "the light client at a finalized block",
      async () => (await light.getAttribute("data-state")) === "ok" || undefined,
    );
    ok(Number(await light.getAttribute("data-number")) <= await finalizedNumber(node));

    // Each figure proven, at one finalized block, and shown as the node stores it.
    const at = Number(await page.getByTestId("verified-price").getAttribute("data-block"));
    for (const figure of ["price", "channel", "deposit", "claimed", "expiry"]) {
      const badge = page.getByTestId(`verified-${figure}`);
      assertEquals(await badge.getAttribute("data-state"), "ok", `the ${figure} proven`);
      assertEquals(await badge.textContent(), `verified at #${at}`);
    }
    const atHash = await node.rpc<string>("chain_getBlockHash", [at]);
    const storedAt = async (key: Uint8Array): Promise<StateReader> => {
      const raw = await node.rpc<string | null>("state_getStorage", [toHex(key), atHash]);
      return { get: () => raw ? fromHex(raw) : undefined, entries: () => [] };
    };
    const { pricePerSecond: price } = streamsStorage.Streams.get(
      await storedAt(streamsStorage.Streams.keyOf(stream)),
      stream,
    )!;
    const channelId = accessStorage.ChannelsByViewer.get(
      await storedAt(accessStorage.ChannelsByViewer.keyOf(bob, stream)),
      bob,
      stream,
    )!;
    const channel = accessStorage.Channels.get(
      await storedAt(accessStorage.Channels.keyOf(channelId)),
      channelId,
    )!;
    const shown = (testId: string, attribute = "data-planck") =>
      page.getByTestId(testId).getAttribute(attribute);
    assertEquals(await shown("watch-channel", "data-channel"), String(channelId));
    assertEquals(await shown("watch-channel-deposit"), String(channel.deposit));
    assertEquals(await shown("watch-channel-claimed"), String(channel.claimed));
    assertEquals(
      await page.getByTestId("watch-channel-expiry").textContent(),
      `block #${channel.expiry}`,
    );
    assertEquals(await page.getByTestId("watch-price").textContent(), "0.001 STREAM");
    // Paid at the proven price: vouchers acked after the proof.
    await until(
      "a paid second acked",
      async () =>
        BigInt(await page.getByTestId("meter-paid").getAttribute("data-planck") ?? "0") >= price ||
        undefined,
    );
    await page.getByTestId("watch-stop").click();
    await statusOk(page, "watch-status");

    // The explorer reads through the light client too: finalized blocks, each proven.
    await page.getByTestId("nav-explorer").click();
    await page.getByTestId("explorer-source").selectOption("light");
    const row = page.locator("[data-testid=block-row]").first();
    await until("a proven block in the explorer", async () => (await row.count()) > 0 || undefined);
    const number = Number(await row.getAttribute("data-number"));
    assertEquals(
      await row.getAttribute("data-hash"),
      await node.rpc<string>("chain_getBlockHash", [number]),
      "the light client's block is the node's",
    );
    await row.locator("a").click();
    await page.getByTestId("block-proven").waitFor({ timeout: 30_000 });
    const block = await node.rpc<{ block: { extrinsics: string[] } }>("chain_getBlock", [
      await row.getAttribute("data-hash"),
    ]);
    assertEquals(
      await page.locator("[data-testid=block-extrinsics] li").count(),
      block.block.extrinsics.length,
      "every extrinsic of the block, proven by its extrinsics root",
    );
    ok(await page.locator("[data-testid=block-events] li").count() > 0, "its events, proven");

    // The attack: Bob's node lies about the price. His page refuses to pay, and says why.
    const lying = await browsers[1].newPage();
    await lieAboutPrice(
      lying,
      `ws://127.0.0.1:${node.rpcPort}/`,
      streamsStorage.Streams.keyOf(stream),
    );
    await openApp(lying, origin, `#watch/${id}`);
    await until(
      "the node's lie on the page",
      async () =>
        (await lying.getByTestId("watch-price").textContent()) === "0.002 STREAM" || undefined,
    );
    await lying.getByTestId("watch-start").click();
    const status = lying.getByTestId("watch-status");
    const refusal = await until(
      "the page to refuse",
      async () =>
        (await status.getAttribute("data-state")) === "error"
          ? await status.textContent()
          : undefined,
      60_000,
    );
    ok(
      /^Not paying: the node says the price is 0\.002 \S+ per second; the chain proves 0\.001 \S+ per second at #\d+$/
        .test(refusal ?? ""),
      refusal ?? "",
    );
    assertEquals(await lying.getByTestId("watch-verify").textContent(), refusal);
    assertEquals(await lying.getByTestId("verified-price").getAttribute("data-state"), "error");
    assertEquals(await lying.getByTestId("meter-paid").textContent(), "—", "no voucher signed");
    assertEquals(
      await lying.getByTestId("watch-video").getAttribute("data-session"),
      null,
      "no session",
    );
    for (const b of browsers) ok(b.errors.length === 0, `page errors: ${b.errors.join("; ")}`);
  } finally {
    for (const b of browsers) await b.close();
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
