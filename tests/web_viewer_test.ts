/**
 * The viewer's paths in the web app, in headless Chromium against a dev
 * node, looked at as a person would: what the page shows, where, and in
 * which words. Alice's stream is made live on chain over RPC and her fake
 * camera published by WHIP from a browser of its own; Bob (sr25519, as
 * polkadot.js Apps makes accounts) watches.
 *
 * - At 1280×800: the price per minute in STREAM beside the player, the
 *   meter above the fold; Pay and watch opens a channel for the minutes
 *   Bob picks and plays; at about 30 s of deposit left the page warns, in
 *   STREAM, while the video still plays; once the deposit is spent the
 *   video stops and the page asks for a top-up; Top up brings the video
 *   back with no error shown; what was paid and the seconds it pays for
 *   agree throughout and go on from where they were.
 * - At 390×844 (and the directory at 360 px): cards with no sideways
 *   scroll, Watch reachable and working, player and meter above the fold;
 *   a stream whose creator is not sending shows "offline — waiting for the
 *   creator", opens no channel and charges nothing, and plays once the
 *   creator goes live; when the creator stops, the session stops.
 *
 * axe-core finds no serious or critical violation on either page. Screenshots
 * go to `test-artifacts/viewer/` (git-ignored).
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { accessStorage } from "../pallets/access/storage.ts";
import { signerFromUri } from "../runtime/crypto/signer.ts";
import { assertAccessible } from "./_axe.ts";
import { type BrowserSession, confirmSigning, statusOk, walletAt } from "./_browser.ts";
import { balanceAt, fastDevSpec, NodeProcess, storageAt, until } from "./_node.ts";
import { liveStream, tokenFor } from "./_relay.ts";
import {
  assertAboveFold,
  assertNoErrorShown,
  assertNoSidewaysScroll,
  publishCamera,
  SCREENS,
  screenshot,
  visibleText,
} from "./_viewer.ts";

/** 0.001 STREAM a second (12 decimals): 0.06 STREAM a minute. */
const PRICE = 1_000_000_000n;
const bob = signerFromUri("//Bob", "sr25519").account;

/** A dev node, with Alice's stream at {@link PRICE} live on chain; its origin and genesis. */
async function devNode(
  dir: string,
): Promise<{ node: NodeProcess; origin: string; genesis: string }> {
  const node = new NodeProcess(["--chain", await fastDevSpec(dir), "--alice", "--base-path", dir]);
  await node.ready();
  return {
    node,
    origin: `http://127.0.0.1:${node.rpcPort}`,
    genesis: await node.rpc<string>("chain_getBlockHash", [0]),
  };
}

/** The planck a meter figure holds. */
async function planck(page: Page, testId: string): Promise<bigint> {
  return BigInt(await page.getByTestId(testId).getAttribute("data-planck") ?? "-1");
}

/** Frames decoded so far in the page's session. */
async function frames(page: Page): Promise<number> {
  return Number(await page.getByTestId("stats-frames-decoded").textContent());
}

/** Fails unless the meter's seconds are what its amount paid buys at {@link PRICE} (read at once). */
async function assertMeterAgrees(page: Page): Promise<bigint> {
  // Page code as a string: the DOM's types are not this program's (they clash with Deno's).
  const shown = await page.evaluate<{ paid: string; text: string; seconds: string }>(`(() => {
    const figure = (id) => document.querySelector("[data-testid=" + id + "]");
    return {
      paid: figure("meter-paid").dataset.planck ?? "-1",
      text: figure("meter-paid").textContent ?? "",
      seconds: figure("meter-seconds").dataset.seconds ?? "-1",
    };
  })()`);
  const paid = BigInt(shown.paid);
  assertEquals(
    BigInt(shown.seconds),
    paid / PRICE,
    `the meter shows ${shown.seconds} s for ${paid} planck`,
  );
  ok(/STREAM$/.test(shown.text), shown.text);
  return paid;
}

