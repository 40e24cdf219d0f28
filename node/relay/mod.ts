/**
 * The node's WebRTC relay: WHIP ingest, WHEP playback, upstream pulls from
 * other relays, and the chain's directory kept true, on the node's HTTP app.
 *
 * @module
 */
import type { Hono } from "hono";
import type { RelaySettings } from "../../chain-spec/spec.ts";
import type { SigningKey } from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { ChainClient } from "../chain/mod.ts";
import type { Logger } from "../log.ts";
import { LocalSigner } from "../pool/local_signer.ts";
import type { TransactionPool } from "../pool/mod.ts";
import { RelayDirectory } from "./directory.ts";
import { addRelayRoutes } from "./http.ts";
import { PaymentDesk } from "./pay/desk.ts";
import { accountOf } from "../../runtime/crypto/mod.ts";
import { StreamDepths } from "./depth.ts";
import { InProcessPlane } from "./media/plane.ts";
import { RelayOverflow } from "./overflow.ts";
import { DEFAULT_MAX_VIEWERS_PER_WORKER, type MediaWorkers } from "./native/mod.ts";
import { WorkerPlane } from "./native/worker_plane.ts";
import { IN_PROCESS_MAX_VIEWERS } from "./plane.ts";
import { Relay } from "./relay.ts";
import { type IceServer, peerConfig } from "./rtc_config.ts";
import { UpstreamPuller } from "./upstream.ts";
import { carrierEndpoints } from "./carriers.ts";
import { PublisherLiveness } from "./liveness.ts";
import { Posters } from "./posters.ts";
import { getStream } from "../../pallets/streams/mod.ts";
import { DEFAULT_SESSION_CAPS, SessionCaps } from "./session_caps.ts";

export { Relay, RelayError } from "./relay.ts";
export type { CarriedStream } from "./relay.ts";

/** Settings for a chain spec without a `relay` section. */
export const DEFAULT_RELAY_SETTINGS: RelaySettings = { graceSeconds: 5, iceServers: [] };

/** What the relay needs of the node. */
export interface RelayServiceInit {
  client: ChainClient;
  pool: TransactionPool;
  /**
   * The node's account key (ed25519, or sr25519 or ecdsa on a node that
   * does not validate): it signs relay announcements, claims, reports and
   * pulls. Without it the relay only serves.
   */
  key?: SigningKey;
  log: Logger;
  settings?: RelaySettings;
  /** STUN/TURN URLs from the command line. */
  iceServers: string[];
  /** Where other relays reach this node's HTTP port. */
  publicUrl: string;
  /**
   * Register as a relay on chain at start (with `--public-url`), so that
   * full relays can send viewers here; otherwise the relay registers when
   * it first carries or pulls a stream.
   */
  announce?: boolean;
  /** The origins clients reach this relay at: a token must name one as its audience. */
  audiences: ReadonlySet<string>;
  /** A directory for the relay's own database. */
  dataPath: string;
  /** Cap sessions per IP for loopback clients too. */
  capLoopback?: boolean;
  /** Media worker processes (0, the default here: media in this process, on werift). */
  workers?: number;
  /** Viewers served at most (default: what the media plane serves without loss). */
  maxViewers?: number;
  /**
   * The address media workers bind their peer connections to: 127.0.0.1
   * when clients reach the node there only; every interface when unset.
   */
  mediaAddress?: string;
}

/** A running relay service. */
export interface RelayService {
  relay: Relay;
  /** The media workers, when media runs in them. */
  workers?: MediaWorkers;
  /** Each carried stream's depth in its relay tree here. */
  depths: StreamDepths;
  close(): Promise<void>;
}

/** Starts the relay (and its payment desk) and adds its routes to `app`. */
export async function startRelay(app: Hono, init: RelayServiceInit): Promise<RelayService> {
  const settings = init.settings ?? DEFAULT_RELAY_SETTINGS;
  const iceServers: IceServer[] = [
    ...settings.iceServers,
    ...init.iceServers.map((urls) => ({ urls })),
  ];
  const peer = peerConfig({ iceServers, loopback: true });
  const { client, key, log } = init;
  const signer = key ? new LocalSigner({ client, pool: init.pool, key }) : undefined;
  const directory = signer
    ? new RelayDirectory({ client, signer, endpoint: init.publicUrl, log })
    : undefined;
  await Deno.mkdir(init.dataPath, { recursive: true });
  const payments = await PaymentDesk.open({
    client,
    path: init.dataPath,
    signer,
    log,
    graceSeconds: settings.graceSeconds,
  });
  const upstream = key
    ? new UpstreamPuller({
      client,
      key,
      log,
      directory,
      backing: (stream) => payments.vouchersFor(stream),
    })
    : undefined;
  const caps = new SessionCaps({
    ...DEFAULT_SESSION_CAPS,
    ...settings.sessionCaps,
    capLoopback: init.capLoopback,
  });
  const workers = init.workers ?? 0;
  const maxViewers = init.maxViewers ??
    (workers ? workers * DEFAULT_MAX_VIEWERS_PER_WORKER : IN_PROCESS_MAX_VIEWERS);
  const plane = workers
    ? new WorkerPlane({
      workers,
      // A worker's own bound is what it serves without loss; the node's viewers are
      // capped by the relay, and relays pulling (never redirected) count on the worker only.
      maxViewersPerWorker: Math.max(
        DEFAULT_MAX_VIEWERS_PER_WORKER,
        Math.ceil(maxViewers / workers),
      ),
      bindAddress: init.mediaAddress,
      iceServers: iceServers.flatMap(workerIceServer),
      directory,
      upstream,
      log,
    })
    : new InProcessPlane({ peerConfig: peer, directory, upstream });
  const self = key && accountOf(key);
  const overflow = new RelayOverflow({ client, self, log });
  const relay = new Relay({ client, plane, log, payments, caps, maxViewers, overflow });
  const streamOf = (stream: bigint) => getStream(client.stateAt(client.best.header), stream);
  const carriers = (stream: bigint) =>
    carrierEndpoints(client.stateAt(client.best.header), stream, self);
  const liveness = new PublisherLiveness({
    relay,
    status: (stream) => streamOf(stream)?.status.tag ?? null,
    carriers,
    self: init.publicUrl.replace(/\/+$/, ""),
  });
  addRelayRoutes(app, {
    relay,
    genesis: toHex(client.genesisHash),
    audiences: init.audiences,
    iceServers,
    maxTokenSeconds: settings.maxTokenSeconds,
    upstream,
    liveness,
    posters: new Posters({ stream: streamOf, carriers }),
  });
  if (init.announce) directory?.takePart();
  if (!key) log.info("📡 Relay without a key: it serves streams but neither pulls nor claims");
  return {
    relay,
    workers: plane instanceof WorkerPlane ? plane.workers : undefined,
    depths: new StreamDepths(relay, upstream),
    close: async () => {
      directory?.stop();
      await relay.close();
      payments.claimAll();
      await payments.close();
    },
  };
}

/**
 * An ICE server as libdatachannel spells it: `stun:host:port`, or
 * `turn:user:password@host:port` with its credentials (one it cannot
 * express, a `turns:` URL with query options, is passed as it is).
 */
function workerIceServer(server: IceServer): string[] {
  const match = /^(turns?):(.*)$/.exec(server.urls);
  if (!match || server.username === undefined) return [server.urls];
  const user = encodeURIComponent(server.username);
  const password = encodeURIComponent(server.credential ?? "");
  return [`${match[1]}:${user}:${password}@${match[2]}`];
}
