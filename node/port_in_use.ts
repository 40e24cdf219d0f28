/**
 * A port the node needs that another process holds: the node stops with a
 * line naming the flag and the port (`--rpc-port 9944 is in use`), so that
 * whoever runs a second node on one machine knows what to change.
 *
 * @module
 */

/** A port (or listen address) given by `flag` was taken by another process. */
export class PortInUseError extends Error {
  /** Stable code, as node errors carry. */
  readonly code = "NODE_PORT_IN_USE";

  constructor(readonly flag: string, readonly port: string | number, options?: ErrorOptions) {
    super(
      `${flag} ${port} is in use: another process (another node?) listens there; ` +
        `give this one another ${flag}`,
      options,
    );
    this.name = "PortInUseError";
  }
}

/**
 * Runs `bind`; a failure because the address is in use becomes a
 * {@link PortInUseError} for `flag` and `port`, any other failure passes through.
 *
 * @example
 * ```ts
 * import { bindPort, PortInUseError } from "./port_in_use.ts";
 * const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const { port } = taken.addr as Deno.NetAddr;
 * try {
 *   await bindPort("--rpc-port", port, () => Deno.listen({ hostname: "127.0.0.1", port }));
 * } catch (e) {
 *   console.assert(e instanceof PortInUseError && e.message.startsWith(`--rpc-port ${port} is in use`));
 * } finally {
 *   taken.close();
 * }
 * ```
 */
export async function bindPort<T>(
  flag: string,
  port: string | number,
  bind: () => T | Promise<T>,
): Promise<T> {
  try {
    return await bind();
  } catch (e) {
    // Deno's own listeners throw AddrInUse; libp2p's (Node's net) say EADDRINUSE in the message.
    if (e instanceof Deno.errors.AddrInUse || /EADDRINUSE/.test(String((e as Error)?.message))) {
      throw new PortInUseError(flag, port, { cause: e });
    }
    throw e;
  }
}
