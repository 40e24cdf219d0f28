/**
 * Which `Host` headers the RPC answers: the defence against DNS rebinding.
 *
 * A web page on `evil.example` whose name the attacker re-points at
 * 127.0.0.1 is, to the browser, same-origin with a node listening there: its
 * requests carry `Origin: http://evil.example:9944` and pass any origin
 * check. Their `Host` header still names `evil.example`, so a node that only
 * listens on a loopback address answers only requests addressed to a
 * loopback name.
 *
 * @module
 */

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/** Whether `hostname` (as `Deno.serve` reports a bound address) is a loopback address. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || hostname.startsWith("127.");
}

/**
 * The accepted `Host` headers: any, or the loopback names with the port the
 * server listens on.
 *
 * @example
 * ```ts
 * import { HostPolicy } from "./_hosts.ts";
 *
 * const hosts = HostPolicy.loopback(9944);
 * if (!hosts.allows("127.0.0.1:9944") || !hosts.allows("LOCALHOST:9944")) throw new Error("own");
 * if (hosts.allows("evil.example:9944") || hosts.allows("localhost")) throw new Error("other");
 * ```
 */
export class HostPolicy {
  readonly #hosts: ReadonlySet<string> | "any";

  private constructor(hosts: ReadonlySet<string> | "any") {
    this.#hosts = hosts;
  }

  /** Accepts every `Host` (a server reachable from other machines, or not listening itself). */
  static any(): HostPolicy {
    return new HostPolicy("any");
  }

  /** Accepts `localhost`, `127.0.0.1` and `[::1]` with `port` (without it when `port` is 80). */
  static loopback(port: number): HostPolicy {
    const hosts = LOOPBACK_NAMES.map((name) => `${name}:${port}`);
    if (port === 80) hosts.push(...LOOPBACK_NAMES);
    return new HostPolicy(new Set(hosts));
  }

  /** Whether a request with this `Host` header (`null` when absent) may be answered. */
  allows(host: string | null): boolean {
    if (this.#hosts === "any") return true;
    return host !== null && this.#hosts.has(host.toLowerCase());
  }
}
