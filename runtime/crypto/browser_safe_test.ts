import assert from "node:assert/strict";

const DIR = new URL("./", import.meta.url);

/** What the browser (web app, light client) imports from here: none may pull in node:crypto. */
const PORTABLE = [
  "verify_portable.ts",
  "multi_signature.ts",
  "multi_signature_codec.ts",
  "signer.ts",
];

for (const file of PORTABLE) {
  Deno.test(`${file} does not pull in node:crypto`, async () => {
    const graph = new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", new URL(file, DIR).pathname],
      stdout: "piped",
      stderr: "null",
    });
    const { stdout } = await graph.output();
    const info = JSON.parse(new TextDecoder().decode(stdout));
    const specifiers: string[] = info.modules.map((m: { specifier: string }) => m.specifier);
    assert.ok(specifiers.some((s) => s.endsWith(file)));
    assert.ok(
      !specifiers.some((s) => s.startsWith("node:")),
      specifiers.filter((s) => s.startsWith("node:")).join(),
    );
  });
}
