/**
 * The light client in the page: it checks what the node that served the
 * page says about the chain, with proofs from full nodes over libp2p.
 *
 * It starts from the checkpoint that node gives (`sync_state_genSyncSpec`'s
 * `lightSyncState`: a finalized header and the authority set voting above
 * it). The page takes that from the node as it takes its own code from it;
 * everything after is checked: finality by GRANDPA justifications, state by
 * read proofs against a finalized state root. It dials the WebSocket
 * addresses the node listens on (`system_localListenAddresses`), which a
 * node offers when started with `--listen-addr …/tcp/N/ws`.
 *
 * @module
 */
import { decodeLightSyncState, type LightSyncState } from "../../chain-spec/light_sync_state.ts";
import { LightChain } from "../../client/light/chain.ts";
import { LightClient } from "../../client/light/client.ts";
import { lightProvider } from "../../client/light/rpc/mod.ts";
import { RpcClient } from "../../client/rpc_client.ts";
import { Libp2pTransport } from "../../client/light/libp2p_transport.ts";
import type { ProvenState } from "../../client/light/state.ts";
import { blockHash, type Header } from "../../runtime/block/header.ts";
import { verifyPortable } from "../../runtime/crypto/verify_portable.ts";
import type { Chain } from "./chain.ts";

/** The node offers the light client nothing to start from or to dial. */
export class LightUnavailable extends Error {
  override name = "LightUnavailable";
}

/** How long {@link PageLight.syncTo} waits for finality to reach a block. */
const FINALITY_WAIT_MS = 60_000;
/**
 * Least time between the starts of two syncs (each asks a full node twice,
 * a warp and a finality proof): a node serves a peer 10 requests a second
 * and bans one that keeps asking more, and a dev chain finalizes a block
 * every few hundred milliseconds.
 */
const SYNC_INTERVAL_MS = 1_000;

/** The page's light client: one sync or read at a time, so a read's block stays put. */
export class PageLight {
  readonly #client: LightClient;
  readonly #transport: Libp2pTransport;
  /** The finalized blocks the client proves, as its syncs bring them (it polls nothing itself). */
  readonly #chain: LightChain;
  #queue: Promise<unknown> = Promise.resolve();
  #lastSync = 0;
  #following = false;
  #again = false;

  private constructor(client: LightClient, transport: Libp2pTransport) {
    this.#client = client;
    this.#transport = transport;
    this.#chain = new LightChain(client);
  }

  /**
   * The light client's JSON-RPC (blocks, proven state, transactions; no
   * runtime calls: the page carries no runtime), for the views that read
   * through it as they read through the node (`Chain.over`).
   */
  rpc(chain: Chain, name: string): RpcClient {
    return RpcClient.over(lightProvider({
      chain: this.#chain,
      spec: { name, chainType: "Live" },
      genesisHash: chain.genesisHash,
      node: { name: "web app", version: "light" },
      peers: () => this.#transport.peers(),
    }));
  }

  /**
   * Starts the light client on the checkpoint and WebSocket addresses `chain`'s node gives.
   *
   * @throws {LightUnavailable} when the node listens on no WebSocket address or gives no checkpoint
   */
  static async start(chain: Chain): Promise<PageLight> {
    const addresses = await chain.rpc.call<string[]>("system_localListenAddresses");
    const bootnodes = webSocketAddresses(addresses, location.hostname);
    if (bootnodes.length === 0) {
      throw new LightUnavailable(
        "the node listens on no WebSocket address (start it with --listen-addr /ip4/0.0.0.0/tcp/N/ws)",
      );
    }
    const spec = await chain.rpc.call<{ lightSyncState?: LightSyncState }>(
      "sync_state_genSyncSpec",
      [false],
    );
    if (!spec.lightSyncState) throw new LightUnavailable("the node gives no checkpoint");
    const checkpoint = decodeLightSyncState(spec.lightSyncState);
    // Assigned right below: the handshake says where the client's finality is.
    // deno-lint-ignore prefer-const
    let client: LightClient | undefined;
    const transport = await Libp2pTransport.start({
      genesisHash: chain.genesisHash,
      bootnodes,
      name: "web app",
      log: (line) => console.debug(`light client: ${line}`),
      head: () => {
        const header = client?.finality.finalized ?? checkpoint.header;
        const finalized = { number: header.number, hash: blockHash(header) };
        return { best: finalized, finalized };
      },
    });
    client = new LightClient(checkpoint, transport, verifyPortable);
    return new PageLight(client, transport);
  }

