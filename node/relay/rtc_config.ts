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
 * (tests, benchmarks and single-machine setups); IPv6 is off, as the relay
 * listens on IPv4.
 */
export function peerConfig(
  options: { iceServers?: IceServer[]; loopback?: boolean } = {},
): Partial<PeerConfig> {
  return {
    iceServers: options.iceServers ?? [],
    iceUseIpv6: false,
    ...(options.loopback
      ? { iceAdditionalHostAddresses: ["127.0.0.1"], iceInterfaceAddresses: { udp4: "127.0.0.1" } }
      : {}),
  };
}
