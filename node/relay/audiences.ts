/**
 * The origins a relay answers to: what a token's audience (`aud`) must name
 * for this node to accept it.
 *
 * @module
 */

/**
 * The origins clients reach this node's HTTP port at: its public URL's, the
 * loopback names on `port`, and, when it listens on every interface
 * (`external`), each interface address on `port`.
 *
 * @example
 * ```ts
 * import { relayAudiences } from "./audiences.ts";
 * const origins = relayAudiences("https://relay.example/", 9944, false);
 * if (!origins.has("https://relay.example") || !origins.has("http://localhost:9944")) {
 *   throw new Error("missing an origin");
 * }
 * ```
 */
export function relayAudiences(publicUrl: string, port: number, external: boolean): Set<string> {
  const origins = new Set([new URL(publicUrl).origin]);
  for (const host of ["127.0.0.1", "localhost", "[::1]"]) origins.add(`http://${host}:${port}`);
  if (external) {
    for (const { family, address } of Deno.networkInterfaces()) {
      origins.add(family === "IPv6" ? `http://[${address}]:${port}` : `http://${address}:${port}`);
    }
  }
  return origins;
}
