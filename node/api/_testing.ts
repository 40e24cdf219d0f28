/**
 * An in-process dev node for the RPC contract tests: Alice's chain on a temp
 * LevelDB, a transaction pool kept in step as `node/service.ts` does it,
 * manual seal, a finality voter, and the JSON-RPC server on a free port;
 * plus a JSON-RPC client over HTTP and WebSocket and polling with a deadline.
 *
 * @module
 */
import { devSpec, TOKEN } from "../../chain-spec/presets.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { nonceTag } from "../../runtime/executive/executive.ts";
import { IMMORTAL } from "../../runtime/extrinsic/era.ts";
import { type Signer, signExtrinsic } from "../../runtime/extrinsic/extrinsic.ts";
import { runtime } from "../../runtime/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { ChainClient } from "../chain/mod.ts";
import { BlockAuthor } from "../consensus/mod.ts";
import { FinalityService } from "../consensus/finality/mod.ts";
import { ChainDatabase, type Pruning } from "../db/mod.ts";
import { createLogger } from "../log.ts";
import { followChain, TransactionPool } from "../pool/mod.ts";
import { RpcServer } from "../rpc/mod.ts";
import { registerArchiveApi, registerAuthorApi, registerChainApi } from "./mod.ts";
import { type FollowLimits, registerChainHeadApi } from "./chain_head/mod.ts";
import { registerChainSpecApi } from "./chain_spec_api.ts";
import { registerSyncStateApi } from "./sync_state_api.ts";
import { registerTransactionApi } from "./transaction_api.ts";

export const alice = keypairFromUri("//Alice");
export const bob = keypairFromUri("//Bob");
export const charlie = keypairFromUri("//Charlie");

const SLOT_MS = 6000;

/** A JSON-RPC response object. */
export interface RpcReply {
  jsonrpc: "2.0";
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** A JSON-RPC error answered to a call that expected a result. */
export class RpcCallError extends Error {
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(`${code} ${message}${data === undefined ? "" : `: ${JSON.stringify(data)}`}`);
  }
}

/** A dev node running in this process. */
export interface DevNode {
  client: ChainClient;
  pool: TransactionPool;
  url: string;
  /** Exceptions handlers threw (answered -32603); a test expects none. */
  internalErrors: unknown[];
  /** POSTs a raw body (a string as is, anything else as JSON). */
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: unknown }>;
  /** Calls `method` over HTTP and returns the whole response object. */
  call(method: string, params?: unknown): Promise<RpcReply>;
  /** Calls `method` over HTTP; throws {@link RpcCallError} on an error response. */
  rpc<T = unknown>(method: string, params?: unknown): Promise<T>;
  /** Stops every service and removes the database. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts Alice's dev node with manual seal on a temp LevelDB and an RPC
 * server on port 0. Without `finality` no voter runs: the test finalizes
 * (through `client.finalize`) what it wants, when it wants. The RPC serves
 * unsafe methods (`engine_*`) unless `rpcMethods` is `"safe"`.
 */
