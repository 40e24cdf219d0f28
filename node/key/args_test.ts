import assert from "node:assert/strict";
import { parseKeyArgs } from "./args.ts";

Deno.test("parseKeyArgs reads generate with its defaults and options", () => {
  assert.deepEqual(parseKeyArgs(["generate"]), {
    kind: "generate",
    words: 12,
    network: undefined,
    outputType: "text",
  });
  assert.deepEqual(
    parseKeyArgs(["generate", "--words", "24", "--network", "polkadot", "--output-type", "json"]),
    { kind: "generate", words: 24, network: 0, outputType: "json" },
  );
  assert.equal(parseKeyArgs(["generate", "-n", "7"]).kind, "generate");
});

Deno.test("parseKeyArgs reads inspect with a URI, --public and --network", () => {
  assert.deepEqual(parseKeyArgs(["inspect", "//Alice"]), {
    kind: "inspect",
    uri: "//Alice",
    network: undefined,
    public: false,
    outputType: "text",
  });
  assert.deepEqual(parseKeyArgs(["inspect", "--public", "0x00", "--network", "substrate"]), {
    kind: "inspect",
    uri: "0x00",
    network: 42,
    public: true,
    outputType: "text",
  });
  assert.deepEqual(parseKeyArgs(["--help"]), { kind: "help" });
  assert.equal(parseKeyArgs(["inspect", "//Alice", "--scheme", "ed25519"]).kind, "inspect");
});

Deno.test("parseKeyArgs explains each mistake", () => {
  const cases: [string[], RegExp][] = [
    [[], /Missing command/],
    [["sign"], /Unknown command "sign"/],
    [["generate", "--words", "13"], /must be 12\/15\/18\/21\/24/],
    [["generate", "--network", "mars"], /Invalid network: "mars"/],
    [["generate", "--network", "16384"], /Invalid network/],
    [["generate", "--output-type", "yaml"], /Invalid output type "yaml"/],
    [["inspect"], /Missing URI/],
    [["inspect", "bottom", "drive"], /Expected one URI, got 2/],
    [["inspect", "//Alice", "--scheme", "sr25519"], /Unsupported scheme "sr25519"/],
    [["inspect", "//Alice", "--frobnicate"], /frobnicate/],
    [["generate", "--public"], /--public is an option of inspect/],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => parseKeyArgs(args),
      (e: unknown) => e instanceof TypeError && message.test(e.message),
      args.join(" "),
    );
  }
});
