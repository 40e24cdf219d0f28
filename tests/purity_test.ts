/**
 * The runtime is a pure function: nothing in `runtime/` or `pallets/` may
 * read the clock, draw randomness, do I/O or reach into the node host. This
 * reads every source file's imports and code and fails on a forbidden one.
 * The client library (`client/`, the light client among it) runs in
 * browsers too: nothing it reaches may be Deno-only, a `node:` module or
 * node host code.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** `node:` modules a file may import: native signature verification only (not I/O). */
const NODE_IMPORTS_ALLOWED: Record<string, string[]> = {
  "runtime/crypto/verify_native.ts": ["node:crypto", "node:buffer"],
};

const FORBIDDEN_CODE = [
  /\bDeno\./,
  /\bDate\.now\b/,
  /\bnew Date\(/,
  /\bMath\.random\b/,
  /\bperformance\.now\b/,
  /\bfetch\(/,
  /\bcrypto\.getRandomValues\b/,
  /\bsetTimeout\b/,
  /\bsetInterval\b/,
];

/** Tests and their fixtures (`*_test.ts`, `_mock.ts`, `_fixture.ts`) run only under `deno test`. */
function isTestSupport(name: string): boolean {
  return name.endsWith("_test.ts") || /^_(mock|fixture)\b/.test(name);
}

function* sources(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(new URL(dir, ROOT))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && entry.name !== "testdata") yield* sources(path);
    else if (entry.isFile && entry.name.endsWith(".ts") && !isTestSupport(entry.name)) {
      yield path;
    }
  }
}

Deno.test("runtime/ and pallets/ use no clock, randomness, I/O or node host code", () => {
  const files = [...sources("runtime"), ...sources("pallets")];
  assert.ok(files.length > 20, "the walk found the sources");
  for (const path of files) {
    const code = Deno.readTextFileSync(new URL(path, ROOT))
      .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ""); // doc comments may mention anything
    for (const forbidden of FORBIDDEN_CODE) {
      assert.ok(!forbidden.test(code), `${path} uses ${forbidden}`);
    }
    for (const [, specifier] of code.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
      assert.ok(
        !/(^|\/)node\//.test(specifier) || specifier.startsWith("node:"),
        `${path} imports ${specifier}`,
      );
      if (specifier.startsWith("node:")) {
        assert.ok(
          (NODE_IMPORTS_ALLOWED[path] ?? []).includes(specifier),
          `${path} imports ${specifier}`,
        );
      }
    }
  }
});

/**
 * Every module `path` reaches, imported or re-exported, at any depth: its
 * specifier, and its path in the repository when it is one of ours.
 */
async function moduleGraph(path: string): Promise<{ specifier: string; local?: string }[]> {
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(path, ROOT).pathname],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(success, `deno info ${path}`);
  const graph = JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: { specifier: string }[];
  };
  return graph.modules.map(({ specifier }) => ({
    specifier,
    local: specifier.startsWith("file:")
      ? new URL(specifier).pathname.slice(new URL(ROOT).pathname.length)
      : undefined,
  }));
}

Deno.test("client/ runs in a browser: its module graph holds no node host code, Deno-only or node: module", async () => {
  const files = [...sources("client")];
  assert.ok(
    files.some((path) => path.startsWith("client/light/")),
    "the walk found the light client",
  );
  await Promise.all(files.map(async (path) => {
    const code = Deno.readTextFileSync(new URL(path, ROOT)).replace(
      /\/\*[\s\S]*?\*\/|\/\/.*$/gm,
      "",
    );
    assert.ok(!/\bDeno\./.test(code), `${path} uses Deno`);
    for (const { specifier, local } of await moduleGraph(path)) {
      assert.ok(
        local === undefined
          ? specifier.startsWith("npm:")
          : /^(client|runtime|pallets)\//.test(local),
        `${path} reaches ${specifier}: the client library may use client/, the runtime, pallets and npm packages`,
      );
      assert.ok(
        local === undefined || !(local in NODE_IMPORTS_ALLOWED),
        `${path} reaches ${local}, which needs node:`,
      );
    }
  }));
});

/** The harness's one module that composes THE runtime on the dev chain (see its docs). */
const HARNESS_REACHING_UP = "runtime/testing/dev_chain.ts";

Deno.test("the framework's test harness reaches the composition, chain specs and pallets only through dev_chain.ts", async () => {
  const files = [...sources("runtime/testing")].filter((path) =>
    path !== HARNESS_REACHING_UP && path !== "runtime/testing/mod.ts"
  );
  assert.ok(files.includes("runtime/testing/mock_runtime.ts"), "the walk found the harness");
  await Promise.all(files.map(async (path) => {
    for (const { local } of await moduleGraph(path)) {
      assert.ok(
        local === undefined ||
          !(local === "runtime/mod.ts" || /^(pallets|chain-spec|node|client)\//.test(local)),
        `${path} reaches ${local}: a mock runtime must not need THE runtime or a pallet`,
      );
    }
  }));
});
