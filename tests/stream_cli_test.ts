/**
 * A stream's life from the command line against a real dev node: create (at
 * a price per minute), go live, a watcher that finds nobody publishing and
 * waits without opening a channel, a publish token that WHIP accepts, then a
 * headless watcher with an sr25519 account that was waiting, opens its
 * channel once the publisher is there, decodes frames and pays in STREAM
 * (then again through a light client, which reads the price and the channel
 * from proofs), and the end of the stream.
 */
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { parseAmount } from "../client/units.ts";
import { SyntheticPublisher } from "../node/relay/testing/synthetic_source.ts";
import { signerFromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import { aliceNode, cli, fastDevSpec, type NodeProcess, until } from "./_node.ts";

/** A client command left running, its output read as it comes. */
class RunningCli {
  readonly #child: Deno.ChildProcess;
  #out = "";
  readonly done: Promise<{ code: number; out: string }>;

  constructor(node: NodeProcess, args: string[]) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-sys",
        new URL("../node/cli/main.ts", import.meta.url).pathname,
        ...args,
        "--rpc",
        `ws://127.0.0.1:${node.rpcPort}`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const read = async (stream: ReadableStream<Uint8Array>) => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) this.#out += text;
    };
    this.done = Promise.all([read(this.#child.stdout), read(this.#child.stderr)])
      .then(() => this.#child.status)
      .then((status) => ({ code: status.code, out: this.#out }));
  }

  /** What it printed so far. */
  get out(): string {
    return this.#out;
  }

  /** Ends it, if it still runs. */
  async kill(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // It ended.
    }
    await this.done;
  }
}

Deno.test("stream create, go-live, token, watch (waiting for the publisher) and end from the CLI", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-stream-cli-" });
  const spec = await fastDevSpec(dir);
  const node = aliceNode(spec);
  let publisher: SyntheticPublisher | undefined;
  let waiting: RunningCli | undefined;
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

    // Live on chain, but nobody publishes: the viewer waits, then gives up, and locks nothing.
    const dave = ss58Encode(signerFromUri("//Dave", "sr25519").account);
    const offline = await cli(
      node,
      ...["stream", "watch", "0", "--key", "//Dave", "--scheme", "sr25519"],
      ...["--wait-publisher", "2"],
    );
    assertEquals(offline.code, 1, offline.out);
    match(offline.out, /Stream #0 "Night sky": 0\.00006 STREAM\/min/);
    match(
      offline.out,
      /Stream #0 is offline — waiting for the creator \(live on chain, but no relay/,
    );
    match(offline.out, /gave up after 2 s without locking any money/);
    ok(!/Opening a channel/.test(offline.out), offline.out);
    const noChannel = await step(
      "query",
      "storage",
      "Access",
      "ChannelsByViewer",
      `"${dave}"`,
      "0",
    );
    assertEquals(JSON.parse(noChannel), null, "no channel was opened for an unpublished stream");

    // The viewer is an sr25519 account, as polkadot.js Apps makes them: its channel, its
    // bearer token and its vouchers are all signed sr25519. It waits for the publisher.
    waiting = new RunningCli(node, [
      ...["stream", "watch", "0", "--key", "//Dave", "--scheme", "sr25519", "--seconds", "4"],
      ...["--wait-publisher", "120"],
    ]);
    await until(
      "the watcher to wait for the creator",
      () => waiting!.out.includes("offline — waiting for the creator") || undefined,
    );
    ok(!/Opening a channel/.test(waiting.out), waiting.out);

    const printed = await step("stream", "token", "0", "--key", "//Alice");
    const url = printed.match(/^WHIP URL: (\S+)$/m)?.[1];
    const token = printed.match(/^Bearer token: (\S+)$/m)?.[1];
    assertEquals(url, `http://127.0.0.1:${node.rpcPort}/whip/0`);
    publisher = await SyntheticPublisher.start({ whipUrl: url!, token: token!, loopback: true });

    const watched = await waiting.done;
    assertEquals(watched.code, 0, watched.out);
    match(watched.out, /Stream #0 is being published: watching/);
    match(
      watched.out,
      /Opening a channel: deposit [\d.]+ STREAM \(\d+ min of watching at 0\.00006 STREAM\/min\)/,
    );
    const ticks = [...watched.out.matchAll(/(\d+) fps .* paid ([\d.]+) STREAM/g)];
    ok(ticks.length >= 3, watched.out);
    ok(ticks.some(([, fps]) => Number(fps) > 0), `no frames decoded:\n${watched.out}`);
    ok(parseAmount(ticks.at(-1)![2], 12) >= 3_000_000n, `paid too little:\n${watched.out}`);
    match(watched.out, /Paid [\d.]+ STREAM in total on this channel/);

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
    const ended = await cli(node, "stream", "watch", "0", "--key", "//Eve");
    assertEquals(ended.code, 1, ended.out);
    match(ended.out, /Stream #0 has ended/);
  } finally {
    await waiting?.kill();
    await publisher?.stop().catch(() => {});
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
