/**
 * The web app's shell and creator paths in headless Chromium against a real
 * dev node, as a person walks them at 1280×800 and at phone size (390×844;
 * no view wider than the page at 360 either): an empty
 * import adds no account; a transfer refuses an empty, garbled or mistyped
 * address and more than the balance beside the fields, then shows its fee
 * before signing; the studio refuses an empty or too long title, creates a
 * stream, picks it to go live (no typed number), shows OBS's WHIP URL and
 * token, goes live from the fake camera, its frame shows as the stream's
 * poster in the directory, and it ends the stream; the explorer
 * lists history from before the page opened; every view passes axe-core
 * with no serious or critical violation. A node that hangs with a transfer
 * on its way is dropped by the page's heartbeat, and the transfer fails
 * saying so rather than hanging. The node is stopped and started again on
 * the same port and base path: the header says so at once, a transfer's
 * dialog then says it cannot reach the node, and the page reconnects by
 * itself and follows blocks again. Screenshots go to test-artifacts/web/.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { TOKEN } from "../chain-spec/presets.ts";
import { decodeToken } from "../client/relay/token.ts";
import { keypairFromUri } from "../runtime/crypto/keypair.ts";
import { ss58Encode } from "../runtime/crypto/ss58.ts";
import { assertAccessible } from "./_axe.ts";
import {
  type BrowserSession,
  confirmSigning,
  createStream,
  importAccount,
  launchBrowser,
  openApp,
  statusOk,
} from "./_browser.ts";
import { balanceAt, fastDevSpec, NodeProcess, until } from "./_node.ts";

const ARTIFACTS = new URL("../test-artifacts/web/", import.meta.url);
const bob = ss58Encode(keypairFromUri("//Bob").publicKey);

/** A screenshot of what a person sees on arriving: the top of the page, header in sight. */
async function shot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname });
}

/** Whether the page is no wider than its window (nothing to scroll sideways). */
async function fitsWidth(page: Page): Promise<boolean> {
  return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth");
}

const text = async (page: Page, testId: string) =>
  (await page.getByTestId(testId).textContent())?.trim() ?? "";

