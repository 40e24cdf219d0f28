/**
 * node-datachannel is loaded by child-process entry points only. The addon
 * panics Deno when a second isolate loads it ("Handle in an Isolate that is
 * not its host"), and `deno test` runs each test file in an isolate of its
 * own: a module the node, a test or a benchmark imports that reached the
 * addon would crash the run. This reads the module graph of every source
 * file (`deno info --json`, runtime edges only: an `import type` loads
 * nothing) and fails on any module that reaches the addon but the entry
 * points allowed to.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** Child-process entry points that may load the addon, each alone in its process. */
const ENTRY_POINTS = [
  "node/relay/native/worker.ts",
  "node/relay/native/native_viewer_process.ts",
];

const SOURCE_DIRS = ["runtime", "pallets", "chain-spec", "node", "tests", "bench", "web/src"];

interface GraphModule {
  specifier: string;
  dependencies?: { code?: { specifier: string } }[];
}

function* sources(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(new URL(dir, ROOT))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (entry.isFile && /\.tsx?$/.test(entry.name)) yield path;
  }
}

/** The module graph of every source file, as `deno info --json` reads it. */
async function graph(files: string[]): Promise<GraphModule[]> {
  const root = await Deno.makeTempFile({ dir: "/tmp", prefix: "addon-graph-", suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      root,
      files.map((f) => `import ${JSON.stringify(new URL(f, ROOT).href)};\n`).join(""),
    );
    const { stdout, stderr, success } = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", `--config=${new URL("deno.json", ROOT).pathname}`, root],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(success, `deno info failed: ${new TextDecoder().decode(stderr)}`);
    return JSON.parse(new TextDecoder().decode(stdout)).modules;
  } finally {
    await Deno.remove(root);
  }
}

/** Repository paths of the modules whose runtime imports reach an `npm:node-datachannel` module. */
function reachingAddon(modules: GraphModule[]): Set<string> {
  const importers = new Map<string, string[]>();
  for (const module of modules) {
    for (const dependency of module.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (!target) continue;
      importers.set(target, [...importers.get(target) ?? [], module.specifier]);
    }
  }
  const reached = new Set<string>();
  const queue = [...importers.keys()].filter((s) => /^npm:\/?node-datachannel@/.test(s));
  assert.ok(queue.length > 0, "some module imports node-datachannel (the worker does)");
  while (queue.length) {
    for (const importer of importers.get(queue.pop()!) ?? []) {
      if (reached.has(importer)) continue;
      reached.add(importer);
      queue.push(importer);
    }
  }
  return new Set(
    [...reached].filter((s) => s.startsWith(ROOT.href)).map((s) => s.slice(ROOT.href.length)),
  );
}

Deno.test("only child-process entry points load node-datachannel, directly or through imports", async () => {
  const files = SOURCE_DIRS.flatMap((dir) => [...sources(dir)]);
  assert.ok(files.length > 100, "the walk found the sources");
  const reaching = reachingAddon(await graph(files));
  assert.ok(reaching.has(ENTRY_POINTS[0]), "the media worker is seen to load the addon");
  const forbidden = [...reaching].filter((path) => !ENTRY_POINTS.includes(path));
  assert.deepEqual(forbidden, [], `modules that would load node-datachannel: ${forbidden}`);
});
