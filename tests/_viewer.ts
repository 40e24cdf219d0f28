/**
 * Helpers for the viewer's browser tests: a creator publishing the fake
 * camera straight to a node's WHIP endpoint from a page of its own (no
 * studio in between: the viewer's pages are under test), what a person
 * sees on a page (visible text, boxes inside the viewport, no sideways
 * scroll), a channel opened over RPC, and screenshots kept as test
 * artifacts.
 *
 * @module
 */
import { ok } from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { NodeConnection } from "../node/client/commands.ts";
import type { KeyScheme } from "../runtime/crypto/mod.ts";
import { signerFromUri } from "../runtime/crypto/signer.ts";
import { type BrowserSession, launchBrowser } from "./_browser.ts";
import type { NodeProcess } from "./_node.ts";

/** Where screenshots go: git-ignored, kept after the run for a person to look at. */
export const ARTIFACTS = new URL("../test-artifacts/viewer/", import.meta.url);
/** Where they go when the test may not write into the repository. */
const FALLBACK_ARTIFACTS = "/tmp/sutantra-test-artifacts/viewer/";

/** The two screens every viewer path is walked at. */
export const SCREENS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** A fake camera publishing to one stream, from a browser of its own. */
export interface CameraPublisher {
  /** Stops publishing (closes the connection and ends the WHIP session). */
  stop(): Promise<void>;
}

/**
 * Publishes the fake camera and microphone of a new browser to
 * `origin`'s WHIP endpoint for `stream` with the bearer `token`; the
 * browser is pushed onto `browsers` for the caller to close.
 */
export async function publishCamera(
  origin: string,
  stream: bigint | string,
  token: string,
  browsers: BrowserSession[],
): Promise<CameraPublisher> {
  const browser = await launchBrowser();
  browsers.push(browser);
  const page = browser.page;
  // A page of the node's origin: a secure context (127.0.0.1), so the camera may be opened.
  await page.goto(`${origin}/relay/load`);
  const whip = `${origin}/whip/${stream}`;
  // Page code as a string: the DOM's types are not this program's (they clash with Deno's).
  await page.evaluate(`(async () => {
    const [whip, token] = ${JSON.stringify([whip, token])};
    const media = await navigator.mediaDevices.getUserMedia({
      video: { width: 640, height: 360 },
      audio: true,
    });
    const pc = new RTCPeerConnection();
    for (const track of media.getTracks()) pc.addTransceiver(track, { direction: "sendonly" });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      const done = () => pc.iceGatheringState === "complete" && resolve();
      pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, 3_000);
      done();
    });
    const response = await fetch(whip, {
      method: "POST",
      headers: { "content-type": "application/sdp", authorization: "Bearer " + token },
      body: pc.localDescription.sdp,
    });
    const answer = await response.text();
    if (response.status !== 201) throw new Error("WHIP answered " + response.status + ": " + answer);
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    const location = new URL(response.headers.get("location"), whip).href;
    globalThis.publisher = { pc, media, location, token };
  })()`);
  return {
    stop: () =>
      page.evaluate(`(async () => {
        const { pc, media, location, token } = globalThis.publisher;
        for (const track of media.getTracks()) track.stop();
        pc.close();
        await fetch(location, { method: "DELETE", headers: { authorization: "Bearer " + token } });
      })()`),
  };
}

/**
 * Opens a payment channel of `uri`'s account (of `scheme`) to `stream`
 * with `deposit` planck, over `node`'s RPC rather than a page (for a test
 * that reads the chain between opening and watching); returns its id once
 * it is in a block.
 */
export async function openChannelOnChain(
  node: NodeProcess,
  uri: string,
  scheme: KeyScheme,
  stream: bigint,
  deposit: bigint,
): Promise<bigint> {
  const conn = await NodeConnection.open(`ws://127.0.0.1:${node.rpcPort}`);
  try {
    const best = await node.rpc<{ number: string }>("chain_getHeader", []);
    const opened = await conn.submit(
      "Access",
      "openChannel",
      {
        stream: stream.toString(),
        deposit: deposit.toString(),
        expiry: parseInt(best.number, 16) + 14_400,
      },
      signerFromUri(uri, scheme),
      "in-block",
    );
    const event = opened.events.find((e) => e.name === "ChannelOpened");
    if (!event) throw new Error(`openChannel failed: ${JSON.stringify(opened.error)}`);
    return BigInt(event.fields.channel as string | number);
  } finally {
    conn.close();
  }
}

/** The text a person sees on `page` (hidden and folded-away text left out). */
export function visibleText(page: Page): Promise<string> {
  // A string, as page code: the DOM's types are not this program's (they clash with Deno's streams).
  return page.evaluate<string>("document.body.innerText");
}

/**
 * Fails unless the page shows no error: no error banner, no status in its
 * error state, and none of the relay's protocol words or raw planck.
 */
export async function assertNoErrorShown(page: Page, when: string): Promise<void> {
  const text = await visibleText(page);
  ok(!/refused|receipt|voucher|cumulative|planck|\d{9,}/i.test(text), `${when}: ${text}`);
  const errors = await page.locator(".status.error:visible").allTextContents();
  ok(errors.every((e) => e.trim() === ""), `${when}: errors shown: ${errors.join(" | ")}`);
  ok(await page.getByTestId("error").isHidden(), `${when}: the error banner is shown`);
}

/** Fails unless `locator` lies inside the viewport of `page`, unscrolled (above the fold). */
export async function assertAboveFold(page: Page, locator: Locator, what: string): Promise<void> {
  const viewport = page.viewportSize()!;
  const scrolled = await page.evaluate<[number, number]>("[scrollX, scrollY]");
  const box = await locator.boundingBox();
  ok(box, `${what} is not shown`);
  const top = box.y + scrolled[1];
  const left = box.x + scrolled[0];
  ok(
    top >= 0 && top + box.height <= viewport.height && left >= 0 &&
      left + box.width <= viewport.width,
    `${what} at ${JSON.stringify(box)} (scrolled ${scrolled}) is outside the ` +
      `${viewport.width}×${viewport.height} screen`,
  );
}

/** Fails if `page` scrolls sideways (anything wider than the screen). */
export async function assertNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const { scroll, client } = await page.evaluate<{ scroll: number; client: number }>(
    "({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })",
  );
  ok(scroll <= client, `${what}: the page is ${scroll} px wide on a ${client} px screen`);
}

/**
 * Saves a screenshot of `page` as `<name>.jpg` among the test artifacts
 * (JPEG: a few tens of KB, small enough to commit under docs/); returns its path.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  for (const dir of [ARTIFACTS.pathname, FALLBACK_ARTIFACTS]) {
    try {
      await Deno.mkdir(dir, { recursive: true });
      const path = `${dir}${name}.jpg`;
      await Deno.writeFile(path, await page.screenshot({ type: "jpeg", quality: 80 }));
      return path;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)) {
        throw e;
      }
    }
  }
  throw new Error(`Cannot save the screenshot ${name}: no writable artifacts folder`);
}
