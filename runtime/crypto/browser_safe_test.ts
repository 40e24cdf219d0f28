import assert from "node:assert/strict";

const DIR = new URL("./", import.meta.url);
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
