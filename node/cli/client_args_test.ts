import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { sessionKeyProofPayload } from "../../pallets/staking/mod.ts";
import { keypairFromUri, signerFromUri, verifyNative } from "../../runtime/crypto/mod.ts";
import { fromHex } from "../../runtime/primitives/hex.ts";
import { parseClientArgs } from "./client_args.ts";

Deno.test("tx set-keys sends the session key with its proof: the key's signature of the stash", () => {
  const command = parseClientArgs("tx", ["set-keys", "--from", "//Bob//stash", "--key", "//Bob"]);
  if (command.kind !== "tx") throw new Error(`expected a tx, got ${command.kind}`);
  assertEquals([command.pallet, command.call, command.from], [
    "Staking",
    "setKeys",
    "//Bob//stash",
  ]);
  const key = keypairFromUri("//Bob").publicKey;
  const { key: hex, proof } = command.args as { key: string; proof: string };
  assertEquals(fromHex(hex), key);
  const payload = sessionKeyProofPayload(keypairFromUri("//Bob//stash").publicKey);
  assertEquals(verifyNative(fromHex(proof), payload, key), true);
  throws(() => parseClientArgs("tx", ["set-keys", "--from", "//Bob//stash"]), /Missing --key URI/);
});

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
      scheme: "ed25519",
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
    scheme: "ed25519",
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

/** What `stream token ID --key URI` parses to, before its role and lifetime. */
function ed25519Token(stream: number, key: string) {
  return {
    kind: "stream-token",
    stream,
    key,
    scheme: "ed25519",
    role: "publish",
    seconds: 86_400,
    rpc: "ws://127.0.0.1:9944",
  };
}

Deno.test("stream go-live and end send the creator's calls; stream token asks for a role and a lifetime", () => {
  const rpc = "ws://127.0.0.1:9944";
  const tx = (call: string) => ({
    kind: "tx",
    pallet: "Streams",
    call,
    args: { id: 4 },
    from: "//Alice",
    scheme: "ed25519",
    rpc,
    wait: "finalized",
  });
  assertEquals(parseClientArgs("stream", ["go-live", "4", "--from", "//Alice"]), tx("goLive"));
  assertEquals(parseClientArgs("stream", ["end", "4", "--from", "//Alice"]), tx("endStream"));
  assertEquals(parseClientArgs("stream", ["remove", "4", "--from", "//Eve"]), {
    ...tx("removeStream"),
    pallet: "Access",
    args: { stream: 4 },
    from: "//Eve",
  });
  assertEquals(parseClientArgs("stream", ["token", "4", "--key", "//Alice"]), {
    kind: "stream-token",
    stream: 4,
    key: "//Alice",
    scheme: "ed25519",
    role: "publish",
    seconds: 86_400,
    rpc,
  });
  assertEquals(
    parseClientArgs("stream", ["token", "4", "--key", "//Alice", "--hours", "2"]),
    { ...ed25519Token(4, "//Alice"), seconds: 7_200 },
  );
  assertEquals(
    parseClientArgs("stream", ["token", "4", "--key", "//Dave", "--role", "watch"]),
    { ...ed25519Token(4, "//Dave"), role: "watch", seconds: 600 },
  );
  // No token may outlive its role's maximum: a watch token is 10 minutes, a publish one a day.
  throws(
    () =>
      parseClientArgs("stream", ["token", "4", "--key", "//D", "--role", "watch", "--hours", "2"]),
    /a watch token lasts 10 minutes/,
  );
  throws(
    () => parseClientArgs("stream", ["token", "4", "--key", "//A", "--hours", "25"]),
    /from 1 to 24/,
  );
  throws(() => parseClientArgs("stream", ["go-live", "--from", "//Alice"]), /Missing stream ID/);
  throws(() => parseClientArgs("stream", ["end", "4"]), /Missing --from URI/);
  throws(
    () => parseClientArgs("stream", ["token", "4", "--key", "//A", "--role", "relay"]),
    /--role/,
  );
  throws(
    () => parseClientArgs("stream", ["token", "4", "--key", "//A", "--hours", "0"]),
    /--hours/,
  );
  throws(() => parseClientArgs("stream", ["token", "4"]), /Missing --key URI/);
});

Deno.test("--scheme names the key scheme of the signer, as subkey spells it", () => {
  const tx = parseClientArgs("tx", [
    "transfer",
    "--from",
    "//Alice",
    "--to",
    "5F",
    "--amount",
    "1",
    "--scheme",
    "Sr25519",
  ]);
  assertEquals(tx.kind === "tx" && tx.scheme, "sr25519");
  const watch = parseClientArgs("stream", ["watch", "3", "--key", "//Dave", "--scheme", "ecdsa"]);
  assertEquals(watch.kind === "stream-watch" && watch.scheme, "ecdsa");
  throws(
    () => parseClientArgs("stream", ["watch", "3", "--key", "//Dave", "--scheme", "rsa"]),
    /--scheme: Unknown key scheme "rsa": expected ed25519, sr25519, ecdsa/,
  );
  // set-keys: the stash may be sr25519, the session key it proves is ed25519.
  const setKeys = parseClientArgs("tx", [
    "set-keys",
    "--from",
    "//Bob//stash",
    "--key",
    "//Bob",
    "--scheme",
    "sr25519",
  ]);
  if (setKeys.kind !== "tx") throw new Error("expected a tx");
  const { key, proof } = setKeys.args as { key: string; proof: string };
  const stash = signerFromUri("//Bob//stash", "sr25519").account;
  assertEquals(verifyNative(fromHex(proof), sessionKeyProofPayload(stash), fromHex(key)), true);
});
