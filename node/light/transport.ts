/**
 * A light client's transport in Deno: the node's libp2p network (started
 * with role `light`), asking full nodes on their `light` protocol. A peer
 * the client bans loses all its reputation at once, so the network drops
 * it and refuses it for the ban's while.
 *
 * @module
 */
import type { LightTransport } from "../../client/light/client.ts";
import type { Network } from "../network/mod.ts";
import { LIGHT_PROTOCOL } from "../sync/mod.ts";

/** Reputation a lie costs: past the network's ban threshold at once. */
const LIE_PENALTY = 1_000;

/** How long a light request may wait for its answer. */
const REQUEST_TIMEOUT_MS = 10_000;

/** The light client's view of `network`: its full peers, asked in turn. */
export function networkTransport(network: Network): LightTransport {
  return {
    // Other light clients serve nothing.
    peers: () => network.peers().filter((p) => p.roles !== "light").map((p) => p.peerId),
    request: (peer, request) =>
      network.request(peer, LIGHT_PROTOCOL, request, { timeoutMs: REQUEST_TIMEOUT_MS }),
    ban: (peer, reason) => network.report(peer, LIE_PENALTY, reason),
  };
}
