import assert from "node:assert/strict";

const SCRIPT = new URL("./_determinism_chain.ts", import.meta.url).pathname;

async function run(seed: number, blocks: number): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", SCRIPT, String(seed), String(blocks)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

Deno.test("1,000 seeded random blocks give identical state roots in two separate processes", async () => {
  const [first, second] = await Promise.all([run(42, 1000), run(42, 1000)]);
  assert.equal(first.length, 1000);
  assert.deepEqual(first, second);
  assert.equal(
    new Set(first.map((l) => l.split(" ")[1])).size,
    1000,
    "every block changed the state",
  );
  const other = await run(43, 20);
  assert.notDeepEqual(other, first.slice(0, 20), "another seed gives another chain");
});
