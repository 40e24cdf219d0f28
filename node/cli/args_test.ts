import { deepStrictEqual as assertEquals, match, throws } from "node:assert/strict";
import { parseNodeArgs } from "./args.ts";

Deno.test("--alice means a validator with //Alice on a temporary base path", () => {
  const command = parseNodeArgs(["--chain", "dev", "--alice"]);
  if (command.kind !== "run") throw new Error(command.kind);
  assertEquals(command.options.validator, true);
  assertEquals(command.options.key, "//Alice");
  assertEquals(command.options.tmp, true);
  assertEquals(command.options.rpcPort, 9944);
  assertEquals(command.options.seal, "slots");
});

Deno.test("flags take Substrate's names and defaults", () => {
  const command = parseNodeArgs([
    "--base-path",
    "/tmp/x",
    "--validator",
    "--key",
    "//Bob",
    "--port",
    "0",
    "--rpc-port",
    "9000",
    "--bootnodes",
    "/ip4/127.0.0.1/tcp/1/p2p/a",
    "--bootnodes",
    "/ip4/127.0.0.1/tcp/2/p2p/b",
    "--rpc-cors",
    "all",
    "--seal",
    "manual",
  ]);
  if (command.kind !== "run") throw new Error(command.kind);
  assertEquals(command.options.basePath, "/tmp/x");
  assertEquals(command.options.tmp, false);
  assertEquals(command.options.port, 0);
  assertEquals(command.options.bootnodes.length, 2);
  assertEquals(command.options.rpcCors, "all");
  assertEquals(command.options.seal, "manual");
});

Deno.test("--reserved-nodes may repeat and must name the peer; --reserved-only is off by default", () => {
  const reserved = ["/ip4/127.0.0.1/tcp/1/p2p/12D3KooWA", "/ip4/127.0.0.1/tcp/2/p2p/12D3KooWB"];
  const command = parseNodeArgs([
    ...reserved.flatMap((a) => ["--reserved-nodes", a]),
    "--reserved-only",
  ]);
  if (command.kind !== "run") throw new Error(command.kind);
  assertEquals(command.options.reservedNodes, reserved);
  assertEquals(command.options.reservedOnly, true);
  const plain = parseNodeArgs([]);
  if (plain.kind !== "run") throw new Error(plain.kind);
  assertEquals([plain.options.reservedNodes, plain.options.reservedOnly], [[], false]);
  assertEquals([plain.options.inPeers, plain.options.outPeers], [32, 8], "Substrate's defaults");
  throws(
    () => parseNodeArgs(["--reserved-nodes", "/ip4/127.0.0.1/tcp/1"]),
    /--reserved-nodes: expected ADDR\/p2p\/PEER_ID, got \/ip4\/127.0.0.1\/tcp\/1/,
  );
});

Deno.test("--node-key gives the p2p identity; without it the base path keeps one", () => {
  const key = "0000000000000000000000000000000000000000000000000000000000000001";
  const command = parseNodeArgs(["--node-key", key]);
  if (command.kind !== "run") throw new Error(command.kind);
  assertEquals(command.options.nodeKey, key);
  const plain = parseNodeArgs([]);
  if (plain.kind !== "run") throw new Error(plain.kind);
  assertEquals(plain.options.nodeKey, undefined);
});

Deno.test("bad flags are named in the error", () => {
  throws(() => parseNodeArgs(["--port", "70000"]), /--port: expected a port number/);
  throws(() => parseNodeArgs(["--seal", "fast"]), /--seal: expected slots, instant or manual/);
  throws(() => parseNodeArgs(["--in-peers", "1.5"]), /--in-peers: expected a whole number/);
  throws(() => parseNodeArgs(["--out-peers", "many"]), /--out-peers: expected a whole number/);
  throws(() => parseNodeArgs(["--validator"]), /--validator needs --key/);
  throws(() => parseNodeArgs(["--alice", "--bob"]), /Choose one dev key/);
  throws(() => parseNodeArgs(["--nope"]), /nope/);
  throws(() => parseNodeArgs(["frobnicate"]), /Unknown subcommand: frobnicate/);
});

Deno.test("subcommands: key, build-spec, purge-chain", () => {
  assertEquals(parseNodeArgs(["key", "inspect", "//Alice"]), {
    kind: "key",
    args: ["inspect", "//Alice"],
  });
  assertEquals(parseNodeArgs(["build-spec", "--chain", "local", "--raw"]), {
    kind: "build-spec",
    chain: "local",
    raw: true,
  });
  assertEquals(
    parseNodeArgs(["build-spec", "--chain", "local", "--checkpoint-from", "ws://127.0.0.1:9944"]),
    { kind: "build-spec", chain: "local", raw: false, checkpointFrom: "ws://127.0.0.1:9944" },
  );
  assertEquals(parseNodeArgs(["purge-chain", "--base-path", "/tmp/y"]), {
    kind: "purge-chain",
    basePath: "/tmp/y",
  });
  throws(() => parseNodeArgs(["purge-chain"]), /--base-path is required/);
});

