import assert from "node:assert/strict";
import { fromHex } from "../../runtime/primitives/hex.ts";
import { runKeyTool } from "./cli.ts";
import vectors from "../../runtime/crypto/testdata/substrate_keys.json" with { type: "json" };

const entropy = fromHex(vectors.derivation.entropyHex);
const components = { randomBytes: (n: number) => entropy.slice(0, n) };
const run = (...args: string[]) => runKeyTool(args, components);
const alice = vectors.ed25519["//Alice"];

Deno.test("generate prints subkey's phrase view of the fresh phrase", () => {
  // The entropy of the dev phrase stands in for randomness here.
  const { code, stdout } = run("generate");
  assert.equal(code, 0);
  assert.equal(
    stdout,
    [
      `Secret phrase:       ${vectors.devPhrase}`,
      "  Network ID:        substrate",
      `  Secret seed:       0x${vectors.derivation.miniSecretHex}`,
      "  Public key (hex):  0x345071da55e5dccefaaa440339415ef9f2663338a38f7da0df21be5ab4e055ef",
      "  Account ID:        0x345071da55e5dccefaaa440339415ef9f2663338a38f7da0df21be5ab4e055ef",
      "  Public key (SS58): 5DFJF7tY4bpbpcKPJcBTQaKuCDEPCpiz8TRjpmLeTtweqmXL",
      "  SS58 Address:      5DFJF7tY4bpbpcKPJcBTQaKuCDEPCpiz8TRjpmLeTtweqmXL",
      "",
    ].join("\n"),
  );
});

Deno.test("generate asks for words × 4 / 3 bytes of randomness", () => {
  const asked: number[] = [];
  for (const words of ["12", "15", "18", "21", "24"]) {
    const result = runKeyTool(["generate", "--words", words], {
      randomBytes: (n) => (asked.push(n), new Uint8Array(n)),
    });
    assert.equal(result.code, 0);
    assert.equal(
      result.stdout.split("\n")[0].split(":")[1].trim().split(" ").length,
      Number(words),
    );
  }
  assert.deepEqual(asked, [16, 20, 24, 28, 32]);
});

Deno.test("inspect --output-type json has subkey's fields in subkey's order", () => {
  const { stdout } = run("inspect", "//Alice", "--output-type", "json", "--network", "0");
  assert.equal(
    stdout,
    JSON.stringify(
      {
        accountId: "0x" + alice.publicKeyHex,
        networkId: "polkadot",
        publicKey: "0x" + alice.publicKeyHex,
        secretKeyUri: "//Alice",
        secretSeed: "0x" + alice.seedHex,
        ss58Address: alice.ss58_0,
        ss58PublicKey: alice.ss58_0,
      },
      null,
      2,
    ) + "\n",
  );
  const generated = JSON.parse(run("generate", "--output-type", "json").stdout);
  assert.deepEqual(Object.keys(generated), [
    "accountId",
    "networkId",
    "publicKey",
    "secretPhrase",
    "secretSeed",
    "ss58Address",
    "ss58PublicKey",
  ]);
  const address = JSON.parse(run("inspect", alice.ss58_0, "--output-type", "json").stdout);
  assert.equal(address.publicKeyUri, alice.ss58_0);
  assert.equal(address.networkId, "polkadot");
});

Deno.test("inspect --public shows the public view of a hex key", () => {
  const { code, stdout } = run("inspect", "--public", "0x" + alice.publicKeyHex, "-n", "0");
  assert.equal(code, 0);
  assert.equal(
    stdout,
    [
      "Network ID/Version: polkadot",
      `  Public key (hex):   0x${alice.publicKeyHex}`,
      `  Account ID:         0x${alice.publicKeyHex}`,
      `  Public key (SS58):  ${alice.ss58_0}`,
      `  SS58 Address:       ${alice.ss58_0}`,
      "",
    ].join("\n"),
  );
  assert.match(run("inspect", "--public", "0x1234").stderr, /Invalid public key: 2 bytes/);
});

Deno.test("inspect reads the URI from a file when the argument names one", () => {
  const result = runKeyTool(["inspect", "/secret.txt"], {
    ...components,
    readFileIfExists: (path) => (path === "/secret.txt" ? "//Bob" : undefined),
  });
  assert.match(result.stdout, new RegExp(vectors.ed25519["//Bob"].ss58_42));
  assert.match(result.stdout, /^Secret Key URI `\/\/Bob` is account:/);
});

Deno.test("mistakes go to stderr with exit code 1 and nothing on stdout", () => {
  for (
    const [args, message] of [
      [["inspect", "//Alice/soft"], /soft junction \/soft is not possible/],
      [["inspect", "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpv"], /bad checksum/],
      [["inspect", "hello world"], /Cannot decode phrase: 2 words/],
      [["generate", "--words", "11"], /must be 12\/15\/18\/21\/24/],
    ] as const
  ) {
    const result = run(...args);
    assert.equal(result.code, 1, args.join(" "));
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^Error: /);
    assert.match(result.stderr, message);
  }
});
