import assert from "node:assert/strict";
import { Hono } from "hono";
import { serveWebApp } from "./serve.ts";

async function appWith(files: Record<string, string>): Promise<{ app: Hono; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-web-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  const app = new Hono();
  serveWebApp(app, { dir: new URL(`file://${dir}/`) });
  return { app, dir };
}

const get = (app: Hono, path: string) => app.fetch(new Request(`http://node${path}`));

Deno.test("serveWebApp() serves the page and its assets with their content types", async () => {
  const { app, dir } = await appWith({
    "index.html": "<!doctype html>",
    "app.js": "export {}",
    "style.css": "body{}",
  });
  try {
    for (
      const [path, type, body] of [
        ["/", "text/html; charset=utf-8", "<!doctype html>"],
        ["/assets/app.js", "text/javascript; charset=utf-8", "export {}"],
        ["/assets/style.css", "text/css; charset=utf-8", "body{}"],
      ]
    ) {
      const response = await get(app, path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get("content-type"), type, path);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.equal(await response.text(), body, path);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serveWebApp() answers 404 to unknown names and to any way out of the directory", async () => {
  const { app, dir } = await appWith({ "index.html": "x", "app.js": "y" });
  await Deno.writeTextFile(`${dir}/../sutantra-web-secret.txt`, "secret").catch(() => {});
  try {
    for (
      const path of [
        "/assets/missing.js",
        "/assets/..%2Fsutantra-web-secret.txt",
        "/assets/%2e%2e%2fsutantra-web-secret.txt",
        "/assets/../sutantra-web-secret.txt",
        "/assets/.hidden.js",
        "/assets/app.exe",
        "/assets/index.html",
      ]
    ) {
      const response = await get(app, path);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(await response.text(), /secret/, path);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(`${dir}/../sutantra-web-secret.txt`).catch(() => {});
  }
});

Deno.test("serveWebApp() says how to build the app when it was not built", async () => {
  const { app, dir } = await appWith({});
  try {
    for (const path of ["/", "/assets/app.js"]) {
      const response = await get(app, path);
      assert.equal(response.status, 503, path);
      assert.match(response.headers.get("content-type")!, /^text\/html/);
      assert.match(await response.text(), /deno task build:web/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serveWebApp() leaves WebSocket upgrades on / to a route added after it", async () => {
  const { app, dir } = await appWith({ "index.html": "page" });
  app.get("/", (c) => c.text("rpc upgrade", 200));
  try {
    const upgrade = await app.fetch(
      new Request("http://node/", { headers: { upgrade: "websocket", connection: "Upgrade" } }),
    );
    assert.equal(await upgrade.text(), "rpc upgrade");
    assert.equal(await (await get(app, "/")).text(), "page");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
