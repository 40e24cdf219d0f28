/**
 * Headless Chromium for browser tests: Debian's `/usr/bin/chromium` driven
 * by `playwright-core` (which never downloads a browser), with fake camera
 * and microphone, WebRTC allowed on loopback, and a fresh profile that is
 * removed on close.
 *
 * @module
 */
import fs from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import type { KeyScheme } from "../runtime/crypto/mod.ts";

/** The Chromium the tests drive. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags for a quiet, sandbox-free headless Chromium with fake media devices. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--allow-loopback-in-peer-connection",
  "--disable-features=WebRtcHideLocalIpsWithMdns",
];

/** A running browser with one page; `errors` collects the page's uncaught errors. */
export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  errors: string[];
  /** Opens another page in the same browser (e.g. a second viewer). */
  newPage(): Promise<Page>;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh profile under /tmp.
 *
 * @throws {Error} with the command that installs Chromium when it is missing
 */
export async function launchBrowser(): Promise<BrowserSession> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}; install it with: apt-get install -y chromium`,
    );
  }
  const profile = await Deno.makeTempDir({ dir: "/tmp", prefix: "sutantra-chromium-" });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on("pageerror", (error) => errors.push(error.message));
    return page;
  };
  let context: BrowserContext;
  try {
    const { chromium } = await importPlaywright();
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
  } catch (e) {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw e;
  }
  const page = watch(context.pages()[0] ?? await context.newPage());
  return {
    context,
    page,
    errors,
    newPage: async () => watch(await context.newPage()),
    close: async () => {
      await context.close().catch(() => {});
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * `playwright-core`, imported so that it loads under the test task's
 * permissions: on load it asks `fs.existsSync` whether it runs in WSL, and
 * Deno answers that question about `/proc/sys/fs/binfmt_misc` with a
 * NotCapable error unless run with `--allow-all`. For the length of the
 * import, a path Deno will not let us see does not exist.
 */
async function importPlaywright(): Promise<typeof import("playwright-core")> {
  const existsSync = fs.existsSync;
  fs.existsSync = (path) => {
    try {
      return existsSync(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable) return false;
      throw e;
    }
  };
  try {
    return await import("playwright-core");
  } finally {
    fs.existsSync = existsSync;
  }
}

/**
 * Waits until the web app's status element `testId` says `ok` (its
 * `data-state`), and returns its text; fails at once with the text when it
 * says `error`.
 */
export async function statusOk(page: Page, testId: string, ms = 30_000): Promise<string> {
  const status = page.getByTestId(testId);
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const state = await status.getAttribute("data-state");
    const text = (await status.textContent()) ?? "";
    if (state === "error") throw new Error(`${testId}: ${text}`);
    if (state === "ok") return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${testId} to be ok: ${await status.textContent()}`);
}

/**
 * Opens the web app a node serves at `origin` (at `#hash`) and waits until
 * it has connected to the node.
 *
 * @throws {Error} saying how to build or serve the app when the node does not serve it
 */
export async function openApp(page: Page, origin: string, hash = ""): Promise<void> {
  const response = await fetch(`${origin}/`);
  const html = await response.text();
  if (response.status !== 200 || !html.includes("/assets/app.js")) {
    throw new Error(
      `GET ${origin}/ answered ${response.status}, not the web app: build it with ` +
        "`deno task build:web`; node/service.ts must call serveWebApp",
    );
  }
  await page.goto(`${origin}/${hash}`);
  await page.locator("body[data-ready=true]").waitFor({ timeout: 30_000 });
}

/** Imports the account of secret `uri` in `scheme` on the Account page, which selects it. */
export async function importAccount(page: Page, uri: string, scheme: KeyScheme): Promise<void> {
  await page.getByTestId("nav-account").click();
  await page.getByTestId("import-uri").fill(uri);
  await page.getByTestId("import-scheme").selectOption(scheme);
  await page.getByTestId("import-button").click();
  await statusOk(page, "import-status");
}

/**
 * A browser of its own (its own profile, so its own wallet) on the web app
 * at `origin`, with the account of `uri` in `scheme` imported; pushed onto
 * `browsers` for the caller to close.
 */
