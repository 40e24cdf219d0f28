/**
 * The node, wired in one place: database, chain client, transaction pool,
 * authoring, finality, JSON-RPC and the informant. Read top to bottom, this
 * is the order things start in; `close` stops them in reverse.
 *
 * @module
 */
import { keypairFromUri, signerFromUri } from "../runtime/crypto/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { runtime } from "../runtime/mod.ts";
import { accountNonceAt } from "../runtime/api/mod.ts";
import { authorities, slotDuration } from "../pallets/authorship/mod.ts";
import { equalBytes } from "../runtime/primitives/bytes.ts";
import { loadChainSpec } from "../chain-spec/build.ts";
import {
  registerArchiveApi,
  registerAuthorApi,
  registerChainApi,
  registerChainHeadApi,
  registerChainSpecApi,
  registerGrandpaApi,
  registerSyncStateApi,
  registerTransactionApi,
} from "./api/mod.ts";
import { ChainClient } from "./chain/mod.ts";
import type { RunOptions } from "./cli/args.ts";
import { AuraVerifier, BlockAuthor, EquivocationReporter } from "./consensus/mod.ts";
import { FinalityService } from "./consensus/finality/mod.ts";
import { ChainDatabase } from "./db/mod.ts";
import { Informant, shortHash } from "./informant.ts";
import type { Logger } from "./log.ts";
import { bindPort } from "./port_in_use.ts";
import { Counter, Gauge, LabelledGauge, MetricsRegistry, Summary } from "./metrics/mod.ts";
import { loadOrCreateNodeKey, Network, nodeKeyFromSeed } from "./network/mod.ts";
import { followChain, gossipTransactions, TransactionPool } from "./pool/mod.ts";
import { type RpcListener, RpcServer } from "./rpc/mod.ts";
import { BlockSync, chainHead, LightServer } from "./sync/mod.ts";
import { startRelay } from "./relay/mod.ts";
import { relayAudiences } from "./relay/audiences.ts";
import { serveWebApp } from "./web/serve.ts";
import { NODE_VERSION } from "./version.ts";
import { Hono } from "hono";

/** Where a node listens on WebSockets by default: 10000 above its p2p port (a free one when that is 0, or past 65535). */
export function webSocketPort(p2pPort: number): number {
  return p2pPort === 0 || p2pPort + WEB_SOCKET_PORT_OFFSET > 65535
    ? 0
    : p2pPort + WEB_SOCKET_PORT_OFFSET;
}

/** How far above the p2p port the default WebSocket listener is. */
const WEB_SOCKET_PORT_OFFSET = 10_000;

/** A running node. */
export interface RunningNode {
  client: ChainClient;
  pool: TransactionPool;
  network: Network;
  rpc: RpcListener;
  basePath: string;
  /** Stops every service, closes the database (and removes a `--tmp` base path). */
  close(): Promise<void>;
}

