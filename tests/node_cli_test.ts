/**
 * The client commands against a real dev node: a transfer is finalized and
 * the balance shows it; a failing call prints the pallet error and its docs
 * and exits 1; streams are created and listed; a generic call and a storage
 * query are encoded from the node's metadata.
 */
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { keypairFromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import { cli, NodeProcess } from "./_node.ts";

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
      "2000000000000",
    );
    assertEquals(sent.code, 0, sent.out);
    match(sent.out, /Finalized 0x[0-9a-f]{64}/);
    match(sent.out, /Balances\.Transfer/);
    const balance = await cli(node, "query", "balance", newcomer);
    match(balance.out, /free: 2000000000000/);

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
      "1500",
      "--from",
      "//Charlie",
    );
    assertEquals(created.code, 0, created.out);
    const listed = await cli(node, "stream", "list");
    match(listed.out, /#0 "Morning show" 1500\/s "Created" by 5/);

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
  } finally {
    await node.stop();
    await Deno.remove(basePath, { recursive: true });
  }
});

Deno.test("build-spec prints a spec (raw on request) and purge-chain deletes a node's chain data", async () => {
  const run = async (...args: string[]) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write=/tmp",
        "--allow-env",
        new URL("../node/cli/main.ts", import.meta.url).pathname,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      out: decoder.decode(output.stdout),
      err: decoder.decode(output.stderr),
    };
  };
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
