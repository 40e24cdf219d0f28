/**
 * What the `relay.*` benchmarks share: dev nodes with 200 ms slots, a free
 * live stream created by Alice, the tokens to publish and watch it, and
 * percentiles.
 *
 * @module
 */
import { keypairFromUri } from "../runtime/crypto/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { SyntheticPublisher } from "../node/relay/testing/synthetic_source.ts";
import { NodeConnection } from "../node/client/commands.ts";
import { issueToken, type TokenRole } from "../client/relay/token.ts";
import { fastDevSpec, NodeProcess } from "../tests/_node.ts";

const ALICE = keypairFromUri("//Alice");
/** Viewers made so far: each watch token is a fresh account's (`//Dave//n`), under the 4 sessions per account cap. */
let viewers = 0;

/** A node with its temporary directory. */
export interface BenchNode {
  node: NodeProcess;
  base: string;
  /** `http://127.0.0.1:{rpc port}`: the RPC, WHIP and WHEP origin. */
  http: string;
}

/**
 * Starts a dev node with 200 ms slots: `--alice` authors; a follower is
 * given its key (`["--key", "//Bob"]`) and `bootnodes`.
 */
export async function startNode(
  role: string[] = ["--alice"],
  bootnodes: string[] = [],
): Promise<BenchNode> {
  const base = await Deno.makeTempDir({ prefix: "sutantra-bench-relay-" });
  const node = new NodeProcess([
    "--chain",
    await fastDevSpec(base),
    ...role,
    "--base-path",
    base,
    "--listen-addr",
    "/ip4/127.0.0.1/tcp/0",
    ...bootnodes.flatMap((b) => ["--bootnodes", b]),
  ]);
  await node.ready();
  return { node, base, http: `http://127.0.0.1:${node.rpcPort}` };
}

/**
 * Stops nodes and removes their directories; given the `error` a run failed
 * with, throws it again with the nodes' last output.
 */
export async function stopNodes(nodes: BenchNode[], error?: unknown): Promise<void> {
  await Promise.all(nodes.map((n) => n.node.stop()));
  await Promise.all(nodes.map((n) => Deno.remove(n.base, { recursive: true }).catch(() => {})));
  if (error) {
    const logs = nodes.map((n) => n.node.output.slice(-2000)).join("\n---\n");
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
}

/** A free stream Alice created and took live, with tokens for it. */
export interface LiveStream {
  stream: number;
  genesis: string;
  /** Alice's publish token. */
  publishToken: string;
  /**
   * A watch token for the relay of `node`, each from a fresh account
   * (`//Dave//n`): the stream is free, so any account may watch, and a
   * relay admits only 4 sessions per account.
   */
  watchToken(node: BenchNode): string;
  /**
   * A fresh account's watch tokens, made for whichever relay's URL it is
   * given: a viewer that follows a full node's redirect signs one for the
   * node it is sent to.
   */
  viewerTokens(): (url: string) => string;
}

/** Creates a free stream as Alice on `node` and takes it live. */
export async function liveStream(node: BenchNode): Promise<LiveStream> {
  const connection = await NodeConnection.open(`ws://127.0.0.1:${node.node.rpcPort}`);
  try {
    const created = await connection.submit(
      "Streams",
      "createStream",
      { title: "bench", pricePerSecond: "0", meta: "0x" },
      ALICE,
      "in-block",
    );
    const event = created.events.find((e) => e.pallet === "Streams" && e.name === "StreamCreated");
    if (!event) throw new Error(`createStream: ${created.status} ${created.error?.name ?? ""}`);
    const stream = Number(event.fields.id);
    const live = await connection.submit(
      "Streams",
      "goLive",
      { id: stream },
      ALICE,
      "in-block",
    );
    if (live.status !== "in-block") throw new Error(`goLive: ${live.status}`);
    const genesis = await connection.rpc.call<string>("chain_getBlockHash", [0]);
    return {
      stream,
      genesis,
      publishToken: token(genesis, stream, "publish", node),
      watchToken: (at) => token(genesis, stream, "watch", at),
      viewerTokens: () => {
        const key = keypairFromUri(`//Dave//${viewers++}`);
        return (audience) => issueToken(key, { genesis, stream, role: "watch", audience });
      },
    };
  } finally {
    connection.close();
  }
}

function token(genesis: string, stream: number, role: TokenRole, node: BenchNode): string {
  const audience = `http://127.0.0.1:${node.node.rpcPort}`;
  const key = role === "publish" ? ALICE : keypairFromUri(`//Dave//${viewers++}`);
  return issueToken(key, { genesis, stream, role, audience });
}

/**
 * Registers `node`'s account (`uri`'s key) as a relay at its HTTP origin,
 * as its directory would once it carries a stream: only then may a full
 * node send viewers to it.
 */
export async function registerRelay(node: BenchNode, uri: string): Promise<void> {
  const connection = await NodeConnection.open(`ws://127.0.0.1:${node.node.rpcPort}`);
  try {
    const endpoint = toHex(new TextEncoder().encode(node.http));
    const outcome = await connection.submit(
      "QosRewards",
      "registerRelay",
      { endpoint },
      keypairFromUri(uri),
      "in-block",
    );
    if (outcome.status !== "in-block" || outcome.error) {
      throw new Error(`registerRelay: ${outcome.status} ${outcome.error?.name ?? ""}`);
    }
  } finally {
    connection.close();
  }
}

/** The `q` quantile (0..1) of `values`, nearest rank; NaN when empty. */
export function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

/**
 * Publishes `live`'s synthetic VP8 + Opus stream to `node` by WHIP as
 * Alice (loopback ICE); `keyframeInterval` 0 sends keyframes only when
 * asked, as Chrome's VP8 does.
 */
export function publishLive(
  node: BenchNode,
  live: LiveStream,
  options: { keyframeInterval?: number } = {},
): Promise<SyntheticPublisher> {
  return SyntheticPublisher.start({
    whipUrl: `${node.http}/whip/${live.stream}`,
    token: live.publishToken,
    loopback: true,
    ...options,
  });
}