export async function walletAt(
  origin: string,
  uri: string,
  scheme: KeyScheme,
  browsers: BrowserSession[],
): Promise<Page> {
  const browser = await launchBrowser();
  browsers.push(browser);
  await openApp(browser.page, origin);
  await importAccount(browser.page, uri, scheme);
  return browser.page;
}

/**
 * On `page`: signs the transaction its signing dialog shows, once the fee
 * is quoted (the Sign button is off until then).
 */
export async function confirmSigning(page: Page): Promise<void> {
  const sign = page.getByTestId("sign-confirm");
  await sign.waitFor({ timeout: 30_000 });
  await until(async () => await sign.isEnabled(), "the signing dialog's fee");
  await sign.click();
}

/** Polls `check` until it is true, or fails after `ms` saying it waited for `what`. */
async function until(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/**
 * On `page` (an account imported): creates a stream `title` at `price`
 * tokens a second in the studio, returning its id; the studio picks it.
 */
export async function createStream(page: Page, title: string, price: string): Promise<string> {
  await page.getByTestId("nav-studio").click();
  await page.getByTestId("studio-title").fill(title);
  await page.getByTestId("studio-price").fill(price);
  await page.getByTestId("studio-create").click();
  await confirmSigning(page);
  await statusOk(page, "studio-create-status");
  const id = await page.getByTestId("studio-create-status").getAttribute("data-stream-id");
  if (id === null) throw new Error("The stream form named no stream id");
  await until(
    async () => (await page.getByTestId("studio-stream").inputValue()) === id,
    `the studio to pick stream #${id}`,
  );
  return id;
}

/**
 * On `page` (an account imported): creates a stream `title` at `price`
 * tokens a second, takes it live on chain and publishes the fake camera by
 * WHIP from the studio; returns the stream id.
 */
export async function goLiveWithCamera(page: Page, title: string, price: string): Promise<string> {
  const id = await createStream(page, title, price);
  await page.getByTestId("live-start").click();
  await confirmSigning(page);
  // The status is ok once on chain ("live on chain"), then again once published ("Live: …").
  const status = page.getByTestId("live-status");
  await until(
    async () => {
      const text = await status.textContent() ?? "";
      if (await status.getAttribute("data-state") === "error") {
        throw new Error(
          `live-status: ${text}`,
        );
      }
      return text.startsWith("Live:");
    },
    "the studio to publish",
    60_000,
  );
  return id;
}

/**
 * On `page`: the watch view of stream `id` at `origin`, where "Pay and
 * watch" opens a channel paying `minutes` of watching (signed in the
 * dialog) and plays; a viewer with a channel already just presses Watch.
 * Returns the watch status once playing (`Watching stream #7`).
 */
export async function payAndWatch(
  page: Page,
  origin: string,
  id: string,
  minutes = "10",
): Promise<string> {
  await page.goto(`${origin}/#/watch/${id}`);
  const start = page.getByTestId("watch-start");
  // The price is shown once the stream and the viewer's channel are read: the button then
  // says whether it opens one.
  await page.getByTestId("watch-price-minute").filter({ hasText: /\d/ }).waitFor();
  if ((await start.textContent()) === "Pay and watch") {
    await page.getByTestId("watch-minutes").fill(minutes);
    await start.click();
    await confirmSigning(page);
  } else await start.click();
  return await statusOk(page, "watch-status", 60_000);
}

/**
 * Two browsers on the web app at `origin`: Alice (the dev validator's
 * ed25519 account) creates a stream at 0.001 a second and publishes her
 * fake camera; Bob (an sr25519 account, as polkadot.js Apps makes) pays
 * for 10 minutes of it (0.6 token) and watches. Both are pushed onto
 * `browsers`.
 */
export async function aliceLiveBobWatching(
  origin: string,
  browsers: BrowserSession[],
): Promise<{ alice: Page; bob: Page; id: string }> {
  const alice = await walletAt(origin, "//Alice", "ed25519", browsers);
  const bob = await walletAt(origin, "//Bob", "sr25519", browsers);
  const id = await goLiveWithCamera(alice, "Camera", "0.001");
  await payAndWatch(bob, origin, id);
  return { alice, bob, id };
}
