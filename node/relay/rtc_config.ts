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
 * and benchmarks). IPv6 is off, as the relay listens on IPv4. Media and data
 * share one transport (`max-bundle`, which WHIP and WHEP require): with
 * werift's default an offerer also opens a transport per extra m-line that
 * outlives `close()`, a UDP socket leaked per session.
 */
export function peerConfig(
  options: { iceServers?: IceServer[]; loopback?: boolean; loopbackOnly?: boolean } = {},
): Partial<PeerConfig> {
  return {
    iceServers: options.iceServers ?? [],
    iceUseIpv6: false,
    bundlePolicy: "max-bundle",
    ...(options.loopback || options.loopbackOnly
      ? { iceAdditionalHostAddresses: ["127.0.0.1"] }
      : {}),
    ...(options.loopbackOnly ? { iceInterfaceAddresses: { udp4: "127.0.0.1" } } : {}),
  };
}