/** Starts a node as the command line describes it. */
export async function startNode(options: RunOptions, log: Logger): Promise<RunningNode> {
  const spec = loadChainSpec(options.chain);
  if (options.unsafeEquivocate && spec.chainType === "Live") {
    throw new Error(`--unsafe-equivocate is refused on ${spec.name}, a Live chain`);
  }
  const basePath = options.basePath ??
    await Deno.makeTempDir({ prefix: "sutantra-" });
  const chainPath = `${basePath}/chains/${spec.id}`;
  await Deno.mkdir(`${chainPath}/network`, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
    if (options.tmp) await Deno.remove(basePath, { recursive: true }).catch(() => {});
  };
  try {
    const db = await ChainDatabase.open(`${chainPath}/db`, { pruning: options.pruning });
    stops.push(() => db.close());

    const metrics = new MetricsRegistry();
    const importSeconds = metrics.add(
      new Summary(
        "sutantra_block_import_seconds",
        "Time to verify, execute and store a block from a peer.",
      ),
    );
    const client = await ChainClient.open({
      db,
      spec,
      log,
      metrics: { importSeconds },
      trieCacheBytes: options.trieCacheBytes,
      sealVerifier: {
        verify: (header, parent, state) =>
          new AuraVerifier(Date.now, Number(slotDuration(state))).verify(header, parent, state),
      },
    });
    stops.push(() => client.close());
    // A release that cannot run (or migrate) the stored state says so now, not at its first block.
    client.executive.checkStorageVersions(client.best.header.stateRoot);
    const slotMs = Number(slotDuration(client.stateAt(client.finalized.header)));
    log.info(`⛓  Chain: ${spec.name} (${spec.id}), genesis ${toHex(client.genesisHash)}`);
    log.info(
      `📦 Database at ${chainPath}/db: best #${client.best.header.number}, finalized ` +
        `#${client.finalized.header.number}; states kept: ${options.pruning.states} ` +
        `(from #${db.stateBase}), bodies kept: ${options.pruning.blocks}`,
    );

    const pool = new TransactionPool({ executive: client.executive });
    const unfollow = followChain(client, pool, (e) => log.error(`pool maintenance: ${e}`));
    stops.push(unfollow);

    const privateKey = options.nodeKey
      ? await nodeKeyFromSeed(options.nodeKey)
      : await loadOrCreateNodeKey(`${chainPath}/network/secret_ed25519`);
    const [p2pFlag, p2pAddress] = options.listenAddr.length
      ? ["--listen-addr", options.listenAddr.join(" ")]
      : ["--port", options.port];
    const network = await bindPort(p2pFlag, p2pAddress, () =>
      Network.start({
        genesisHash: client.genesisHash,
        privateKey,
        // WebSockets too, for the light clients of browsers (the web app learns the
        // address from system_localListenAddresses): on a port that stays the same
        // across restarts, so a page's light client dials it again.
        listen: options.listenAddr.length ? options.listenAddr : [
          `/ip4/0.0.0.0/tcp/${options.port}`,
          `/ip4/0.0.0.0/tcp/${webSocketPort(options.port)}/ws`,
        ],
        bootnodes: options.bootnodes,
        reserved: options.reservedNodes,
        reservedOnly: options.reservedOnly,
        inPeers: options.inPeers,
        outPeers: options.outPeers,
        peersFile: `${chainPath}/network/peers.json`,
        name: options.name,
        roles: options.validator ? "authority" : "full",
        head: () => chainHead(client),
        log: (line) => log.debug(`network: ${line}`),
      }));
    stops.push(() => network.stop());
    log.info(`🏷  Local node identity: ${network.peerId}`);
    for (const address of network.listenAddresses()) log.info(`🔗 Listening on ${address}`);
    stops.push(gossipTransactions({ pool, network, best: () => client.best.header, log }));

    // A validator's key is its ed25519 session key; the node's account key
    // (the same key, or of the --scheme a relay-only node gave) relays.
    const key = options.key && options.validator ? keypairFromUri(options.key) : undefined;
    const account = options.key ? signerFromUri(options.key, options.keyScheme) : undefined;
    // A validator's funded key pays for reporting equivocations it sees.
    const reporter = key && options.validator
      ? new EquivocationReporter({ client, pool, key, log })
      : undefined;
    // Finality and sync need each other: finality asks sync for the blocks
    // and justifications it misses, sync hands finality the justifications.
    // Assigned once, after finality starts: a const cannot be closed over before.
    // deno-lint-ignore prefer-const
    let sync: BlockSync | undefined;
    const fetchFailed = (e: unknown) => log.debug(`sync: fetch failed: ${e}`);
    const finality = await FinalityService.start({
      client,
      db,
      log,
      network,
      key: options.validator ? key : undefined,
      onEquivocation: (proof) => {
        const { identity, roundNumber } = proof.equivocation.value;
        log.warn(`⚠️  Equivocation by ${toHex(identity)} in round ${roundNumber}`);
        reporter?.reportVotes(proof);
      },
      fetchBlock: (peer, hash) => void sync?.fetchBlock(peer, hash).catch(fetchFailed),
      fetchFinality: (peer) => void sync?.fetchFinality(peer).catch(fetchFailed),
    });
    stops.push(() => finality.stop());
    sync = new BlockSync({ client, network, finality, log });
    await sync.start();
    await new LightServer({ client, network, pool }).start();
    stops.push(() => sync!.stop());

    let author: BlockAuthor | undefined;
    if (options.validator && key) {
      author = new BlockAuthor({
        client,
        key,
        slotDurationMs: slotMs,
        transactions: pool,
        equivocate: options.unsafeEquivocate,
        // Slots start once the informant below exists.
        onSlotMissed: (slot, reason) => informant.slotMissed(slot, reason),
        onAuthored: (proposal, imported) => {
          void sync.announce(imported).catch((e) => log.warn(`announce: ${e}`));
          log.info(
            `🎁 Prepared block #${imported.block.header.number} (${
              shortHash(imported.block.hash)
            }) ` +
              `with ${proposal.included.length} transactions`,
          );
          if (proposal.rejected.length) pool.remove(proposal.rejected.map((r) => r.hash));
        },
      });
      stops.push(() => author!.stop());
      log.info(`👤 Validator with session key ${toHex(key.publicKey)}, seal: ${options.seal}`);
    }

    client.onFinalized((block) =>
      log.debug(`✅ Finalized #${block.header.number} (${shortHash(block.hash)})`)
    );

    const rpcCalls = metrics.add(
      new Counter("sutantra_rpc_calls_total", "JSON-RPC calls by method."),
    );
    const rpcServer = new RpcServer({
      cors: options.rpcCors,
      methods: options.rpcMethods,
      ...options.rpcLimits,
      onCall: (method) => rpcCalls.inc({ method }),
    });
    registerChainApi(rpcServer, {
      client,
      spec,
      name: options.name,
      version: NODE_VERSION,
      isValidator: options.validator,
      isSyncing: () => sync.isSyncing,
      network,
      peerBest: (peerId) => sync.peer(peerId),
      nextIndex: (account) => nextIndex(client, pool, account),
    });
    registerAuthorApi(rpcServer, {
      client,
      pool,
      createBlock: author && options.seal !== "slots"
        ? async () => (await author!.authorNow())?.block.hash
        : undefined,
    });
    registerChainHeadApi(rpcServer, { client });
    registerChainSpecApi(rpcServer, { spec, genesisHash: client.genesisHash });
    registerSyncStateApi(rpcServer, { spec, client });
    registerTransactionApi(rpcServer, { client, pool });
    registerArchiveApi(rpcServer, { client, pruning: options.pruning });
    registerGrandpaApi(rpcServer, {
      report: () => finality.report(),
      ss58Format: runtime.ss58Format,
    });
    const http = new Hono();
    const publicUrl = options.publicUrl ?? `http://127.0.0.1:${options.rpcPort}`;
    const relay = await startRelay(http, {
      client,
      pool,
      key: account,
      log,
      settings: spec.relay,
      iceServers: options.iceServers,
      publicUrl,
      announce: options.publicUrl !== undefined,
      audiences: relayAudiences(publicUrl, options.rpcPort, !!options.rpcExternal),
      capLoopback: options.relayCapLoopback,
      workers: options.relayWorkers,
      maxViewers: options.relayMaxViewers,
      // Clients reach the relay where they reach the RPC port: on 127.0.0.1 alone unless external.
      mediaAddress: options.rpcExternal ? undefined : "127.0.0.1",
      dataPath: `${chainPath}/relay`,
    });
    stops.push(() => relay.close());
    serveWebApp(http);
    const host = options.rpcExternal ? "0.0.0.0" : "127.0.0.1";
    const rpc = await bindPort(
      "--rpc-port",
      options.rpcPort,
      () => rpcServer.listen(options.rpcPort, host, http),
    );
    stops.push(() => rpc.close());
    log.info(
      `🌐 Web app and JSON-RPC on http://127.0.0.1:${rpc.port} (and ws://); WHIP/WHEP at ${publicUrl}`,
    );

    const mediaWorkers = () => relay.workers?.workers() ?? [];
    const gauges: [string, string, () => number][] = [
      ["sutantra_best_block", "Number of the best block.", () => client.best.header.number],
      [
        "sutantra_finalized_block",
        "Number of the last finalized block.",
        () => client.finalized.header.number,
      ],
      [
        "sutantra_finality_lag_blocks",
        "Best minus finalized block number.",
        () => client.best.header.number - client.finalized.header.number,
      ],
      ["sutantra_peers", "Connected peers.", () => network.peerCount],
      ["sutantra_txpool_ready", "Ready transactions.", () => pool.status().ready],
      ["sutantra_txpool_future", "Future transactions.", () => pool.status().future],
      [
        "sutantra_network_in_bytes",
        "Bytes received from peers.",
        () => network.bandwidth().inBytes,
      ],
      ["sutantra_network_out_bytes", "Bytes sent to peers.", () => network.bandwidth().outBytes],
      ["sutantra_relay_streams", "Streams the relay carries.", () => relay.relay.streams().length],
      [
        "sutantra_relay_viewers",
        "Viewers watching from this relay.",
        () => relay.relay.streams().reduce((n, s) => n + s.viewers, 0),
      ],
      [
        "sutantra_relay_packets_forwarded",
        "RTP packets the relay forwarded to viewers.",
        () => relay.relay.forwarded,
      ],
      [
        "sutantra_relay_media_in_bytes",
        "RTP bytes the relay received from publishers and upstream relays.",
        () => relay.relay.mediaTraffic().inBytes,
      ],
      [
        "sutantra_relay_media_out_bytes",
        "RTP bytes the relay sent to viewers.",
        () => relay.relay.mediaTraffic().outBytes,
      ],
      [
        "sutantra_relay_max_viewers",
        "Viewers the relay serves at most (--relay-max-viewers).",
        () => relay.relay.load().maxViewers ?? 0,
      ],
      [
        "sutantra_relay_media_workers",
        "Media worker processes running.",
        () => mediaWorkers().filter((w) => w.pid !== undefined).length,
      ],
      [
        "sutantra_relay_media_worker_lag_ms",
        "The worst sustained event-loop lag of a media worker (90th percentile of its last second).",
        () => Math.max(0, ...mediaWorkers().map((w) => w.stats?.lagMs ?? 0)),
      ],
      [
        "sutantra_relay_media_workers_shedding",
        "Media workers refusing new viewers because they lag.",
        () => mediaWorkers().filter((w) => w.stats?.shedding).length,
      ],
      [
        "sutantra_relay_packets_dropped",
        "Publishers' packets media workers dropped because they ran late.",
        () => mediaWorkers().reduce((n, w) => n + (w.stats?.dropped ?? 0), 0),
      ],
    ];
    for (const [name, help, read] of gauges) metrics.add(new Gauge(name, help, read));
    metrics.add(
      new LabelledGauge(
        "sutantra_relay_stream_depth",
        "Each carried stream's depth in its relay tree here (0: published here; pulled: its carrier's + 1).",
        () =>
          relay.depths.streams().flatMap((s) =>
            s.depth === null ? [] : [[{ stream: String(s.stream) }, s.depth]]
          ),
      ),
    );
    metrics.add(
      new LabelledGauge(
        "sutantra_relay_stream_viewers",
        "Sessions watching each carried stream here (viewers, and relays pulling it).",
        () => relay.depths.streams().map((s) => [{ stream: String(s.stream) }, s.viewers]),
      ),
    );
    const prometheus = await bindPort(
      "--prometheus-port",
      options.prometheusPort,
      () => metrics.serve(options.prometheusPort),
    );
    stops.push(() => prometheus.close());
    log.info(`📈 Prometheus metrics on http://127.0.0.1:${prometheus.port}/metrics`);

    const informant = new Informant({
      log,
      client,
      network,
      sync,
      pool,
      relay: relay.relay,
      isAuthoring: () =>
        author !== undefined &&
        authorities(client.stateAt(client.best.header)).some((k) => equalBytes(k, key!.publicKey)),
      shouldHavePeers: spec.chainType !== "Development",
    });
    informant.start();
    stops.push(() => informant.stop());
    // Authoring starts last, with the informant there to tell of a missed slot.
    if (author && options.seal === "slots") author.startSlots();
    if (author && options.seal === "instant") pool.onImported(() => void author!.authorNow());

    return { client, pool, network, rpc, basePath, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The account's next nonce: on chain, then past its transactions in the pool. */
function nextIndex(client: ChainClient, pool: TransactionPool, account: Uint8Array): number {
  return pool.nextNonce(
    account,
    accountNonceAt({ executive: client.executive }, client.best.header, account),
  );
}
