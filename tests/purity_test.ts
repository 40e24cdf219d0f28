/**
 * The runtime is a pure function: nothing in `runtime/` or `pallets/` may
 * read the clock, draw randomness, do I/O or reach into the node host. This
 * reads every source file's imports and code and fails on a forbidden one.
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
