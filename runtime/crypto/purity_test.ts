import assert from "node:assert/strict";

const DIR = new URL("./", import.meta.url);
/** `node:` modules a file may import; everything else in this folder imports none. */
const NODE_IMPORTS_ALLOWED: Record<string, string[]> = {
  "verify_native.ts": ["node:crypto", "node:buffer"],
};

Deno.test("runtime/crypto is pure: no Deno, clock, randomness or I/O, node:crypto only to verify", () => {
  const files = [...Deno.readDirSync(DIR)]
    .filter((e) => e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts"))
    .map((e) => e.name);
  assert.ok(files.includes("verify_native.ts") && files.includes("mod.ts"));
  for (const name of files) {
    const source = Deno.readTextFileSync(new URL(name, DIR));
    const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ""); // doc examples may say anything
    for (const forbidden of [/\bDeno\./, /\bDate\.now\b/, /\bMath\.random\b/, /\bfetch\(/]) {
      assert.ok(!forbidden.test(code), `${name} uses ${forbidden}`);
    }
    const imports = [...code.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]);
    for (const specifier of imports) {
      assert.ok(!specifier.includes("/node/"), `${name} imports ${specifier} from the host`);
      if (specifier.startsWith("node:")) {
        assert.ok(
          (NODE_IMPORTS_ALLOWED[name] ?? []).includes(specifier),
          `${name} imports ${specifier}`,
        );
      }
    }
  }
});

Deno.test("the portable verifier does not pull in node:crypto", async () => {
  const graph = new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("verify_portable.ts", DIR).pathname],
    stdout: "piped",
    stderr: "null",
  });
  const { stdout } = await graph.output();
  const info = JSON.parse(new TextDecoder().decode(stdout));
  const specifiers: string[] = info.modules.map((m: { specifier: string }) => m.specifier);
  assert.ok(specifiers.some((s) => s.endsWith("verify_portable.ts")));
  assert.ok(
    !specifiers.some((s) => s.startsWith("node:")),
    specifiers.filter((s) => s.startsWith("node:")).join(),
  );
});
