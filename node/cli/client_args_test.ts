import { deepStrictEqual as assertEquals, match, ok, throws } from "node:assert/strict";
import { sessionKeyProofPayload } from "../../pallets/staking/mod.ts";
import { keypairFromUri, signerFromUri, verifyNative } from "../../runtime/crypto/mod.ts";
import { fromHex } from "../../runtime/primitives/hex.ts";
import { clientHelp, DEFAULT_WAIT_PUBLISHER_SECONDS, parseClientArgs } from "./client_args.ts";

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
      deposit: { flag: "--deposit", text: "5000", value: "5000", unit: "token" },
      seconds: 10,
      waitPublisher: DEFAULT_WAIT_PUBLISHER_SECONDS,
      rpc: "ws://127.0.0.1:9000",
    },
  );
  const watch = parseClientArgs("stream", [
    ...["watch", "3", "--key", "//Dave", "--deposit", "5000planck", "--wait-publisher", "0"],
  ]);
  if (watch.kind !== "stream-watch") throw new Error(watch.kind);
  assertEquals([watch.deposit?.unit, watch.deposit?.value, watch.waitPublisher], [
    "planck",
    "5000",
    0,
  ]);
});

Deno.test("stream watch defaults: no deposit (one is chosen), no time limit, the local node", () => {
  assertEquals(parseClientArgs("stream", ["watch", "0", "--key", "//Eve"]), {
    kind: "stream-watch",
    stream: 0,
    key: "//Eve",
    scheme: "ed25519",
    deposit: undefined,
    seconds: undefined,
    waitPublisher: 600,
    rpc: "ws://127.0.0.1:9944",
  });
});

Deno.test("stream watch names what is missing or malformed", () => {
  const refuses = (args: string[], message: RegExp) =>
    throws(() => parseClientArgs("stream", ["watch", ...args]), message);
  refuses(["--key", "//Dave"], /Missing stream ID/);
  refuses(["3"], /Missing --key URI/);
  refuses(["x", "--key", "//Dave"], /stream ID: expected a whole number, got x/);
  refuses(
    ["3", "--key", "//Dave", "--deposit", "1.5planck"],
    /--deposit 1\.5planck: planck are whole/,
  );
  refuses(["3", "--key", "//Dave", "--deposit=-1"], /--deposit -1: an amount cannot be negative/);
  refuses(
    ["3", "--key", "//Dave", "--wait-publisher", "soon"],
    /--wait-publisher: expected a whole/,
  );
  refuses(["3", "--key", "//Dave", "--seconds", "0"], /--seconds: expected a positive/);
  refuses(["3", "--key", "//Dave", "--seconds", "-1"], /--seconds/);
  refuses(["3", "--key", "//Dave", "--bogus"], /bogus.*\(deno task node stream watch --help\)/);
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

Deno.test("amount flags parse to amounts that become planck once the chain's decimals are known", () => {
  const transfer = parseClientArgs("tx", [
    ...["transfer", "--from", "//Bob", "--to", "5F", "--amount", "1.5"],
  ]);
  if (transfer.kind !== "tx") throw new Error(transfer.kind);
  assertEquals(transfer.args, { dest: { Id: "5F" } });
  assertEquals(transfer.amounts, {
    value: { flag: "--amount", text: "1.5", value: "1.5", unit: "token" },
  });
  const bond = parseClientArgs("tx", ["bond", "--from", "//Bob", "--amount", "7planck"]);
  assertEquals(bond.kind === "tx" && bond.amounts?.value.unit, "planck");
  const created = parseClientArgs("stream", [
    ...["create", "Show", "--price", "0.6/min", "--from", "//Alice"],
  ]);
  if (created.kind !== "tx") throw new Error(created.kind);
  assertEquals(created.args, { title: "Show", meta: "0x" });
  assertEquals(created.amounts?.pricePerSecond.per, "min");
  assertEquals(parseClientArgs("query", ["balance", "5F", "--planck"]).planck, true);
  assertEquals(parseClientArgs("query", ["balance", "5F"]).planck, undefined);
});

Deno.test("amount flags refuse what is not an amount before anything is sent", () => {
  const transfer = (amount: string) =>
    parseClientArgs("tx", ["transfer", "--from", "//Bob", "--to", "5F", `--amount=${amount}`]);
  throws(() => transfer(""), /Missing --amount AMOUNT/);
  throws(() => transfer("-2"), /--amount -2: an amount cannot be negative/);
  throws(() => transfer("lots"), /--amount lots: expected an amount, e\.g\. 1\.5/);
  throws(() => transfer("1.5planck"), /planck are whole/);
  const create = (price: string) =>
    parseClientArgs("stream", ["create", "S", "--from", "//A", `--price=${price}`]);
  throws(() => create("1"), /--price 1: say per what: 1\/min, 1\/s or 1\/h/);
  throws(() => create("1/week"), /--price 1\/week: expected a price per s, min or h/);
  throws(
    () => parseClientArgs("stream", ["create", "S", "--from", "//A"]),
    /Missing --price PRICE \(e\.g\. 0\.6\/min\)/,
  );
});

Deno.test("--help, -h or no subcommand at all is help: the group's subcommands, or one's usage", () => {
  for (const group of ["tx", "query", "stream"] as const) {
    const listing = clientHelp(group, [])!;
    assertEquals(clientHelp(group, ["--help"]), listing);
    assertEquals(clientHelp(group, ["-h"]), listing);
    assertEquals(clientHelp(group, ["--rpc", "ws://127.0.0.1:1"]), listing, "flags alone");
    ok(listing.startsWith(`Usage: deno task node ${group} SUBCOMMAND`), listing);
  }
  const tx = clientHelp("tx", [])!;
  for (const sub of ["transfer", "bond", "validate", "set-keys", "call"]) {
    match(tx, new RegExp(`^  ${sub} +\\S`, "m"));
  }
  const stream = clientHelp("stream", [])!;
  for (const sub of ["create", "list", "go-live", "end", "remove", "token", "watch"]) {
    match(stream, new RegExp(`^  ${sub} +\\S`, "m"));
  }
  const transfer = clientHelp("tx", ["transfer", "--help"])!;
  match(transfer, /^Usage: deno task node tx transfer --from URI --to ADDRESS --amount AMOUNT/);
  match(transfer, /1500000000000planck\s+is\s+in\s+planck/);
  ok(!/Prices are/.test(transfer), "a transfer has no price");
  match(transfer, /--wait in-block\|finalized/);
  // Help needs none of the command's flags, and ignores bad ones.
  assertEquals(clientHelp("tx", ["transfer", "--amount", "x", "-h"]), transfer);
  match(clientHelp("stream", ["watch", "--help"])!, /offline — waiting for the creator/);
  match(
    clientHelp("stream", ["create", "-h"])!,
    /0\.6\/min,\s+0\.01\/s\s+and\s+36\/h\s+are\s+the\s+same/,
  );
  match(clientHelp("query", ["balance", "--help"])!, /--planck +print amounts in planck/);
  assertEquals(clientHelp("tx", ["transfer", "--from", "//A"]), undefined, "a command, not help");
});

Deno.test("an unknown subcommand names the group's subcommands", () => {
  throws(
    () => parseClientArgs("tx", ["send", "--from", "//A"]),
    /Unknown command: tx send; tx has transfer, bond, validate, set-keys, call \(deno task node tx --help\)/,
  );
  throws(
    () => parseClientArgs("stream", ["start", "0"]),
    /stream has create, list, go-live, end, remove, token, watch/,
  );
  throws(() => clientHelp("query", ["nope", "--help"]), /query has balance, storage/);
});
