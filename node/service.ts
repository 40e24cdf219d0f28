/**
 * The node, wired in one place: database, chain client, transaction pool,
 * authoring, finality, JSON-RPC and the informant. Read top to bottom, this
 * is the order things start in; `close` stops them in reverse.
 *
 * @module
 */
import { nonceTag } from "../runtime/executive/executive.ts";
import { extrinsicHash } from "../runtime/extrinsic/extrinsic.ts";
import { keypairFromUri } from "../runtime/crypto/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { runtime } from "../runtime/mod.ts";
import { slotDuration } from "../pallets/authorship/mod.ts";
import { loadChainSpec } from "../chain-spec/build.ts";
import { registerAuthorApi, registerChainApi } from "./api/mod.ts";
import { ChainClient } from "./chain/mod.ts";
import type { RunOptions } from "./cli/args.ts";
import { AuraVerifier, BlockAuthor } from "./consensus/mod.ts";
import { FinalityGadget } from "./consensus/finality/mod.ts";
import { ChainDatabase } from "./db/mod.ts";
import type { Logger } from "./log.ts";
import { TransactionPool } from "./pool/mod.ts";
import { type RpcListener, RpcServer } from "./rpc/mod.ts";

/** The node's version, as `system_version` reports it. */
export const NODE_VERSION = `0.1.0-${runtime.version.specName}-${runtime.version.specVersion}`;

/** A running node. */
export interface RunningNode {
  client: ChainClient;
  pool: TransactionPool;
  rpc: RpcListener;
  basePath: string;
  /** Stops every service, closes the database (and removes a `--tmp` base path). */
  close(): Promise<void>;
}

/** Starts a node as the command line describes it. */
export async function startNode(options: RunOptions, log: Logger): Promise<RunningNode> {
  const spec = loadChainSpec(options.chain);
  const basePath = options.basePath ??
    await Deno.makeTempDir({ prefix: "sutantra-" });
  const chainPath = `${basePath}/chains/${spec.id}`;
  await Deno.mkdir(chainPath, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
    if (options.tmp) await Deno.remove(basePath, { recursive: true }).catch(() => {});
  };
  try {
    const db = await ChainDatabase.open(`${chainPath}/db`);
    stops.push(() => db.close());

    const client = await ChainClient.open({
      db,
      spec,
      sealVerifier: {
        verify: (header, parent, state) =>
          new AuraVerifier(Date.now, Number(slotDuration(state))).verify(header, parent, state),
      },
    });
    stops.push(() => client.close());
    const slotMs = Number(slotDuration(client.stateAt(client.finalized.header)));
    log.info(`⛓  Chain: ${spec.name} (${spec.id}), genesis ${toHex(client.genesisHash)}`);
    log.info(
      `📦 Database at ${chainPath}/db: best #${client.best.header.number}, finalized #${client.finalized.header.number}`,
    );

    const pool = new TransactionPool({ executive: client.executive });
    keepPoolInStep(client, pool, log);

    const key = options.key ? keypairFromUri(options.key) : undefined;
    let author: BlockAuthor | undefined;
    if (options.validator && key) {
      author = new BlockAuthor({
        client,
        key,
        slotDurationMs: slotMs,
        transactions: pool,
        onAuthored: (proposal, imported) => {
          log.info(
            `🎁 Prepared block #${imported.block.header.number} (${short(imported.block.hash)}) ` +
              `with ${proposal.included.length} transactions`,
          );
          if (proposal.rejected.length) pool.remove(proposal.rejected.map((r) => r.hash));
        },
      });
      stops.push(() => author!.stop());
      if (options.seal === "slots") author.startSlots();
      if (options.seal === "instant") pool.onImported(() => void author!.authorNow());
      log.info(`👤 Validator with session key ${toHex(key.publicKey)}, seal: ${options.seal}`);
    }

    const finality = await FinalityGadget.start({
      client,
      db,
      voter: options.validator ? key : undefined,
    });
    stops.push(() => finality.stop());
    client.onFinalized((block) =>
      log.debug(`✅ Finalized #${block.header.number} (${short(block.hash)})`)
    );

    const rpcServer = new RpcServer({ cors: options.rpcCors });
    registerChainApi(rpcServer, {
      client,
      spec,
      name: options.name,
      version: NODE_VERSION,
      isValidator: options.validator,
      isSyncing: () => false,
      nextIndex: (account) => nextIndex(client, pool, account),
    });
    registerAuthorApi(rpcServer, {
      client,
      pool,
      createBlock: author && options.seal !== "slots"
        ? async () => (await author!.authorNow())?.block.hash
        : undefined,
    });
    const rpc = rpcServer.listen(options.rpcPort);
    stops.push(() => rpc.close());
    log.info(`🌐 JSON-RPC on http://127.0.0.1:${rpc.port} (and ws://)`);

    const informant = setInterval(() => {
      const { ready, future } = pool.status();
      log.info(
        `💤 Idle (0 peers), best: #${client.best.header.number} (${short(client.best.hash)}), ` +
          `finalized #${client.finalized.header.number} (${short(client.finalized.hash)}), ` +
          `txpool: ${ready} ready, ${future} future`,
      );
    }, 5000);
    stops.push(() => clearInterval(informant));

    return { client, pool, rpc, basePath, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Tells the pool what each new best chain includes, retracts and finalizes. */
function keepPoolInStep(client: ChainClient, pool: TransactionPool, log: Logger): void {
  let queue = Promise.resolve();
  client.onImported((imported) => {
    const route = imported.route;
    if (!route) return;
    queue = queue.then(async () => {
      for (const block of route.retracted) {
        pool.onRetracted(block.hash, (await client.body(block.hash)) ?? []);
      }
      for (const block of route.enacted) {
        const body = (await client.body(block.hash)) ?? [];
        pool.onNewBest(block.header, body.map(extrinsicHash));
      }
    }).catch((e) => log.error(`pool maintenance: ${e}`));
  });
  client.onFinalized((block) => pool.onFinalized([block.hash]));
}

/** The account's next nonce: on chain, then past its transactions in the pool. */
function nextIndex(client: ChainClient, pool: TransactionPool, account: Uint8Array): number {
  const state = client.stateAt(client.best.header);
  let nonce = runtime.system.accountNonce(state, account);
  const tags = new Set(pool.ready().flatMap((tx) => tx.provides.map(toHex)));
  while (tags.has(toHex(nonceTag(account, nonce)))) nonce++;
  return nonce;
}

function short(hash: Uint8Array): string {
  const hex = toHex(hash);
  return `${hex.slice(0, 6)}…${hex.slice(-4)}`;
}