Deno.test("web viewer at 1280×800: price beside the player, Pay and watch, a warning at 30 s left, and a top-up that brings the video back with no error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-web-viewer-" });
  const { node, origin, genesis } = await devNode(dir);
  const browsers: BrowserSession[] = [];
  try {
    const stream = await liveStream(node, "//Alice", PRICE);
    await publishCamera(
      origin,
      stream,
      tokenFor("//Alice", genesis, stream, "publish", node),
      browsers,
    );
    const page = await walletAt(origin, "//Bob", "sr25519", browsers);
    await page.setViewportSize(SCREENS.desktop);
    await page.goto(`${origin}/#/watch/${stream}`);

    // Player first; title, LIVE and the price per minute in STREAM right under it.
    await until(
      "the LIVE badge",
      async () =>
        (await page.getByTestId("watch-live").getAttribute("data-state")) === "live" || undefined,
    );
    assertEquals(await page.getByTestId("watch-title").textContent(), "relay test");
    await until(
      "the price per minute",
      async () =>
        (await page.getByTestId("watch-price-minute").textContent()) === "0.06 STREAM" || undefined,
    );
    for (
      const testId of [
        "watch-video",
        "watch-price-minute",
        "watch-start",
        "watch-meter",
        "watch-minutes",
      ]
    ) {
      await assertAboveFold(page, page.getByTestId(testId), testId);
    }
    const player = (await page.getByTestId("watch-video").boundingBox())!;
    const price = (await page.getByTestId("watch-price-minute").boundingBox())!;
    ok(price.y - (player.y + player.height) < 120, "the price is right under the player");
    await assertAccessible(page, "the watch page");
    await screenshot(page, "watch-desktop-before");

    // Pay and watch 45 s: the dialog says what it costs; the video plays.
    assertEquals(await page.getByTestId("watch-start").textContent(), "Pay and watch");
    await page.getByTestId("watch-minutes").fill("0.75");
    assertEquals(await page.getByTestId("watch-deposit-preview").textContent(), "= 0.045 STREAM");
    await page.getByTestId("watch-start").click();
    await confirmSigning(page);
    await until(
      "the video playing",
      async () =>
        (await page.getByTestId("watch-status").getAttribute("data-state")) === "ok" &&
          await frames(page) > 0 || undefined,
      60_000,
    );
    ok(await page.getByTestId("watch-minutes").isHidden(), "no Pay form once the channel exists");
    await assertMeterAgrees(page);

    // About 30 s left: a warning in STREAM, while the video still plays.
    const low = page.getByTestId("watch-low-balance");
    const warning = await until(
      "the low-balance warning",
      async () => (await low.isVisible()) ? await low.textContent() : undefined,
      60_000,
    );
    ok(
      /^About \d+ s of watching left \(0\.0\d+ STREAM\): top up/.test(warning ?? ""),
      warning ?? "",
    );
    assertEquals(await page.getByTestId("watch-status").getAttribute("data-state"), "ok");
    const before = await frames(page);
    await until(
      "frames still decoding under the warning",
      async () => await frames(page) > before || undefined,
    );
    ok(await page.getByTestId("watch-topup").isVisible(), "a Top-up button beside the warning");
    await assertMeterAgrees(page);
    await assertNoErrorShown(page, "under the low-balance warning");
    await assertAccessible(page, "the watch page under the low-balance warning");
    await screenshot(page, "watch-desktop-low-balance");

    // The deposit runs out: the video stops, and the page asks for a top-up in words.
    await until(
      "the cut-off",
      async () => /deposit ran out/.test(await low.textContent() ?? "") || undefined,
      60_000,
    );
    const paidBefore = await assertMeterAgrees(page);
    ok(paidBefore <= 45n * PRICE, `paid ${paidBefore}, no more than the deposit`);
    await assertNoErrorShown(page, "after the cut-off");
    const session = await page.getByTestId("watch-video").getAttribute("data-session");

    // Top up 10 minutes: the video comes back, no error shown, the meter going on from where it was.
    await page.getByTestId("watch-topup").click();
    await confirmSigning(page);
    await until(
      "a new session playing",
      async () =>
        (await page.getByTestId("watch-video").getAttribute("data-session")) !== session &&
          (await page.getByTestId("watch-status").getAttribute("data-state")) === "ok" &&
          await frames(page) > 0 || undefined,
      60_000,
    );
    await until(
      "a voucher past the old deposit",
      async () => await planck(page, "meter-paid") > paidBefore || undefined,
      30_000,
    );
    await assertMeterAgrees(page);
    ok(await low.isHidden(), "no warning with 10 minutes more");
    ok(/min/.test(await page.getByTestId("meter-time-left").textContent() ?? ""));
    await assertNoErrorShown(page, "after the top-up");
    await screenshot(page, "watch-desktop-after-topup");

    await page.getByTestId("watch-stop").click();
    assertEquals(await statusOk(page, "watch-status"), "Stopped");
    for (const b of browsers) ok(b.errors.length === 0, `page errors: ${b.errors.join("; ")}`);
  } finally {
    for (const b of browsers) await b.close();
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("web viewer at 390×844: directory cards at 360 px, Watch reachable, an offline stream charges nothing and plays once its creator is live", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-web-viewer-phone-" });
  const { node, origin, genesis } = await devNode(dir);
  const browsers: BrowserSession[] = [];
  try {
    const live = await liveStream(node, "//Alice", PRICE);
    const offline = await liveStream(node, "//Alice", PRICE);
    await publishCamera(
      origin,
      live,
      tokenFor("//Alice", genesis, live, "publish", node),
      browsers,
    );
    const page = await walletAt(origin, "//Bob", "sr25519", browsers);

    // The directory at 360 px: one card a row, nothing wider than the screen.
    await page.setViewportSize({ width: 360, height: 780 });
    await page.goto(`${origin}/#/streams`);
    const card = page.locator(`[data-testid=directory-card][data-stream-id="${live}"]`);
    await card.waitFor({ timeout: 30_000 });
    assertEquals(await card.getByTestId("directory-price").textContent(), "0.06 STREAM");
    ok(
      /^\d+ watching on this node$/.test(
        await card.getByTestId("directory-viewers").textContent() ?? "",
      ),
    );
    await page.locator(`[data-testid=directory-offline] [data-stream-id="${offline}"]`).waitFor();
    await assertNoSidewaysScroll(page, "the directory at 360 px");
    await assertAccessible(page, "the directory");
    await screenshot(page, "directory-phone");

    // At 390×844 the card's Watch is in reach and leads to the stream.
    await page.setViewportSize(SCREENS.phone);
    const watch = card.getByTestId("directory-watch");
    await watch.scrollIntoViewIfNeeded();
    const box = (await watch.boundingBox())!;
    ok(
      box.x >= 0 && box.x + box.width <= SCREENS.phone.width && box.height >= 40,
      JSON.stringify(box),
    );
    await watch.click();
    await until("the watch page", () => page.url().endsWith(`#/watch/${live}`) || undefined);
    await until(
      "the LIVE badge",
      async () =>
        (await page.getByTestId("watch-live").getAttribute("data-state")) === "live" || undefined,
    );
    await page.evaluate("scrollTo(0, 0)");
    for (const testId of ["watch-video", "watch-price-minute", "watch-start", "watch-meter"]) {
      await assertAboveFold(page, page.getByTestId(testId), `${testId} at 390×844`);
    }
    await assertNoSidewaysScroll(page, "the watch page at 390 px");
    await page.getByTestId("watch-start").click();
    await confirmSigning(page);
    await until(
      "the video playing on the phone",
      async () => await frames(page) > 0 || undefined,
      60_000,
    );
    await until("a paid second", async () => await planck(page, "meter-paid") > 0n || undefined);
    await page.evaluate("scrollTo(0, 0)");
    await assertAboveFold(page, page.getByTestId("watch-meter"), "the meter while playing");
    await screenshot(page, "watch-phone");
    await page.getByTestId("watch-stop").click();

    // A stream live on chain that nobody publishes: offline, nothing opened or paid.
    // (The relay's claim on the first stream's channel may still land: it takes from the reserve.)
    const { free } = await balanceAt(node, bob);
    await page.goto(`${origin}/#/watch/${offline}`);
    await until(
      "the offline badge",
      async () =>
        (await page.getByTestId("watch-live").getAttribute("data-state")) === "offline" ||
        undefined,
    );
    ok(
      /Offline — waiting for the creator/.test(
        await page.getByTestId("watch-overlay").textContent() ?? "",
      ),
    );
    await page.getByTestId("watch-start").click();
    const waiting = await until("the page waiting for the creator", async () => {
      const status = page.getByTestId("watch-status");
      return (await status.getAttribute("data-state")) === "pending" &&
          /waiting for the creator/.test(await status.textContent() ?? "")
        ? await status.textContent()
        : undefined;
    });
    ok(/you pay from then on/.test(waiting ?? ""), waiting ?? "");
    ok(await page.getByTestId("sign-dialog").count() === 0, "no channel offered while offline");
    await assertAccessible(page, "an offline stream's watch page");
    await screenshot(page, "watch-phone-offline");
    assertEquals(
      await storageAt(node, accessStorage.ChannelsByViewer.keyOf(bob, offline)),
      undefined,
      "no channel opened",
    );
    assertEquals((await balanceAt(node, bob)).free, free, "nothing paid, no fee");

    // The creator goes live: the page goes on by itself, to the signing dialog, then plays.
    const publisher = await publishCamera(
      origin,
      offline,
      tokenFor("//Alice", genesis, offline, "publish", node),
      browsers,
    );
    await confirmSigning(page);
    await until(
      "the video playing once live",
      async () => await frames(page) > 0 || undefined,
      60_000,
    );
    assertEquals(await page.getByTestId("watch-live").getAttribute("data-state"), "live");

    // The creator stops: so does the session, and the page says it waits.
    await publisher.stop();
    await until(
      "the page offline again",
      async () =>
        (await page.getByTestId("watch-live").getAttribute("data-state")) === "offline" &&
          (await page.getByTestId("watch-stop").textContent()) === "Stop waiting" || undefined,
      30_000,
    );
    await until("no session left at the relay", async () => {
      const carried: { stream: number; viewers: number }[] =
        await (await fetch(`${origin}/relay/streams`)).json();
      return (carried.find((s) => s.stream === Number(offline))?.viewers ?? 0) === 0 || undefined;
    });
    ok(/not charged/.test(await visibleText(page)));
    for (const b of browsers) ok(b.errors.length === 0, `page errors: ${b.errors.join("; ")}`);
  } finally {
    for (const b of browsers) await b.close();
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
