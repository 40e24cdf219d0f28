/**
 * ICE candidates a worker can use. A worker bound to an IPv4 address
 * (127.0.0.1 on a node that serves only loopback clients) cannot send to a
 * peer's IPv6 candidates: libjuice tries each on every connectivity check
 * and logs a failed send ("errno=97") each time, so they are left out of
 * the peer's description and of what it trickles.
 *
 * @module
 */

/**
 * Whether a worker bound to `bindAddress` can reach `candidate` (an SDP
 * `candidate:` attribute value, with or without `a=`).
 *
 * @example
 * ```ts
 * import { reachable } from "./candidates.ts";
 * const v6 = "candidate:1 1 UDP 2122262783 ::1 50000 typ host";
 * if (reachable(v6, "127.0.0.1") || !reachable(v6, undefined)) throw new Error();
 * ```
 */
export function reachable(candidate: string, bindAddress: string | undefined): boolean {
  if (!bindAddress || bindAddress.includes(":")) return true;
  const address = candidate.replace(/^a=/, "").split(/\s+/)[4];
  return address === undefined || !address.includes(":");
}

/** `sdp` without the candidates a worker bound to `bindAddress` cannot reach. */
export function withReachableCandidates(sdp: string, bindAddress: string | undefined): string {
  if (!bindAddress || bindAddress.includes(":")) return sdp;
  return sdp.split(/\r?\n/)
    .filter((line) => !line.startsWith("a=candidate:") || reachable(line, bindAddress))
    .join("\r\n");
}
