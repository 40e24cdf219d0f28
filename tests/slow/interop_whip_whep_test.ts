/**
 * WHIP and WHEP clients nobody here wrote, in Chromium, against a dev node
 * (issue 13, item 4): medooze's `whip-whep` (the reference clients by the
 * specs' author) and Eyevinn's `@eyevinn/whip-web-client` and
 * `@eyevinn/webrtc-player` publish to and play from the node with bearer
 * tokens, from a page of another origin. Outcomes are the node's and the
 * chain's (the node carries the stream and says so on chain, counts and
 * drops viewers) and the player's (frames decoded by its `<video>`); a paid
 * stream refuses a player without a channel and cuts off one that does not
 * pay.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { NodeConnection } from "../../node/client/commands.ts";
import type { CarriedStream } from "../../client/relay/answers.ts";
import { type BrowserSession, launchBrowser } from "../_browser.ts";
import {
  type InteropServer,
  interopState,
  playWithEyevinn,
  playWithMedooze,
  publishWithEyevinn,
  publishWithMedooze,
  serveInteropPage,
  stopClient,
} from "../_interop.ts";
import { fastDevSpec, NodeProcess } from "../_node.ts";
import { liveStream, tokenFor, untilTrue } from "../_relay.ts";

/** 0.001 token a second. */
const PRICE = 1_000_000_000n;

/** The requests a page made to `origin`, as `METHOD /path STATUS`. */
function exchanges(page: Page, origin: string): string[] {
  const seen: string[] = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.origin !== origin) return;
    seen.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
  });
  return seen;
}

