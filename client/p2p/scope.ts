/**
 * Names on the wire that are scoped by the chain: peers of another chain
 * speak other protocols, so they never mistake each other's messages.
 *
 * @module
 */
import { toHexRaw } from "../../runtime/primitives/hex.ts";

/**
 * The prefix of a chain's gossip topics and request protocols:
 * `/sutantra/<genesis hex>`.
 *
 * @example
 * ```ts
 * import { chainScope } from "./scope.ts";
 * console.assert(chainScope(new Uint8Array(32)) === `/sutantra/${"00".repeat(32)}`);
 * ```
 */
export function chainScope(genesisHash: Uint8Array): string {
  return `/sutantra/${toHexRaw(genesisHash)}`;
}

/**
 * The id of the chain's request protocol `name`: `/sutantra/<genesis hex>/<name>/1`.
 *
 * @throws {TypeError} on a name that is not `[A-Za-z0-9_-]+`
 * @example
 * ```ts
 * import { protocolId } from "./scope.ts";
 * console.assert(protocolId(new Uint8Array(32), "light").endsWith("/light/1"));
 * ```
 */
export function protocolId(genesisHash: Uint8Array, name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new TypeError(`Invalid protocol name: "${name}"`);
  return `${chainScope(genesisHash)}/${name}/1`;
}
