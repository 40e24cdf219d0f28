/**
 * The status handshake both sides send right after connecting, on a protocol
 * that is not genesis-scoped so that peers of another chain can be told apart
 * (and dropped) instead of failing protocol negotiation silently.
 *
 * Layout: `version u8 (1) ++ genesis [32] ++ role u8 ++ name utf8 (<= 64 bytes)`.
 *
 * @module
 */

/** What a node does for the network, as Substrate's `system_peers` shows it. */
export type Role = "full" | "authority" | "light";

/** What a peer says about itself when it connects. */
export interface Status {
  genesisHash: Uint8Array;
  role: Role;
  name: string;
}

/** The protocol id of the handshake. */
export const STATUS_PROTOCOL = "/sutantra/status/1";
/** Largest status frame. */
export const MAX_STATUS_BYTES = 1 + 32 + 1 + 64;

const ROLES: readonly Role[] = ["full", "authority", "light"];

/** Encodes a status for the wire. */
export function encodeStatus(status: Status): Uint8Array {
  const name = new TextEncoder().encode(status.name).subarray(0, 64);
  const out = new Uint8Array(34 + name.length);
  out[0] = 1;
  out.set(status.genesisHash, 1);
  out[33] = ROLES.indexOf(status.role);
  out.set(name, 34);
  return out;
}

/** @throws {TypeError} `Cannot decode status: …` on anything but a version-1 status */
export function decodeStatus(bytes: Uint8Array): Status {
  if (bytes.length < 34 || bytes.length > MAX_STATUS_BYTES) {
    throw new TypeError(`Cannot decode status: length ${bytes.length} outside 34..98`);
  }
  if (bytes[0] !== 1) throw new TypeError(`Cannot decode status: unknown version ${bytes[0]}`);
  const role = ROLES[bytes[33]];
  if (role === undefined) throw new TypeError(`Cannot decode status: unknown role ${bytes[33]}`);
  const name = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(34));
  return { genesisHash: bytes.slice(1, 33), role, name };
}
