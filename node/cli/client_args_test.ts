import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { parseClientArgs } from "./client_args.ts";

Deno.test("stream watch takes the stream id, the viewer's key, a deposit and a duration", () => {
  assertEquals(
    parseClientArgs("stream", [
      "watch",
      "3",
      "--key",
      "//Dave",
      "--deposit",
      "5000",
      "--seconds",
      "10",
      "--rpc",
      "ws://127.0.0.1:9000",
    ]),
    {
      kind: "stream-watch",
      stream: 3,
      key: "//Dave",
      deposit: "5000",
      seconds: 10,
      rpc: "ws://127.0.0.1:9000",
    },
  );
});

Deno.test("stream watch defaults: no deposit (one is chosen), no time limit, the local node", () => {
  assertEquals(parseClientArgs("stream", ["watch", "0", "--key", "//Eve"]), {
    kind: "stream-watch",
    stream: 0,
    key: "//Eve",
    deposit: undefined,
    seconds: undefined,
    rpc: "ws://127.0.0.1:9944",
  });
});

Deno.test("stream watch names what is missing or malformed", () => {
  const refuses = (args: string[], message: RegExp) =>
    throws(() => parseClientArgs("stream", ["watch", ...args]), message);
  refuses(["--key", "//Dave"], /Missing stream ID/);
  refuses(["3"], /Missing --key URI/);
  refuses(["x", "--key", "//Dave"], /stream ID: expected a whole number, got x/);
  refuses(["3", "--key", "//Dave", "--deposit", "1.5"], /--deposit: expected a whole number/);
  refuses(["3", "--key", "//Dave", "--seconds", "0"], /--seconds: expected a positive/);
  refuses(["3", "--key", "//Dave", "--seconds", "-1"], /--seconds/);
  refuses(["3", "--key", "//Dave", "--bogus"], /bogus/);
});
