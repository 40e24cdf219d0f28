/**
 * The client commands against a real dev node: a transfer in STREAM is
 * finalized, with its progress on the way, and the balance shows it in
 * STREAM (and in planck with --planck); an amount finer than the chain's
 * decimals is refused; a failing call prints the pallet error and its docs
 * and exits 1; streams are created (at a price per minute) and listed; a
 * generic call and a storage query are encoded from the node's metadata; a
 * transaction on a chain that makes no blocks ends its wait, saying how to
 * check on it; and every subcommand and group answers --help.
 */
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { keypairFromUri, signerFromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import { NodeConnection, type TxProgress } from "../node/client/commands.ts";
import { cli, NodeProcess, runCli } from "./_node.ts";

Deno.test("client commands: transfer, failure with the pallet error, streams, generic call and query", async () => {
  const basePath = await Deno.makeTempDir({ prefix: "sutantra-cli-" });
  const node = new NodeProcess([
    "--chain",
    "dev",
    "--alice",
    "--seal",
    "instant",
    "--base-path",
    basePath,
  ]);
  try {
    await node.ready();
    const newcomer = ss58Encode(keypairFromUri("//Newcomer").publicKey);

    const sent = await cli(
      node,
      "tx",
      "transfer",
      "--from",
      "//Bob",
      "--to",
      newcomer,
      "--amount",
      "2.5",
    );
    assertEquals(sent.code, 0, sent.out);
    match(
      sent.out,
      /^Submitted 0x[0-9a-f]{64}\nIn block #(\d+) \(0x[0-9a-f]{64}\), waiting for finality…$/m,
    );
    match(sent.out, /^Finalized in #\d+ \(0x[0-9a-f]{64}\)$/m);
    match(sent.out, new RegExp(`^Transferred 2\\.5 STREAM from 5\\w+ to ${newcomer}$`, "m"));
    match(sent.out, /^Fee: 0\.\d+ STREAM$/m);
    match(sent.out, /Balances\.Transfer \{.*"amount":"2\.5 STREAM"\}/);
    const balance = await cli(node, "query", "balance", newcomer);
    match(balance.out, /^free: 2\.5 STREAM$/m);
    match(
      (await cli(node, "query", "balance", newcomer, "--planck")).out,
      /^free: 2500000000000 planck$/m,
    );

    const inPlanck = await cli(
      node,
      ...["tx", "transfer", "--from", "//Bob", "--to", newcomer, "--amount", "500000000000planck"],
    );
    assertEquals(inPlanck.code, 0, inPlanck.out);
    match((await cli(node, "query", "balance", newcomer)).out, /^free: 3 STREAM$/m);
    const tooFine = await cli(
      node,
      ...["tx", "transfer", "--from", "//Bob", "--to", newcomer, "--amount", "0.0000000000001"],
    );
    assertEquals(tooFine.code, 1, tooFine.out);
    match(tooFine.out, /STREAM has 12 decimals, so at most 12 digits after the point/);
    ok(!tooFine.out.includes("Submitted"), "nothing is sent");

    const failed = await cli(
      node,
      "tx",
      "transfer",
      "--from",
      "//Ferdie",
      "--to",
      newcomer,
      "--amount",
      "999999999999999999999",
      "--allow-death",
    );
    assertEquals(failed.code, 1, failed.out);
    match(failed.out, /failed: Balances\.InsufficientBalance: Balance too low to send value/);

    const created = await cli(
      node,
      "stream",
      "create",
      "Morning show",
      "--price",
      "0.6/min",
      "--from",
      "//Charlie",
    );
    assertEquals(created.code, 0, created.out);
    match(created.out, /^Created stream #0 at 0\.6 STREAM\/min$/m);
    const listed = await cli(node, "stream", "list");
    match(listed.out, /#0 "Morning show" 0\.6 STREAM\/min Created by 5/);
    match(
      (await cli(node, "stream", "list", "--planck")).out,
      /#0 "Morning show" 10000000000 planck\/s/,
    );

    const remark = await cli(
      node,
      "tx",
      "call",
      "System",
      "remarkWithEvent",
      '{"remark":"0x0102"}',
      "--from",
      "//Eve",
      "--wait",
      "in-block",
    );
    assertEquals(remark.code, 0, remark.out);
    match(remark.out, /System\.Remarked/);
    const unknown = await cli(node, "tx", "call", "System", "nope", "{}", "--from", "//Eve");
    assertEquals(unknown.code, 1);
    match(unknown.out, /No call System\.nope/);

    const stream = await cli(node, "query", "storage", "Streams", "Streams", "0");
    ok(JSON.parse(stream.out).title === "Morning show", stream.out);
    assertEquals(
      String(JSON.parse(stream.out).pricePerSecond),
      "10000000000",
      "raw storage: planck",
    );
    // A map given no key lists its entries; an unknown argument names the right ones.
    const entries = await cli(node, "query", "storage", "Streams", "Streams");
    assertEquals(entries.code, 0, entries.out);
    match(entries.out, /^0 => \{.*"title":"Morning show"/m);
    const typo = await cli(
      node,
      "tx",
      "call",
      "Streams",
      "goLive",
      '{"stream":0}',
      "--from",
      "//Alice",
    );
    assertEquals(typo.code, 1);
    match(typo.out, /Streams\.goLive has no argument stream; it takes id/);
  } finally {
    await node.stop();
    await Deno.remove(basePath, { recursive: true });
  }
});

Deno.test("build-spec prints a spec (raw on request) and purge-chain deletes a node's chain data", async () => {
  const run = (...args: string[]) =>
    runCli(["--allow-read", "--allow-write=/tmp", "--allow-env"], args);
  const plain = await run("build-spec", "--chain", "local");
  assertEquals(plain.code, 0, plain.err);
  assertEquals(JSON.parse(plain.out).id, "local_testnet");
  const raw = await run("build-spec", "--chain", "local", "--raw");
  const top = JSON.parse(raw.out).genesis.raw.top as Record<string, string>;
  ok(Object.keys(top).length > 50 && Object.keys(top).every((k) => /^0x[0-9a-f]+$/.test(k)));

  const base = await Deno.makeTempDir({ prefix: "sutantra-purge-" });
  await Deno.mkdir(`${base}/chains/dev/db`, { recursive: true });
  const purged = await run("purge-chain", "--base-path", base);
  assertEquals(purged.code, 0, purged.err);
  await Deno.stat(`${base}/chains`).then(() => ok(false, "chains is still there"), () => {});
  await Deno.remove(base, { recursive: true });

  const bad = await run("build-spec", "--chain", "/nonexistent.json");
  assertEquals(bad.code, 1);
  match(bad.err, /Invalid chain spec: \(file\): cannot read \/nonexistent\.json/);
});

Deno.test("a transaction on a chain that makes no blocks ends its wait as stalled, saying how to check on it", async () => {
  const node = new NodeProcess(["--chain", "dev", "--alice", "--tmp", "--seal", "manual"]);
  try {
    await node.ready();
    const connection = await NodeConnection.open(`ws://127.0.0.1:${node.rpcPort}`);
    try {
      const heard: TxProgress[] = [];
      const started = Date.now();
      const outcome = await connection.submit(
        "System",
        "remark",
        { remark: "0x01" },
        signerFromUri("//Eve", "ed25519"),
        { stallMs: 1_500, onProgress: (p) => heard.push(p) },
      );
      assertEquals(outcome.status, "stalled");
      assertEquals(heard.map((p) => p.kind), ["submitted"]);
      ok(Date.now() - started < 20_000, "the wait ended soon after the stall time");
      assertEquals([outcome.signer, outcome.nonce], [
        ss58Encode(keypairFromUri("//Eve").publicKey),
        0,
      ]);
      // It is still in the pool: a block made now includes it.
      await node.rpc("engine_createBlock", [true, true]);
      assertEquals(await node.rpc("system_accountNextIndex", [outcome.signer]), 1);
    } finally {
      connection.close();
    }
  } finally {
    await node.stop();
  }
});

Deno.test("every client group, subcommand and node subcommand answers --help and exits 0; a bare group lists its subcommands", async () => {
  const run = (...args: string[]) => runCli(["--allow-read", "--allow-env"], args);
  const commands: Record<string, string[]> = {
    tx: ["transfer", "bond", "validate", "set-keys", "call"],
    query: ["balance", "storage"],
    stream: ["create", "list", "go-live", "end", "remove", "token", "watch"],
  };
  for (const [group, subs] of Object.entries(commands)) {
    for (const args of [[group], [group, "--help"]]) {
      const listing = await run(...args);
      assertEquals([listing.code, listing.err], [0, ""], args.join(" "));
      match(listing.out, new RegExp(`^Usage: deno task node ${group} SUBCOMMAND`));
      for (const sub of subs) match(listing.out, new RegExp(`^ {2}${sub} +\\S`, "m"));
    }
    for (const sub of subs) {
      const help = await run(group, sub, "--help");
      assertEquals([help.code, help.err], [0, ""], `${group} ${sub} --help`);
      match(help.out, new RegExp(`^Usage: deno task node ${group} ${sub}\\b`));
    }
  }
  for (const sub of ["build-spec", "purge-chain", "key"]) {
    const help = await run(sub, "--help");
    assertEquals([help.code, help.err], [0, ""], `${sub} --help`);
    match(help.out, /^Usage:/);
  }
  const unknown = await run("stream", "start");
  assertEquals(unknown.code, 1);
  match(unknown.err, /Unknown command: stream start; stream has create, list, go-live/);
});
