/**
 * Helpers for relay tests: nodes that stream, streams made live on chain,
 * and bearer tokens.
 *
 * @module
 */
import { keypairFromUri, type KeyScheme, ss58Encode } from "../runtime/crypto/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { NodeConnection } from "../node/client/commands.ts";
import { issueToken, type TokenRole } from "../client/relay/token.ts";
import { SyntheticPublisher } from "../node/relay/testing/synthetic_source.ts";
import { freePort, NodeProcess, until } from "./_node.ts";

/** A bearer token of `uri`'s key for `stream` on the chain with `genesis`, for `node`'s relay. */
export function tokenFor(
  uri: string,
  genesis: string,
  stream: bigint,
  role: TokenRole,
  node: { rpcPort: number },
): string {
  const audience = `http://127.0.0.1:${node.rpcPort}`;
  return issueToken(keypairFromUri(uri), { genesis, stream, role, audience });
}

/** Creates a stream of `creator` at `pricePerSecond` and puts it live; returns its id. */
export async function liveStream(
  node: NodeProcess,
  creator: string,
  pricePerSecond: bigint,
): Promise<bigint> {
  const key = keypairFromUri(creator);
  const conn = await NodeConnection.open(`ws://127.0.0.1:${node.rpcPort}`);
  try {
    const created = await conn.submit(
      "Streams",
      "createStream",
      {
        title: "relay test",
        pricePerSecond: pricePerSecond.toString(),
        meta: "0x",
      },
      key,
      "in-block",
    );
    const event = created.events.find((e) => e.name === "StreamCreated");
    if (!event) throw new Error(`createStream failed: ${JSON.stringify(created.error)}`);
    const id = BigInt(event.fields.id as string | number);
    const live = await conn.submit("Streams", "goLive", { id: id.toString() }, key, "in-block");
    if (live.error) throw new Error(`goLive failed: ${live.error.name}`);
    return id;
  } finally {
    conn.close();
  }
}

/** Publishes synthetic video at `bitrate` to `stream` on `node` as //Alice, its creator (loopback ICE). */
export function publishAsAlice(
  node: NodeProcess,
  genesis: string,
  stream: bigint,
  bitrate: number,
): Promise<SyntheticPublisher> {
  return SyntheticPublisher.start({
    whipUrl: `http://127.0.0.1:${node.rpcPort}/whip/${stream}`,
    token: tokenFor("//Alice", genesis, stream, "publish", node),
    loopback: true,
    bitrate,
  });
}

/** Waits until `check` returns true, or fails after `ms`. */
export function untilTrue(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms?: number,
): Promise<true> {
  return until(what, async () => (await check()) || undefined, ms);
}

/** p2p on 127.0.0.1 only, on a free port. */
const LOOPBACK = ["--listen-addr", "/ip4/127.0.0.1/tcp/0"];

/**
 * Starts a node authoring as //Alice on `chain` and one follower per key of
 * `keys` (of `scheme`: the followers only relay), booting from her, all on
 * 127.0.0.1; returns them once each answers, Alice first. Every node is
 * pushed onto `nodes` as it starts, so the caller stops them all even when
 * a later one fails.
 */
export async function startRelayNodes(
  chain: string,
  keys: string[],
  nodes: NodeProcess[],
  scheme: KeyScheme = "ed25519",
): Promise<NodeProcess[]> {
  const alice = new NodeProcess(["--chain", chain, "--alice", ...LOOPBACK]);
  nodes.push(alice);
  await alice.ready();
  const boot = (await alice.rpc<string[]>("system_localListenAddresses"))[0];
  const followers = keys.map((key) =>
    new NodeProcess([
      "--chain",
      chain,
      "--tmp",
      "--key",
      key,
      "--scheme",
      scheme,
      "--bootnodes",
      boot,
      ...LOOPBACK,
    ])
  );
  nodes.push(...followers);
  await Promise.all(followers.map((node) => node.ready()));
  return [alice, ...followers];
}

/**
 * The two nodes of a relay tree on `chain`, on 127.0.0.1: A authors as
 * //Alice and serves `maxViewers` viewers at most; B relays as //Bob,
 * booted from A, and says where it is reached (`--public-url`), so it
 * registers as a relay at start, ready to take A's overflow. Resolves once
 * B's registration is on chain; both are pushed onto `nodes` as they start.
 */
export async function startTreeNodes(
  chain: string,
  maxViewers: number,
  nodes: NodeProcess[],
): Promise<{ a: NodeProcess; b: NodeProcess }> {
  const a = new NodeProcess([
    "--chain",
    chain,
    "--alice",
    "--relay-max-viewers",
    String(maxViewers),
    ...LOOPBACK,
  ]);
  nodes.push(a);
  await a.ready();
  const boot = (await a.rpc<string[]>("system_localListenAddresses"))[0];
  const portB = freePort();
  const urlB = `http://127.0.0.1:${portB}`;
  const b = new NodeProcess([
    "--chain",
    chain,
    "--tmp",
    "--key",
    "//Bob",
    "--bootnodes",
    boot,
    "--public-url",
    urlB,
    ...LOOPBACK,
  ], portB);
  nodes.push(b);
  await b.ready();
  const conn = await NodeConnection.open(`ws://127.0.0.1:${a.rpcPort}`);
  try {
    await untilTrue("B to register as a relay at its URL", async () => {
      const info = await conn.queryStorage("QosRewards", "Relays", [
        ss58Encode(keypairFromUri("//Bob").publicKey, 42),
      ]) as { endpoint?: string } | null | undefined;
      return info?.endpoint === toHex(new TextEncoder().encode(urlB));
    }, 30_000);
  } finally {
    conn.close();
  }
  return { a, b };
}