export async function startDevNode(
  options: {
    finality?: boolean;
    pruning?: Pruning;
    rpcMethods?: "safe" | "unsafe";
    /** Bounds of `chainHead_v1_follow` subscriptions (the defaults otherwise). */
    followLimits?: Partial<FollowLimits>;
    /** Archive storage queries running at once (served with `pruning.states` "archive"). */
    archiveQueries?: number;
  } = {},
): Promise<DevNode> {
  const path = await Deno.makeTempDir({ prefix: "sutantra-api-" });
  const stops: (() => Promise<unknown> | unknown)[] = [
    () => Deno.remove(path, { recursive: true }),
  ];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const spec = devSpec();
    const db = await ChainDatabase.open(path, { pruning: options.pruning });
    stops.push(() => db.close());
    const client = await ChainClient.open({ db, spec, verifierThreads: 1 });
    stops.push(() => client.close());
    const pool = new TransactionPool({ executive: client.executive });
    const maintenanceErrors: unknown[] = [];
    const maintenance = followChain(client, pool, (e) => maintenanceErrors.push(e));
    stops.push(async () => {
      await maintenance();
      if (maintenanceErrors.length) throw maintenanceErrors[0];
    });
    if (options.finality ?? true) {
      const finality = await FinalityService.start({
        client,
        db,
        key: alice,
        log: createLogger("error"),
      });
      stops.push(() => finality.stop());
    }
    const author = new BlockAuthor({
      client,
      key: alice,
      slotDurationMs: SLOT_MS,
      transactions: pool,
      onAuthored: (proposal) => {
        if (proposal.rejected.length) pool.remove(proposal.rejected.map((r) => r.hash));
      },
    });
    stops.push(() => author.stop());

    const internalErrors: unknown[] = [];
    const server = new RpcServer({
      methods: options.rpcMethods ?? "unsafe",
      onError: (error) => internalErrors.push(error),
    });
    registerChainApi(server, {
      client,
      spec,
      name: "Sutantra",
      version: "0.1.0-test",
      isValidator: true,
      isSyncing: () => false,
      nextIndex: (account) => nextIndex(client, pool, account),
    });
    registerAuthorApi(server, {
      client,
      pool,
      createBlock: async () => (await author.authorNow())?.block.hash,
    });
    registerChainHeadApi(server, { client, limits: options.followLimits });
    registerChainSpecApi(server, { spec, genesisHash: client.genesisHash });
    registerSyncStateApi(server, { spec, client });
    registerTransactionApi(server, { client, pool });
    registerArchiveApi(server, { client, pruning: db.pruning, maxQueries: options.archiveQueries });
    const listener = server.listen(0);
    stops.push(() => listener.close());
    const url = `http://127.0.0.1:${listener.port}/`;

    const post = async (body: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    };
    let nextId = 1;
    const call = async (method: string, params: unknown = []) =>
      (await post({ jsonrpc: "2.0", id: nextId++, method, params })).json as RpcReply;
    const rpc = async <T>(method: string, params: unknown = []) => {
      const reply = await call(method, params);
      if (reply.error) {
        throw new RpcCallError(reply.error.code, reply.error.message, reply.error.data);
      }
      return reply.result as T;
    };
    return {
      client,
      pool,
      url,
      internalErrors,
      post,
      call,
      rpc,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** As `node/service.ts`: the account's next nonce, on chain then past its ready transactions. */
function nextIndex(client: ChainClient, pool: TransactionPool, account: Uint8Array): number {
  const state = client.stateAt(client.best.header);
  let nonce = runtime.system.accountNonce(state, account);
  const tags = new Set(pool.ready().flatMap((tx) => tx.provides.map(toHex)));
  while (tags.has(toHex(nonceTag(account, nonce)))) nonce++;
  return nonce;
}

/** A signed, immortal `Balances.transferKeepAlive` (one TOKEN unless `value` says otherwise). */
export function transfer(
  genesisHash: Uint8Array,
  from: Signer,
  to: Uint8Array,
  options: { nonce: number; tip?: bigint; value?: bigint },
): Uint8Array {
  return signExtrinsic(
    runtime.encodeCall({
      pallet: "Balances",
      call: "transferKeepAlive",
      args: { dest: { tag: "Id", value: to }, value: options.value ?? TOKEN },
    }),
    from,
    { era: IMMORTAL, nonce: options.nonce, tip: options.tip ?? 0n },
    {
      specVersion: runtime.version.specVersion,
      transactionVersion: runtime.version.transactionVersion,
      genesisHash,
      eraBlockHash: genesisHash,
    },
  );
}

/** Polls `check` until it returns a value other than `undefined`, failing after `ms`. */
export async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A WebSocket JSON-RPC client that keeps every message it receives. */
export class WsClient {
  readonly socket: WebSocket;
  /** Every message received, in order. */
  readonly log: Record<string, unknown>[] = [];
  readonly #closed: Promise<unknown>;
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.addEventListener("message", (event) => this.log.push(JSON.parse(event.data)));
    this.#closed = new Promise((resolve) => socket.addEventListener("close", resolve));
  }

  /** Connects to `url` (http:// is turned into ws://) and waits until open. */
  static async connect(url: string): Promise<WsClient> {
    const client = new WsClient(new WebSocket(url.replace(/^http/, "ws")));
    await new Promise<void>((resolve, reject) => {
      client.socket.addEventListener("open", () => resolve(), { once: true });
      client.socket.addEventListener("error", () => reject(new Error("WebSocket failed")), {
        once: true,
      });
    });
    return client;
  }

  /** Calls `method` and waits for its response object. */
  async call(method: string, params: unknown = []): Promise<RpcReply> {
    const id = this.#nextId++;
    this.socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    return await until(
      `the response to ${method}`,
      () => this.log.find((m) => m.id === id) as RpcReply | undefined,
    );
  }

  /** Subscribes and returns the subscription id; throws on an error response. */
  async subscribe(method: string, params: unknown = []): Promise<string> {
    const reply = await this.call(method, params);
    if (reply.error) {
      throw new RpcCallError(reply.error.code, reply.error.message, reply.error.data);
    }
    return reply.result as string;
  }

  /** The results notified so far on `subscription`, in order. */
  notifications(subscription: string): unknown[] {
    return this.log
      .filter((m) =>
        (m.params as { subscription?: string } | undefined)?.subscription === subscription
      )
      .map((m) => (m.params as { result: unknown }).result);
  }

  /** Waits until `subscription` has at least `count` notifications and returns them all. */
  async waitNotifications(subscription: string, count: number, what: string): Promise<unknown[]> {
    return await until(what, () => {
      const results = this.notifications(subscription);
      return results.length >= count ? results : undefined;
    });
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.socket.readyState <= WebSocket.OPEN) this.socket.close();
    await this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