  /** The newest block the light client holds final (checked, not told). */
  get finalized(): Header {
    return this.#client.finality.finalized;
  }

  /** How many full nodes it can ask now. */
  get peers(): number {
    return this.#transport.peers().length;
  }

  /**
   * Brings finality up to the peers' newest justified block.
   *
   * @throws {NoHonestAnswer} when no peer answered with proofs that hold
   */
  sync(): Promise<Header> {
    return this.#alone(async () => {
      const wait = this.#lastSync + SYNC_INTERVAL_MS - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.#lastSync = Date.now();
      return await this.#client.sync();
    });
  }

  /**
   * Syncs until the finalized block is `number` or above (a figure read at
   * the node's best block is then proven at a block that has it).
   *
   * @throws {Error} naming the block when finality does not reach it in a minute
   */
  async syncTo(number: number): Promise<Header> {
    const deadline = Date.now() + FINALITY_WAIT_MS;
    for (let last: unknown;;) {
      try {
        const header = await this.sync();
        if (header.number >= number) return header;
        last = `finalized #${header.number}`;
      } catch (e) {
        last = (e as Error).message;
      }
      if (Date.now() > deadline) {
        throw new Error(`The light client did not see block #${number} finalized: ${last}`);
      }
    }
  }

  /**
   * Runs `read` with the light client to itself (no sync moves its
   * finalized block meanwhile): `prove(keys)` reads keys through a proof at
   * `header`, the finalized block.
   */
  readAt<T>(
    read: (header: Header, prove: (keys: Uint8Array[]) => Promise<ProvenState>) => Promise<T>,
  ): Promise<T> {
    return this.#alone(() =>
      read(this.#client.finality.finalized, (keys) => this.#client.read(keys))
    );
  }

  /**
   * A function that syncs when called (on each finalized head the node
   * announces): one sync at a time, and calls during one make one more
   * after it; `done` hears each outcome.
   */
  follow(done: (outcome: Header | Error) => void): () => void {
    return () => {
      if (this.#following) return void (this.#again = true);
      this.#following = true;
      const run = (): Promise<void> =>
        this.sync().then(done, (e) => done(e as Error)).then(() => {
          if (!this.#again) return void (this.#following = false);
          this.#again = false;
          return run();
        });
      void run();
    };
  }

  /** Runs `task` after every task before it. */
  #alone<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => {});
    return result;
  }
}

/**
 * The WebSocket multiaddrs among `addresses`, those on `hostname` (where
 * the browser found the page) first.
 *
 * @example
 * ```ts
 * import { webSocketAddresses } from "./light.ts";
 * const addresses = webSocketAddresses([
 *   "/ip4/10.0.0.2/tcp/30334/ws/p2p/12D3KooWA",
 *   "/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWA",
 *   "/ip4/127.0.0.1/tcp/30334/ws/p2p/12D3KooWA",
 * ], "127.0.0.1");
 * console.assert(addresses.join() === [
 *   "/ip4/127.0.0.1/tcp/30334/ws/p2p/12D3KooWA",
 *   "/ip4/10.0.0.2/tcp/30334/ws/p2p/12D3KooWA",
 * ].join());
 * ```
 */
export function webSocketAddresses(addresses: string[], hostname: string): string[] {
  const ws = addresses.filter((a) => /\/(ws|wss|tls\/ws)\/p2p\//.test(a));
  const here = (a: string) => a.split("/")[2] === hostname.replace(/^\[|\]$/g, "");
  return [...ws.filter(here), ...ws.filter((a) => !here(a))];
}
