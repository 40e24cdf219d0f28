/**
 * Third-party WHIP and WHEP clients in Chromium, for interop tests: the
 * page of `_interop_page.js`, bundled with esbuild and served from
 * 127.0.0.1 on a port of its own, so that every request a client makes to
 * the node is cross-origin (CORS preflights and exposed headers included),
 * as it is for a player embedded in someone else's site.
 *
 * esbuild, not `deno bundle` as the web app is built: `deno bundle
 * --platform browser` resolves a package's `events` import to `node:events`
 * (for which no browser has a module), where esbuild takes the `events`
 * package the clients depend on.
 *
 * @module
 */
import * as esbuild from "esbuild";
import type { Page } from "playwright-core";

/** A video codec to publish in. */
export type VideoCodec = "VP8" | "H264";

/** What the interop page shows of its newest peer connection and its `<video>`. */
export interface InteropState {
  /** The newest peer connection's `connectionState`, or `none` before any. */
  connection: string;
  /** `getVideoPlaybackQuality().totalVideoFrames` of the `<video>`. */
  frames: number;
  /** Frames presented, as the last `requestVideoFrameCallback` said. */
  presented: number;
  /** The `<video>`'s width once it shows a frame, else 0. */
  width: number;
  /** The MIME type of the video going out (publishing) or coming in (playing). */
  codec?: string;
  /** What the clients reported: player events, failures, rejections. */
  events: string[];
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>interop</title></head>
<body><video autoplay muted playsinline></video>
<script type="module" src="/interop.js"></script></body></html>`;

/** The interop page's bundle. */
async function bundle(): Promise<string> {
  try {
    const built = await esbuild.build({
      entryPoints: [new URL("./_interop_page.js", import.meta.url).pathname],
      absWorkingDir: new URL("../", import.meta.url).pathname,
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    return built.outputFiles[0].text;
  } finally {
    await esbuild.stop();
  }
}

/** A server of the interop page on 127.0.0.1. */
export interface InteropServer {
  /** Where the page is, `http://127.0.0.1:PORT`. */
  origin: string;
  /** Opens the page in `page` and waits for its clients to load. */
  open(page: Page): Promise<void>;
  /** Stops serving. */
  close(): Promise<void>;
}

/** Bundles the interop page and serves it on a free port of 127.0.0.1. */
export async function serveInteropPage(): Promise<InteropServer> {
  const script = await bundle();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/") return new Response(PAGE, { headers: { "content-type": "text/html" } });
    if (path === "/interop.js") {
      return new Response(script, { headers: { "content-type": "text/javascript" } });
    }
    return new Response("not found", { status: 404 });
  });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  return {
    origin,
    async open(page) {
      await page.goto(`${origin}/`);
      await page.waitForFunction("globalThis.interop !== undefined", undefined, {
        timeout: 10_000,
      });
    },
    close: () => server.shutdown(),
  };
}

/** Publishes from `page` with medooze's WHIP client, video in `codec`. */
export function publishWithMedooze(
  page: Page,
  url: string,
  token: string,
  codec: VideoCodec,
): Promise<void> {
  return call(page, "publishWithMedooze", url, token, codec);
}

/** Publishes from `page` with Eyevinn's WHIP client. */
export function publishWithEyevinn(page: Page, url: string, token: string): Promise<void> {
  return call(page, "publishWithEyevinn", url, token);
}

/** Plays on `page` with medooze's WHEP client; rejects with its error when it is refused. */
export function playWithMedooze(page: Page, url: string, token: string): Promise<void> {
  return call(page, "playWithMedooze", url, token);
}

/** Plays on `page` with Eyevinn's WebRTC player (its failures show in the state's events). */
export function playWithEyevinn(page: Page, url: string, token: string): Promise<void> {
  return call(page, "playWithEyevinn", url, token);
}

/** Stops the client on `page` through its own API. */
export function stopClient(page: Page): Promise<void> {
  return call(page, "stop");
}

/** The state of `page`'s newest peer connection and its `<video>`. */
export function interopState(page: Page): Promise<InteropState> {
  return call(page, "state");
}

/** Calls `interop[method](...args)` in the page (page code runs in Chromium, not Deno). */
function call<T>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  const list = args.map((a) => JSON.stringify(a)).join(", ");
  return page.evaluate(`globalThis.interop.${method}(${list})`) as Promise<T>;
}
