/**
 * Serves the web app (built by `deno task build:web` into `web/dist/`) on
 * the node's HTTP port: `GET /` is the page, `GET /assets/<name>` its
 * script and styles. The RPC claims only POST, OPTIONS and WebSocket
 * upgrades on `/`, so both live on one Hono app, in either order.
 *
 * Files are read per request, so a rebuilt app is served without a restart.
 * Asset names are plain file names (no `/`, no leading dot), which rules out
 * directory traversal however the path is encoded.
 *
 * @module
 */
import type { Context, Env, Hono, Schema } from "hono";

/** Where `deno task build:web` puts the app. */
export const WEB_DIST = new URL("../../web/dist/", import.meta.url);

/** Content types by file extension. */
const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  map: "application/json; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
};

const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.([a-z]+)$/;

const HEADERS = {
  // Names are not content-hashed, so the browser must ask again each time.
  "cache-control": "no-cache",
  "x-content-type-options": "nosniff",
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sutantra: web app not built</title></head>
<body><h1>The web app has not been built</h1>
<p>This node serves its JSON-RPC, but the page is missing. Build it with
<code>deno task build:web</code> (<code>deno task node</code> does so before it starts),
then reload.</p></body></html>`;

/** Options of {@link serveWebApp}. */
export interface ServeWebAppOptions {
  /** The built app's directory; `web/dist/` by default. */
  dir?: URL;
}

/**
 * Adds `GET /` (the page) and `GET /assets/:name` (its files) to `app`.
 * Answers 503 with a page saying how to build the app when it is missing.
 */
export function serveWebApp<E extends Env, S extends Schema, B extends string>(
  app: Hono<E, S, B>,
  options: ServeWebAppOptions = {},
): void {
  const dir = options.dir ?? WEB_DIST;
  app.get("/", async (c, next) => {
    // Whichever was added first, the RPC keeps its WebSocket upgrades on `/`.
    if (c.req.header("upgrade")?.toLowerCase() === "websocket") return await next();
    return await file(c, dir, "index.html");
  });
  app.get("/assets/:name", (c) => {
    const name = c.req.param("name") ?? "";
    return ASSET_NAME.test(name) && name !== "index.html"
      ? file(c, dir, name)
      : c.text("Not found", 404);
  });
}

async function file(c: Context, dir: URL, name: string): Promise<Response> {
  const type = CONTENT_TYPES[name.slice(name.lastIndexOf(".") + 1)];
  if (!type) return c.text("Not found", 404);
  try {
    const body = await Deno.readFile(new URL(name, dir));
    return c.body(body, 200, { ...HEADERS, "content-type": type });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    if (name === "index.html" || !(await exists(new URL("index.html", dir)))) {
      return c.html(NOT_BUILT, 503, { ...HEADERS, "retry-after": "10" });
    }
    return c.text("Not found", 404);
  }
}

async function exists(url: URL): Promise<boolean> {
  try {
    await Deno.stat(url);
    return true;
  } catch {
    return false;
  }
}