Deno.test("web studio and shell: validation, fee preview, go live, OBS, history, phone, axe, reconnect", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-web-studio-" });
  const spec = await fastDevSpec(dir);
  const args = ["--chain", spec, "--alice", "--base-path", dir];
  let node = new NodeProcess(args);
  let browser: BrowserSession | undefined;
  try {
    await node.ready();
    const origin = `http://127.0.0.1:${node.rpcPort}`;
    // Some blocks before the page opens: the explorer must list them from the chain.
    await until("block #8", async () => {
      const header = await node.rpc<{ number: string }>("chain_getHeader");
      return parseInt(header.number, 16) >= 8 || undefined;
    }, 60_000);
    browser = await launchBrowser();
    const { page } = browser;
    await page.setViewportSize({ width: 1280, height: 800 });
    await openApp(page, origin);
    assertEquals(new URL(page.url()).hash, "", "the app opens on the directory");
    ok((await text(page, "node-status")).startsWith("Connected to"));

    // Account: an empty import adds nothing and says why, beside the field.
    await page.getByTestId("nav-account").click();
    await page.getByTestId("import-button").click();
    assertEquals(await text(page, "import-uri-error"), "Enter a secret URI or mnemonic");
    assertEquals(await page.getByTestId("import-uri").getAttribute("aria-invalid"), "true");
    assertEquals(await text(page, "account-select"), "No account yet");
    await importAccount(page, "//Alice", "ed25519");
    await until(
      "Alice's balance in STREAM",
      async () => /^[\d,.]+ STREAM$/.test(await text(page, "account-balance")) || undefined,
    );

    // Transfer: each refusal beside its field, nothing signed.
    const send = page.getByTestId("transfer-button");
    await send.click();
    assertEquals(await text(page, "transfer-to-error"), "Enter an address");
    assertEquals(await text(page, "transfer-amount-error"), "Enter an amount");
    await page.getByTestId("transfer-to").fill("5notanaddress");
    await page.getByTestId("transfer-amount").fill("1.2.3");
    await send.click();
    ok((await text(page, "transfer-to-error")).startsWith("Not a valid address"));
    assertEquals(await text(page, "transfer-amount-error"), "Not a number");
    await page.getByTestId("transfer-to").fill(bob.slice(0, -1) + (bob.endsWith("a") ? "b" : "a"));
    await page.getByTestId("transfer-amount").fill("1000000000");
    await send.click();
    ok(/checksum/.test(await text(page, "transfer-to-error")));
    ok(/^More than you can send .*\(.* STREAM\)$/.test(await text(page, "transfer-amount-error")));
    assertEquals(await page.getByTestId("sign-dialog").count(), 0, "nothing to sign");

    // A good one: the dialog quotes the fee in STREAM before signing.
    const bobBefore = (await balanceAt(node, keypairFromUri("//Bob").publicKey)).free;
    await page.getByTestId("transfer-to").fill(bob);
    await page.getByTestId("transfer-amount").fill("1.5");
    await send.click();
    const fee = page.getByTestId("sign-fee");
    await until("the fee quoted", async () => (await fee.getAttribute("data-planck")) ?? undefined);
    ok(/^0\.\d+ STREAM$/.test(await text(page, "sign-fee")), await text(page, "sign-fee"));
    ok(BigInt(await fee.getAttribute("data-planck") ?? "0") > 0n);
    await shot(page, "desktop-transfer-fee");
    await assertAccessible(page, "the signing dialog");
    await confirmSigning(page);
    ok((await statusOk(page, "transfer-status")).startsWith("Sent 1.5 STREAM to"));
    await until(
      "Bob's balance to rise by 1.5",
      async () =>
        (await balanceAt(node, keypairFromUri("//Bob").publicKey)).free ===
          bobBefore + 3n * TOKEN / 2n ||
        undefined,
    );
    await assertAccessible(page, "the account view");

    // Studio: an empty, then a too long title are refused before signing.
    await page.getByTestId("nav-studio").click();
    assertEquals(new URL(page.url()).hash, "#/studio");
    await page.getByTestId("studio-create").click();
    assertEquals(await text(page, "studio-title-error"), "Enter a title");
    await page.getByTestId("studio-title").fill("x".repeat(129));
    await page.getByTestId("studio-create").click();
    assertEquals(
      await text(page, "studio-title-error"),
      "Too long: 129 bytes, the chain takes at most 128",
    );
    assertEquals(await page.getByTestId("sign-dialog").count(), 0, "nothing to sign");
    // Go live with nothing picked goes nowhere (never stream #0).
    await page.getByTestId("live-start").click();
    assertEquals(
      await text(page, "studio-stream-error"),
      "Create a stream first (New stream, below)",
    );

    const id = await createStream(page, "Night sky", "0.001");
    const row = page.locator(`[data-testid=studio-stream-row][data-stream-id="${id}"]`);
    await row.waitFor({ timeout: 30_000 });
    ok((await row.textContent())!.includes("0.06 STREAM a minute"));
    assertEquals(await row.getAttribute("data-status"), "Created");

    // OBS: the WHIP URL and a publish token for the stream picked, as `stream token` prints.
    assertEquals(await page.getByTestId("obs-url").inputValue(), `${origin}/whip/${id}`);
    await page.getByTestId("obs-make-token").click();
    const token = decodeToken(await page.getByTestId("obs-token").inputValue());
    assertEquals(token.claims.stream, Number(id));
    assertEquals(token.claims.role, "publish");
    assertEquals(token.claims.aud, origin);
    ok(token.claims.exp > Date.now() / 1000 + 23 * 3600, "good for a day");
    ok(await page.getByTestId("obs-go-live").isVisible(), "OBS needs it live on chain first");

    // An older page's link to go live with it leads to the studio, the stream picked.
    await page.goto(`${origin}/#live/${id}`);
    await until(
      "the studio route",
      () => new URL(page.url()).hash === `#/studio/${id}` || undefined,
    );
    assertEquals(await page.getByTestId("studio-stream").inputValue(), id);

    // Go live: the dialog quotes goLive's fee, then the camera is published.
    await page.getByTestId("live-start").click();
    await until("goLive's fee", async () => (await fee.getAttribute("data-planck")) ?? undefined);
    assertEquals(await text(page, "sign-dialog").then((t) => t.startsWith("Go live")), true);
    await confirmSigning(page);
    const liveStatus = page.getByTestId("live-status");
    await until("the studio publishing", async () => {
      if (await liveStatus.getAttribute("data-state") === "error") {
        throw new Error(await liveStatus.textContent() ?? "");
      }
      return (await liveStatus.textContent())!.startsWith("Live:") || undefined;
    }, 60_000);
    await until(
      "the stream listed live",
      async () => (await row.getAttribute("data-status")) === "Live" || undefined,
    );
    ok(await page.getByTestId("obs-not-live").isHidden(), "OBS may publish it now");
    await until(
      "the bitrate sent",
      async () => /^[1-9][\d.]* (kbit|Mbit)/.test(await text(page, "live-bitrate")) || undefined,
    );
    ok(/STREAM$/.test(await text(page, "studio-earned")));
    await shot(page, "desktop-studio");
    await assertAccessible(page, "the studio");
    // The directory shows a frame the studio captured as the stream's poster, from the node.
    await page.getByTestId("nav-streams").click();
    const poster = page.locator(
      `[data-testid=directory-card][data-stream-id="${id}"] img[alt="Poster of Night sky"]`,
    );
    await poster.waitFor({ timeout: 30_000 });
    assertEquals(
      await poster.evaluate((img) => (img as { naturalWidth: number }).naturalWidth),
      320,
    );
    const jpeg = await fetch(`${origin}/relay/poster/${id}`);
    assertEquals(jpeg.headers.get("content-type"), "image/jpeg");
    const size = (await jpeg.arrayBuffer()).byteLength;
    ok(size > 500 && size < 64 * 1024, `a poster of ${size} bytes`);
    await shot(page, "desktop-directory-poster");
    await assertAccessible(page, "the directory with a poster");
    await page.getByTestId("nav-studio").click();
    await page.locator("#view-studio:not([hidden])").waitFor();
    await page.getByTestId("live-stop").click();
    await statusOk(page, "live-status");
    // End it: signed from the dialog too; the card says so and it can no longer be picked.
    await page.getByTestId("live-end").click();
    await confirmSigning(page);
    await until(
      "the stream ended",
      async () => (await text(page, "live-status")) === `Stream #${id} ended` || undefined,
    );
    await until(
      "its card saying so",
      async () => (await row.getAttribute("data-status")) === "Ended" || undefined,
    );
    assertEquals(await row.getByTestId("studio-pick").count(), 0);

    // Explorer by its old link: history from the chain, not only blocks seen since.
    await page.goto(`${origin}/#explorer`);
    await until(
      "the explorer route",
      () => new URL(page.url()).hash === "#/explorer" || undefined,
    );
    const rows = page.getByTestId("block-row");
    await until("a page of history", async () => (await rows.count()) >= 20 || undefined);
    const lowest = Number(await rows.last().getAttribute("data-number"));
    await page.getByTestId("explorer-older").click();
    await statusOk(page, "explorer-history");
    ok(Number(await rows.last().getAttribute("data-number")) < lowest, "older blocks listed");
    assertEquals(
      await rows.last().getAttribute("data-hash"),
      await node.rpc<string>("chain_getBlockHash", [
        Number(await rows.last().getAttribute("data-number")),
      ]),
    );
    await shot(page, "desktop-explorer");
    await assertAccessible(page, "the explorer");
    await page.getByTestId("nav-streams").click();
    await assertAccessible(page, "the directory");
    await page.goto(`${origin}/#/watch/${id}`);
    await page.locator("#view-watch:not([hidden])").waitFor();
    await assertAccessible(page, "the watch page");

    // Phone: every view fits 390 and 360 px, the account selector and tables included.
    await page.setViewportSize({ width: 390, height: 844 });
    // Every view, the viewer's directory and watch page too (they have phone tests of their own).
    for (const route of ["studio", "explorer", "account", "streams", `watch/${id}`]) {
      const view = route.split("/")[0];
      await page.goto(`${origin}/#/${route}`);
      await page.locator(`#view-${view}:not([hidden])`).waitFor();
      await until(`${view} fitting 390 px`, async () => await fitsWidth(page) || undefined);
      const select = await page.getByTestId("account-select").boundingBox();
      ok(
        select && select.x + select.width <= 390,
        `the account selector fits: ${JSON.stringify(select)}`,
      );
      await shot(page, `phone-${view}`);
      await assertAccessible(page, `${view} at 390 px`);
      await page.setViewportSize({ width: 360, height: 740 });
      await until(`${view} fitting 360 px`, async () => await fitsWidth(page) || undefined);
      await page.setViewportSize({ width: 390, height: 844 });
    }
    await page.goto(`${origin}/#/studio`);
    await page.getByTestId("live-start").scrollIntoViewIfNeeded();
    ok(await page.getByTestId("live-start").isVisible(), "Go live reachable on a phone");

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${origin}/#/account`);
    await until(
      "Alice's balance",
      async () =>
        (await page.getByTestId("account-balance").getAttribute("data-planck")) ?? undefined,
    );
    const status = page.getByTestId("node-status");

    // A node that hangs (stopped, its socket open) with a transfer on its way: the heartbeat
    // drops it, and the transfer fails saying so instead of sitting on "signing…" for ever.
    await page.getByTestId("transfer-to").fill(bob);
    await page.getByTestId("transfer-amount").fill("0.5");
    await send.click();
    await confirmSigning(page);
    Deno.kill(node.pid, "SIGSTOP");
    const transferStatus = page.getByTestId("transfer-status");
    try {
      const settled = await until("the transfer to settle, not hang", async () => {
        const state = await transferStatus.getAttribute("data-state");
        return state === "pending" ? undefined : state;
      }, 45_000);
      // It may have made its block before the node stopped; if not, it says why it failed.
      if (settled === "error") {
        ok(
          /connection to the node was lost|not connected|did not answer/i.test(
            await text(page, "transfer-status"),
          ),
          await text(page, "transfer-status"),
        );
      } else assertEquals(settled, "ok");
      await until(
        "the header to say the node is gone",
        async () => (await status.getAttribute("data-state")) === "disconnected" || undefined,
        30_000,
      );
    } finally {
      Deno.kill(node.pid, "SIGCONT");
    }
    await until(
      "the page back on the node",
      async () => (await status.getAttribute("data-reconnects")) === "1" || undefined,
      30_000,
    );

    // The node goes away: the header says so within seconds; a transfer fails with a reason.
    const bestBefore = Number(await page.getByTestId("best-number").getAttribute("data-number"));
    const port = node.rpcPort;
    await node.stop();
    const stoppedAt = Date.now();
    await until(
      "the header to say the node is gone",
      async () => (await status.getAttribute("data-state")) === "disconnected" || undefined,
      5_000,
    );
    ok(Date.now() - stoppedAt < 5_000, "within seconds");
    ok((await text(page, "node-status")).startsWith("Node unreachable"));
    await page.getByTestId("transfer-to").fill(bob);
    await page.getByTestId("transfer-amount").fill("1");
    await send.click();
    await until(
      "the signing dialog to say it cannot reach the node",
      async () => /Not connected to the node/.test(await text(page, "sign-problem")) || undefined,
    );
    ok(await page.getByTestId("sign-confirm").isDisabled(), "nothing can be signed");
    await shot(page, "desktop-disconnected");
    await page.keyboard.press("Escape");
    await until(
      "Escape to close the dialog",
      async () => (await page.getByTestId("sign-dialog").count()) === 0 || undefined,
    );
    assertEquals(await text(page, "transfer-status"), "Transfer: cancelled");

    // Back on the same port and base path: the page reconnects and follows blocks again.
    node = new NodeProcess(args, port);
    await node.ready();
    await until(
      "the header to say it is back",
      async () =>
        (await status.getAttribute("data-state")) === "connected" &&
          (await status.getAttribute("data-reconnects")) === "2" || undefined,
      60_000,
    );
    ok((await text(page, "node-status")).startsWith("Reconnected to"));
    await until(
      "new blocks after the restart",
      async () =>
        Number(await page.getByTestId("best-number").getAttribute("data-number")) >
          bestBefore + 2 ||
        undefined,
      60_000,
    );
    await send.click();
    await confirmSigning(page);
    await statusOk(page, "transfer-status", 60_000);

    assertEquals(await page.getByTestId("error").isHidden(), true, "no error banner");
    assertEquals(browser.errors, [], "no uncaught page errors");
  } finally {
    await browser?.close();
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
