/**
 * How the relay's werift peer connections are set up.
 *
 * @module
 */
import type { PeerConfig } from "werift";

/** An ICE server as `RTCConfiguration` and WHIP's `Link` header carry it. */
export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

/**
 * werift settings for the relay's peer connections. werift skips the loopback
 * interface when it gathers host candidates, so `loopback` adds 127.0.0.1
 * (peers on the same machine); `loopbackOnly` gathers nothing else (tests
 * and benchmarks). IPv6 is off, as the relay listens on IPv4.
 */
export function peerConfig(
  options: { iceServers?: IceServer[]; loopback?: boolean; loopbackOnly?: boolean } = {},
): Partial<PeerConfig> {
  return {
    iceServers: options.iceServers ?? [],
    iceUseIpv6: false,
    ...(options.loopback || options.loopbackOnly
      ? { iceAdditionalHostAddresses: ["127.0.0.1"] }
      : {}),
    ...(options.loopbackOnly ? { iceInterfaceAddresses: { udp4: "127.0.0.1" } } : {}),
  };
}
