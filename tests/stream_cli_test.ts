/**
 * A stream's life from the command line against a real dev node: create,
 * go live, a publish token that WHIP accepts, a headless watcher with an
 * sr25519 account that opens its channel, decodes frames and pays (then
 * again through a light client, which reads the price and the channel from
 * proofs), and the end of the stream.
 */
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { parseAmount } from "../client/units.ts";
import { SyntheticPublisher } from "../node/relay/testing/synthetic_source.ts";
import { cli, fastDevSpec, NodeProcess } from "./_node.ts";

Deno.test("stream create, go-live, token, watch and end from the CLI", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-stream-cli-" });
  const spec = await fastDevSpec(dir);
  const node = new NodeProcess([
    "--chain",
    spec,
    "--alice",
    "--tmp",
    "--listen-addr",
    "/ip4/127.0.0.1/tcp/0",
  ]);
  let publisher: SyntheticPublisher | undefined;
  try {
    await node.ready();
    const step = async (...args: string[]) => {
      const result = await cli(node, ...args);
      assertEquals(result.code, 0, `${args.join(" ")}:\n${result.out}`);
      return result.out;
    };
    // 0.00006 STREAM a minute is 1,000,000 planck a second.
    const created = await step(
      ...["stream", "create", "Night sky", "--price", "0.00006/min", "--from", "//Alice"],
    );
    match(created, /^Created stream #0 at 0\.00006 STREAM\/min$/m);
    match(created, /Streams\.StreamCreated \{"id":0/);
    match(await step("stream", "go-live", "0", "--from", "//Alice"), /Streams\.StreamLive/);

    const printed = await step("stream", "token", "0", "--key", "//Alice");
    const url = printed.match(/^WHIP URL: (\S+)$/m)?.[1];
    const token = printed.match(/^Bearer token: (\S+)$/m)?.[1];
    assertEquals(url, `http://127.0.0.1:${node.rpcPort}/whip/0`);
    publisher = await SyntheticPublisher.start({ whipUrl: url!, token: token!, loopback: true });

    // The viewer is an sr25519 account, as polkadot.js Apps makes them: its channel, its
    // bearer token and its vouchers are all signed sr25519.
    const watched = await step(
      "stream",
      "watch",
      "0",
      "--key",
      "//Dave",
      "--scheme",
      "sr25519",
      "--seconds",
      "4",
    );
    match(
      watched,
      /Opening a channel: deposit [\d.]+ STREAM \(\d+ min of watching at 0\.00006 STREAM\/min\)/,
    );
    const ticks = [...watched.matchAll(/(\d+) fps .* paid ([\d.]+) STREAM/g)];
    ok(ticks.length >= 3, watched);
    ok(ticks.some(([, fps]) => Number(fps) > 0), `no frames decoded:\n${watched}`);
    ok(parseAmount(ticks.at(-1)![2], 12) >= 3_000_000n, `paid too little:\n${watched}`);
    match(watched, /Paid [\d.]+ STREAM in total on this channel/);

    // Again through a light client: the price and the channel are read from proofs.
    const [address] = await node.rpc<string[]>("system_localListenAddresses");
    const light = ["--light", "--chain", spec, "--bootnodes", address];
    const verified = await step(
      ...["stream", "watch", "0", "--key", "//Dave", "--scheme", "sr25519", "--seconds", "2"],
      ...light,
    );
    ok(!/Opening a channel/.test(verified), `the channel opened before is found:\n${verified}`);
    ok([...verified.matchAll(/(\d+) fps/g)].some(([, fps]) => Number(fps) > 0), verified);
    match(verified, /verified by a light client at finalized #\d+/);

    match(await step("stream", "end", "0", "--from", "//Alice"), /Streams\.StreamEnded/);
    const status = await step("query", "storage", "Streams", "Streams", "0");
    assertEquals(JSON.parse(status).status, "Ended");
  } finally {
    await publisher?.stop().catch(() => {});
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
