/**
 * Runs the real `node/key/main.ts` in a subprocess, as `deno task key` does.
 */
import assert from "node:assert/strict";
import vectors from "../../runtime/crypto/testdata/substrate_keys.json" with { type: "json" };

const REPO_ROOT = new URL("../../", import.meta.url);

async function key(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "node/key/main.ts", ...args],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

Deno.test("key inspect //Alice prints Substrate's ed25519 //Alice", async () => {
  const alice = vectors.ed25519["//Alice"];
  const { code, stdout, stderr } = await key("inspect", "//Alice");
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.deepEqual(stdout.split("\n"), [
    "Secret Key URI `//Alice` is account:",
    "  Network ID:        substrate",
    `  Secret seed:       0x${alice.seedHex}`,
    `  Public key (hex):  0x${alice.publicKeyHex}`,
    `  Account ID:        0x${alice.publicKeyHex}`,
    `  Public key (SS58): ${alice.ss58_42}`,
    `  SS58 Address:      ${alice.ss58_42}`,
    "",
  ]);
});

Deno.test("key inspect //Bob --network 42 and //Charlie give their vectors", async () => {
  const bob = vectors.ed25519["//Bob"];
  const { stdout } = await key("inspect", "//Bob", "--network", "42");
  assert.match(stdout, new RegExp(`^  Secret seed:       0x${bob.seedHex}$`, "m"));
  assert.match(stdout, new RegExp(`^  SS58 Address:      ${bob.ss58_42}$`, "m"));
  const charlie = await key("inspect", "//Charlie");
  assert.match(
    charlie.stdout,
    new RegExp(`^  SS58 Address:      ${vectors.ed25519["//Charlie"].ss58_42}$`, "m"),
  );
});

Deno.test("key inspect ADDRESS prints the public view on the address's own network", async () => {
  const alice = vectors.ed25519["//Alice"];
  const { code, stdout } = await key("inspect", alice.ss58_0);
  assert.equal(code, 0);
  assert.deepEqual(stdout.split("\n"), [
    `Public Key URI \`${alice.ss58_0}\` is account:`,
    "  Network ID/Version: polkadot",
    `  Public key (hex):   0x${alice.publicKeyHex}`,
    `  Account ID:         0x${alice.publicKeyHex}`,
    `  Public key (SS58):  ${alice.ss58_0}`,
    `  SS58 Address:       ${alice.ss58_0}`,
    "",
  ]);
});

Deno.test("key generate prints a fresh phrase that key inspect gives back", async () => {
  const generated = await key("generate", "--words", "15", "--output-type", "json");
  assert.equal(generated.code, 0);
  const fresh = JSON.parse(generated.stdout);
  assert.equal(fresh.secretPhrase.split(" ").length, 15);
  const inspected = JSON.parse(
    (await key("inspect", fresh.secretPhrase, "--output-type", "json")).stdout,
  );
  assert.deepEqual(inspected, fresh);
  const again = JSON.parse((await key("generate", "--output-type", "json")).stdout);
  assert.notEqual(again.secretPhrase, fresh.secretPhrase);
});

Deno.test("key reports bad input on stderr with exit code 1", async () => {
  const soft = await key("inspect", "//Alice/stash");
  assert.equal(soft.code, 1);
  assert.equal(soft.stdout, "");
  assert.equal(
    soft.stderr,
    "Error: Invalid phrase/URI given: Cannot derive ed25519 key: soft junction /stash is not possible, use //stash\n",
  );
  const words = await key("generate", "--words", "13");
  assert.equal(words.code, 1);
  assert.match(
    words.stderr,
    /Invalid number of words given for phrase: must be 12\/15\/18\/21\/24/,
  );
});
