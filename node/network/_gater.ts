/**
 * Which connections the node refuses: banned peers always, inbound peers
 * past the node's inbound slots unless reserved, and with `reservedOnly`
 * every peer and every address that is not reserved.
 *
 * @module
 */

import type { ConnectionGater, PeerId } from "@libp2p/interface";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { peerIdOf } from "../../client/p2p/mod.ts";

/** What the gate needs to know. */
export interface GateInit {
  /** Whether a peer is banned now. */
  isBanned: (peerId: string) => boolean;
  /** Multiaddrs (with `/p2p/<id>`) of the reserved nodes. */
  reserved: readonly string[];
  /** Refuse every peer and address that is not reserved. */
  reservedOnly: boolean;
  /** Whether every inbound slot is taken (asked when a new peer connects to this node). */
  inboundFull: () => boolean;
}

/** A libp2p connection gater that applies bans, inbound slots and the reserved-only rule. */
export function connectionGate(init: GateInit): ConnectionGater {
  const reserved = init.reserved.map((text) => multiaddr(text));
  const reservedIds = new Set(reserved.map(peerIdOf));
  const reservedAddrs = new Set(reserved.map(transportOf));
  const refused = (peer: PeerId) => {
    const id = peer.toString();
    return init.isBanned(id) || (init.reservedOnly && !reservedIds.has(id));
  };
  return {
    denyDialPeer: refused,
    denyInboundEncryptedConnection: refused,
    denyOutboundEncryptedConnection: refused,
    denyInboundUpgradedConnection: (peer) =>
      !reservedIds.has(peer.toString()) && init.inboundFull(),
    // A reserved node is reached only where it was said to be: a test's proxy
    // stays on the path even after identify has told the node the peer's own address.
    denyDialMultiaddr: (addr) => init.reservedOnly && !reservedAddrs.has(transportOf(addr)),
  };
}

/** The address without its `/p2p/<id>` part. */
function transportOf(addr: Multiaddr): string {
  return addr.getComponents().filter((c) => c.name !== "p2p").map((c) =>
    c.value === undefined ? `/${c.name}` : `/${c.name}/${c.value}`
  ).join("");
}
