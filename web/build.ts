/**
 * Builds the web app: bundles `web/src/main.ts` for the browser with
 * `deno bundle` (npm dependencies included, so nothing is fetched at run
 * time; minified) into `web/dist/app.js`, next to the static `index.html`
 * and CSS.
 * The node serves `web/dist/` (see `node/web/serve.ts`).
 *
 * Run with `deno task build:web`.
 *
 * @module
 */

const WEB = new URL("./", import.meta.url);

/** Where the built app goes. */
export const DIST = new URL("dist/", WEB);

/**
 * Bundles and copies the app into `outDir`.
 *
 * @throws {Error} when bundling fails, or the bundle imports a `node:` module
 *   (something pulled `node:crypto` in: import `runtime/crypto/keypair.ts`,
 *   `ss58.ts`… directly, never `runtime/crypto/mod.ts`)
 */
export async function buildWebApp(outDir: URL = DIST): Promise<void> {
  await Deno.mkdir(outDir, { recursive: true });
  const bundle = new URL("app.js", outDir);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--platform",
      "browser",
      // The light client brings libp2p (noise, yamux, WebSockets): minified, the
      // bundle is 0.85 MB rather than 1.5 MB. Names kept: errors are told apart by name.
      "--minify",
      "--keep-names",
      "--quiet",
      "-o",
      bundle.pathname,
      new URL("src/main.ts", WEB).pathname,
    ],
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`Cannot bundle the web app:\n${new TextDecoder().decode(stderr)}`);
  }
  const nodeImports = (await Deno.readTextFile(bundle)).match(/from\s*["']node:[^"']+["']/g);
  if (nodeImports) {
    throw new Error(`The web bundle imports Node modules: ${[...new Set(nodeImports)].join(", ")}`);
  }
  for await (const entry of Deno.readDir(new URL("static/", WEB))) {
    if (entry.isFile) {
      await Deno.copyFile(new URL(`static/${entry.name}`, WEB), new URL(entry.name, outDir));
    }
  }
}

if (import.meta.main) {
  await buildWebApp();
  console.log(`Built the web app into ${DIST.pathname}`);
}