/** Waits until the `<video>` on `page` (a fresh page) has decoded and shown `count` frames. */
async function framesDecoded(page: Page, who: string, count = 30): Promise<void> {
  try {
    await untilTrue(`${who}: ${count} frames decoded`, async () => {
      const state = await interopState(page);
      return state.frames >= count && state.presented > 0 && state.width > 0;
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}; page: ${JSON.stringify(await interopState(page))}`);
  }
}

/** Waits until the `<video>` on `page` has decoded no frame for two seconds. */
async function framesStop(page: Page, who: string): Promise<void> {
  let frames = -1;
  let since = 0;
  await untilTrue(`${who}: no frame for two seconds`, async () => {
    const now = (await interopState(page)).frames;
    if (now !== frames) [frames, since] = [now, Date.now()];
    return Date.now() - since >= 2_000;
  }, 20_000);
}

Deno.test({
  name: "third-party WHIP/WHEP clients publish to and play from a node, and paid access holds",
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "sutantra-interop-" });
    const node = new NodeProcess([
      "--chain",
      await fastDevSpec(dir),
      "--alice",
      "--base-path",
      dir,
    ]);
    let site: InteropServer | undefined;
    let browser: BrowserSession | undefined;
    let conn: NodeConnection | undefined;
    try {
      site = await serveInteropPage();
      browser = await launchBrowser();
      await node.ready();
      conn = await NodeConnection.open(`ws://127.0.0.1:${node.rpcPort}`);
      const base = `http://127.0.0.1:${node.rpcPort}`;
      const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
      const token = (uri: string, stream: bigint, role: "publish" | "watch") =>
        tokenFor(uri, genesis, stream, role, node);
      const carried = async (stream: bigint) => {
        const streams: CarriedStream[] = await (await fetch(`${base}/relay/streams`)).json();
        return streams.find((s) => s.stream === Number(stream));
      };
      const alice = toHex(keypairFromUri("//Alice").publicKey);
      const listedOnChain = async (stream: bigint) =>
        (await conn!.queryStorage("Streams", "StreamRelays", [stream.toString(), alice])) != null;
      const page = async (): Promise<[Page, string[]]> => {
        const opened = await browser!.newPage();
        const seen = exchanges(opened, base);
        await site!.open(opened);
        return [opened, seen];
      };

      const free = await liveStream(node, "//Alice", 0n);
      const paid = await liveStream(node, "//Alice", PRICE);
      const [medoozeSource, medoozeSourceSaw] = await page();
      const [eyevinnSource, eyevinnSourceSaw] = await page();

      await t.step("medooze's WHIP client publishes H.264, trickling its candidates", async () => {
        await publishWithMedooze(
          medoozeSource,
          `${base}/whip/${free}`,
          token("//Alice", free, "publish"),
          "H264",
        );
        await untilTrue(
          "the node carrying the stream",
          async () => (await carried(free))?.source === "publisher",
        );
        await untilTrue("the node listed on chain as its carrier", () => listedOnChain(free));
        const state = await interopState(medoozeSource);
        assert.equal(state.connection, "connected");
        assert.equal(state.codec, "video/H264");
        // The offer went before gathering began: every candidate came by PATCH.
        assert.ok(medoozeSourceSaw.includes(`POST /whip/${free} 201`), medoozeSourceSaw.join());
        assert.ok(
          medoozeSourceSaw.some((e) => /^PATCH \/whip\/\d+\/\S+ 204$/.test(e)),
          medoozeSourceSaw.join(),
        );
      });

      await t.step("Eyevinn's WHIP client publishes VP8 to a paid stream", async () => {
        await publishWithEyevinn(
          eyevinnSource,
          `${base}/whip/${paid}`,
          token("//Alice", paid, "publish"),
        );
        await untilTrue(
          "the node carrying the paid stream",
          async () => (await carried(paid))?.source === "publisher",
        );
        await untilTrue("the node listed on chain as its carrier", () => listedOnChain(paid));
        const state = await interopState(eyevinnSource);
        assert.equal(state.connection, "connected");
        assert.equal(state.codec, "video/VP8");
        assert.ok(eyevinnSourceSaw.includes(`POST /whip/${paid} 201`), eyevinnSourceSaw.join());
      });

      await t.step(
        "both players play the free stream, and DELETE ends their sessions",
        async () => {
          const url = `${base}/whep/${free}`;
          const [medooze, medoozeSaw] = await page();
          const [eyevinn, eyevinnSaw] = await page();
          await playWithMedooze(medooze, url, token("//Bob", free, "watch"));
          await playWithEyevinn(eyevinn, url, token("//Charlie", free, "watch"));
          await framesDecoded(medooze, "medooze's WHEP client");
          await framesDecoded(eyevinn, "Eyevinn's player");
          assert.equal((await interopState(medooze)).codec, "video/H264");
          assert.equal((await interopState(eyevinn)).codec, "video/H264");
          assert.equal((await carried(free))?.viewers, 2);
          await stopClient(medooze);
          await stopClient(eyevinn);
          await untilTrue(
            "the node dropping both viewers",
            async () => (await carried(free))?.viewers === 0,
          );
          for (const saw of [medoozeSaw, eyevinnSaw]) {
            assert.ok(
              saw.some((e) => /^DELETE \/whep\/\d+\/\S+ 200$/.test(e)),
              saw.join(),
            );
          }
          for (const p of [medooze, eyevinn]) assert.deepEqual((await interopState(p)).events, []);
        },
      );

      await t.step("a paid stream refuses players without a channel", async () => {
        const url = `${base}/whep/${paid}`;
        const [medooze] = await page();
        const [eyevinn] = await page();
        await assert.rejects(
          playWithMedooze(medooze, url, token("//Bob", paid, "watch")),
          /status 403/,
        );
        await playWithEyevinn(eyevinn, url, token("//Bob", paid, "watch"));
        await untilTrue(
          "Eyevinn's player giving up",
          async () => (await interopState(eyevinn)).events.includes("initial-connection-failed"),
        );
        assert.equal((await interopState(eyevinn)).frames, 0);
        assert.equal((await carried(paid))?.viewers, 0);
      });

      await t.step("players with a channel watch, and are cut off for not paying", async () => {
        // A channel each: the grace is per channel, and a second session on
        // one channel would owe the first one's seconds too.
        for (const viewer of ["//Bob", "//Charlie"]) {
          const opened = await conn!.submit(
            "Access",
            "openChannel",
            { stream: paid.toString(), deposit: (1000n * PRICE).toString(), expiry: 1_000_000 },
            keypairFromUri(viewer),
            "in-block",
          );
          assert.equal(opened.error, undefined);
        }
        const url = `${base}/whep/${paid}`;
        const [medooze] = await page();
        const [eyevinn] = await page();
        await playWithMedooze(medooze, url, token("//Bob", paid, "watch"));
        await playWithEyevinn(eyevinn, url, token("//Charlie", paid, "watch"));
        // The grace is 5 s: long enough to see frames, before the node cuts them off.
        await framesDecoded(medooze, "medooze's WHEP client on a paid stream", 10);
        await framesDecoded(eyevinn, "Eyevinn's player on a paid stream", 10);
        assert.equal((await interopState(medooze)).codec, "video/VP8");
        await untilTrue(
          "the node cutting off both players, who send no vouchers",
          () => node.output.split(`Stream ${paid}: viewer cut off`).length - 1 >= 2,
        );
        await untilTrue("the node dropping both", async () => (await carried(paid))?.viewers === 0);
        // What a player sees of it is the picture stopping: its connection
        // still says "connected", as the relay's werift ends a session
        // without a DTLS close_notify, so Chromium learns of the end only
        // when ICE consent expires (about 30 s).
        await framesStop(medooze, "medooze's WHEP client after the cut-off");
        await framesStop(eyevinn, "Eyevinn's player after the cut-off");
      });

      await t.step(
        "the publishers stop, and the node withdraws from both streams on chain",
        async () => {
          await stopClient(medoozeSource);
          await stopClient(eyevinnSource);
          await untilTrue(
            "the node without sources",
            async () =>
              (await carried(free))?.source !== "publisher" &&
              (await carried(paid))?.source !== "publisher",
          );
          await untilTrue(
            "the node withdrawn on chain",
            async () => !(await listedOnChain(free)) && !(await listedOnChain(paid)),
          );
          for (const saw of [medoozeSourceSaw, eyevinnSourceSaw]) {
            assert.ok(
              saw.some((e) => /^DELETE \/whip\/\d+\/\S+ 200$/.test(e)),
              saw.join(),
            );
          }
        },
      );

      assert.deepEqual(browser.errors, []);
    } finally {
      conn?.close();
      await browser?.close();
      await site?.close();
      await node.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