Deno.test("--rpc-methods auto is unsafe on 127.0.0.1 and safe with --rpc-external, as Substrate's", () => {
  const methods = (...args: string[]) => {
    const command = parseNodeArgs(args);
    if (command.kind !== "run") throw new Error(command.kind);
    return command.options.rpcMethods;
  };
  assertEquals(methods(), "unsafe");
  assertEquals(methods("--rpc-methods", "auto"), "unsafe");
  assertEquals(methods("--rpc-external"), "safe");
  assertEquals(methods("--rpc-external", "--rpc-methods", "unsafe"), "unsafe");
  assertEquals(methods("--rpc-methods", "safe"), "safe");
  throws(() => methods("--rpc-methods", "all"), /--rpc-methods: expected safe, unsafe or auto/);
});

Deno.test("RPC limits: flags in Substrate's units, the server's defaults when absent", () => {
  const limits = (...args: string[]) => {
    const command = parseNodeArgs(args);
    if (command.kind !== "run") throw new Error(command.kind);
    return command.options.rpcLimits;
  };
  assertEquals(limits(), {
    maxConnections: undefined,
    maxSubscriptionsPerConnection: undefined,
    maxRequestBytes: undefined,
    maxResponseBytes: undefined,
    rateLimit: undefined,
  });
  assertEquals(
    limits(
      "--rpc-max-connections",
      "5",
      "--rpc-max-subscriptions-per-connection",
      "16",
      "--rpc-max-request-size",
      "1",
      "--rpc-max-response-size",
      "2",
      "--rpc-rate-limit",
      "600",
    ),
    {
      maxConnections: 5,
      maxSubscriptionsPerConnection: 16,
      maxRequestBytes: 1024 * 1024,
      maxResponseBytes: 2 * 1024 * 1024,
      rateLimit: 600,
    },
  );
  throws(() => limits("--rpc-max-connections", "0"), /--rpc-max-connections: expected a whole/);
  throws(() => limits("--rpc-rate-limit", "fast"), /--rpc-rate-limit: expected a whole number/);
});

Deno.test("--unsafe-equivocate is refused without --i-know-this-slashes-me", () => {
  throws(
    () => parseNodeArgs(["--alice", "--unsafe-equivocate"]),
    /--unsafe-equivocate .* slashed: add --i-know-this-slashes-me/,
  );
  const command = parseNodeArgs(["--alice", "--unsafe-equivocate", "--i-know-this-slashes-me"]);
  if (command.kind !== "run") throw new Error(command.kind);
  assertEquals(command.options.unsafeEquivocate, true);
});

Deno.test("--scheme: a relay-only node's account may be sr25519 or ecdsa, a validator's key is ed25519", () => {
  const relay = parseNodeArgs(["--key", "//Dave", "--scheme", "Sr25519"]);
  if (relay.kind !== "run") throw new Error(relay.kind);
  assertEquals([relay.options.key, relay.options.keyScheme], ["//Dave", "sr25519"]);
  const alice = parseNodeArgs(["--alice"]);
  assertEquals(alice.kind === "run" && alice.options.keyScheme, "ed25519");
  throws(() => parseNodeArgs(["--alice", "--scheme", "sr25519"]), /session key, which is ed25519/);
  throws(() => parseNodeArgs(["--scheme", "sr25519"]), /--scheme is the scheme of --key URI/);
  throws(
    () => parseNodeArgs(["--key", "//Dave", "--scheme", "dsa"]),
    /--scheme: Unknown key scheme/,
  );
});

Deno.test("every subcommand and client group answers --help with its usage; a bare group lists its subcommands", () => {
  const help = (...args: string[]) => {
    const command = parseNodeArgs(args);
    if (command.kind !== "help") throw new Error(`${args.join(" ")}: ${command.kind}`);
    return command.text;
  };
  match(help("--help"), /^Usage: deno task node \[SUBCOMMAND\]/);
  match(help("--help"), /^ {2}stream watch ID --key URI/m);
  match(help("build-spec", "--help"), /^Usage: deno task node build-spec .*--checkpoint-from URL/);
  match(help("build-spec", "-h"), /--raw +the genesis as raw storage/);
  match(help("purge-chain", "--help"), /^Usage: deno task node purge-chain --base-path DIR/);
  for (const group of ["tx", "query", "stream"]) {
    match(help(group), new RegExp(`^Usage: deno task node ${group} SUBCOMMAND`));
    assertEquals(help(group, "--help"), help(group));
  }
  match(help("tx", "transfer", "--help"), /^Usage: deno task node tx transfer/);
  match(help("stream", "watch", "-h"), /--wait-publisher SECONDS/);
  // key has its own tool, which answers --help itself.
  assertEquals(parseNodeArgs(["key", "--help"]), { kind: "key", args: ["--help"] });
  throws(
    () => parseNodeArgs(["build-spec", "--bogus"]),
    /Unknown option '--bogus'.*\(deno task node build-spec --help\)/,
  );
  throws(
    () => parseNodeArgs(["nope"]),
    /Unknown subcommand: nope; the node has key, build-spec, purge-chain, tx, query, stream/,
  );
});
