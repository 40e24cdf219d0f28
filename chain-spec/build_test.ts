import assert from "node:assert/strict";
import { buildSpec, loadChainSpec, specToJson } from "./build.ts";
import { devSpec, localSpec } from "./presets.ts";
import { ChainSpecError } from "./spec.ts";

/** Writes `text` to a fresh file under /tmp and returns its path. */
function tempFile(text: string): string {
  const path = Deno.makeTempFileSync({ dir: "/tmp", prefix: "chain-spec-", suffix: ".json" });
  Deno.writeTextFileSync(path, text);
  return path;
}

Deno.test("loadChainSpec() knows dev and local by name", () => {
  assert.deepEqual(loadChainSpec("dev"), devSpec());
  assert.deepEqual(loadChainSpec("local"), localSpec());
});

Deno.test("loadChainSpec() reads and validates a spec file, raw or not", () => {
  const path = tempFile(specToJson(localSpec()));
  const rawPath = tempFile(specToJson(buildSpec("dev", { raw: true })));
  try {
    assert.deepEqual(loadChainSpec(path), localSpec());
    assert.deepEqual(buildSpec(rawPath, { raw: true }), buildSpec("dev", { raw: true }));
  } finally {
    Deno.removeSync(path);
    Deno.removeSync(rawPath);
  }
});

Deno.test("loadChainSpec() names a missing file, bad JSON and a bad field", () => {
  assert.throws(() => loadChainSpec("/tmp/no-such-chain-spec.json"), (e) => {
    assert.ok(e instanceof ChainSpecError);
    assert.match(e.message, /cannot read \/tmp\/no-such-chain-spec\.json/);
    return true;
  });
  const bad = tempFile("{ not json");
  const wrong = tempFile(JSON.stringify({ ...devSpec(), chainType: "Test" }));
  try {
    assert.throws(() => loadChainSpec(bad), /is not JSON/);
    assert.throws(() => loadChainSpec(wrong), /Invalid chain spec: chainType: /);
  } finally {
    Deno.removeSync(bad);
    Deno.removeSync(wrong);
  }
});

Deno.test({
  name: "build.ts prints a preset as dev.json holds it",
  // Spawns deno: runs under `deno task test`, skipped without --allow-run.
  ignore: Deno.permissions.querySync({ name: "run" }).state !== "granted",
}, async () => {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", new URL("./build.ts", import.meta.url).pathname, "dev"],
  }).output();
  assert.equal(code, 0);
  assert.equal(new TextDecoder().decode(stdout), specToJson(devSpec()));
});
