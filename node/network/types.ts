/**
 * The public types of the network service: topics, handlers, peers, options.
 *
 * @module
 */

import type { PrivateKey } from "@libp2p/interface";
import type { ReputationInit } from "./_reputation.ts";
import type { BlockRef, ChainHead, RedialInit, Role } from "../../client/p2p/mod.ts";

/** A gossip topic; on the wire it is `/sutantra/<genesis hex>/<topic>/1`. */
export type Topic = "blocks" | "transactions" | "grandpa";

/**
 * What a gossip message turned out to be: `accept` (deliver and forward),
 * `ignore` (neither forward nor blame: a duplicate, or not checkable yet) or
 * `reject` (invalid: not forwarded, and the peer that sent it is scored down
 * by gossipsub).
 */
export type GossipVerdict = "accept" | "ignore" | "reject";

/**
 * Receives one gossip message and the peer that relayed it, before the
 * message is forwarded: only accepted messages travel on, so an honest peer
 * never relays what it found invalid. No verdict means `accept`.
 */
export type GossipHandler = (
  data: Uint8Array,
  from: string,
) => GossipVerdict | void | Promise<GossipVerdict | void>;

/** Answers one request; a thrown error is sent back to the requester as its message. */
export type RequestHandler = (request: Uint8Array, from: string) => Promise<Uint8Array>;

/** A connection event: the handshake with a peer succeeded, or its last connection closed. */
export type PeerEvent = "connect" | "disconnect";

/** A connected peer that passed the genesis handshake. */
export interface PeerInfo {
  peerId: string;
  /** Remote multiaddrs of the open connections. */
  addresses: string[];
  /** What the peer said it does. */
  roles?: Role;
  /** The node name the peer announced. */
  name?: string;
  /** The peer's best block when it connected, as its handshake said (unverified). */
  best: BlockRef;
  /** The peer's finalized block when it connected, as its handshake said (unverified). */
  finalized: BlockRef;
}

/** Options of {@link Network.start}. */
export interface NetworkOptions {
  /** Only peers with this genesis stay connected; topics and protocols are scoped by it. */
  genesisHash: Uint8Array;
  /** The node key (see `loadOrCreateNodeKey`). */
  privateKey: PrivateKey;
  /**
   * Multiaddrs to listen on, tcp (`/ip4/127.0.0.1/tcp/30333`) or WebSockets
   * (`/ip4/127.0.0.1/tcp/30334/ws`, what a browser can dial); port 0 picks one.
   */
  listen: string[];
  /** Multiaddrs with `/p2p/<id>` to dial at start and keep dialling. */
  bootnodes: string[];
  /**
   * Multiaddrs with `/p2p/<id>` of peers to stay connected to: dialled at
   * start and redialled whenever they drop, as bootnodes are.
   */
  reserved?: string[];
  /**
   * Dial and accept only the reserved nodes, and only at their reserved
   * addresses (so a test can route every link through a proxy); bootnodes
   * are not dialled and no peers are discovered. Default false.
   */
  reservedOnly?: boolean;
  /** How many peers may connect to this node (reserved nodes aside). Default 32. */
  inPeers?: number;
  /** How many peers this node dials out to, found by discovery. Default 8. */
  outPeers?: number;
  /**
   * Where the addresses of peers met are kept across restarts (JSON, bounded),
   * e.g. `<chain path>/network/peers.json`; none when omitted.
   */
  peersFile?: string;
  /** The node name announced to peers (at most 64 bytes are sent). */
  name?: string;
  /** The role announced to peers. Default `full`. */
  roles?: Role;
  /** This node's best and finalized block, read at each handshake. Default: genesis for both. */
  head?: () => ChainHead;
  /** Largest request served or sent. Default 1 MiB. */
  maxRequestBytes?: number;
  /** Largest response served or accepted. Default 16 MiB. */
  maxResponseBytes?: number;
  /** Default deadline of {@link Network.request}. Default 20 s. */
  requestTimeoutMs?: number;
  /** Reputation threshold, ban period and decay. */
  reputation?: ReputationInit;
  /** Redial backoff of bootnodes and reserved nodes. */
  redial?: RedialInit;
  /** Receives one line per notable event (bans, dropped peers, handler failures). */
  log?: (message: string) => void;
}
