/**
 * The status handshake both sides send right after connecting, on a protocol
 * that is not genesis-scoped so that peers of another chain can be told apart
 * (and dropped) instead of failing protocol negotiation silently. Like
 * Substrate's block-announces handshake it also says where the sender's
 * chain is, so a node knows at once which peers are worth syncing from.
 *
 * Layout (version 2): `version u8 ++ genesis [32] ++ role u8 ++
 * best number u32 LE ++ best hash [32] ++ finalized number u32 LE ++
 * finalized hash [32] ++ name utf8 (<= 64 bytes)`.
 *
 * @module
 */

/** What a node does for the network, as Substrate's `system_peers` shows it. */
export type Role = "full" | "authority" | "light";

/** A block by number and hash. */
export interface BlockRef {
  number: number;
  hash: Uint8Array;
}

/** Where a node's chain is: its best and its last finalized block. */
export interface ChainHead {
  best: BlockRef;
  finalized: BlockRef;
}

/** What a peer says about itself when it connects. */
export interface Status extends ChainHead {
  genesisHash: Uint8Array;
  role: Role;
  name: string;
}

/** The protocol id of the handshake (the version byte is in the frame). */
export const STATUS_PROTOCOL = "/sutantra/status/1";

const VERSION = 2;
/** Bytes before the name. */
const FIXED_BYTES = 1 + 32 + 1 + (4 + 32) * 2;
const MAX_NAME_BYTES = 64;
/** Largest status frame. */
export const MAX_STATUS_BYTES = FIXED_BYTES + MAX_NAME_BYTES;

const ROLES: readonly Role[] = ["full", "authority", "light"];

/**
 * Encodes a status for the wire (the name cut to 64 bytes).
 *
 * @example
 * ```ts
 * import { decodeStatus, encodeStatus } from "./status.ts";
 * const genesis = { number: 0, hash: new Uint8Array(32) };
 * const bytes = encodeStatus({
 *   genesisHash: genesis.hash,
 *   role: "full",
 *   name: "alice",
 *   best: genesis,
 *   finalized: genesis,
 * });
 * console.assert(decodeStatus(bytes).name === "alice");
 * ```
 */
export function encodeStatus(status: Status): Uint8Array {
  const name = new TextEncoder().encode(status.name).subarray(0, MAX_NAME_BYTES);
  const out = new Uint8Array(FIXED_BYTES + name.length);
  const view = new DataView(out.buffer);
  out[0] = VERSION;
  out.set(status.genesisHash, 1);
  out[33] = ROLES.indexOf(status.role);
  let at = 34;
  for (const block of [status.best, status.finalized]) {
    view.setUint32(at, block.number, true);
    out.set(block.hash, at + 4);
    at += 36;
  }
  out.set(name, at);
  return out;
}

/**
 * @throws {TypeError} `Cannot decode status: …` on anything but a version-2
 * status, and on one whose finalized block is above its best
 */
export function decodeStatus(frame: Uint8Array): Status {
  // A plain copy: a frame may be a Node Buffer, whose slice() is a view, not a copy.
  const bytes = Uint8Array.from(frame);
  if (bytes.length < FIXED_BYTES || bytes.length > MAX_STATUS_BYTES) {
    throw new TypeError(
      `Cannot decode status: length ${bytes.length} outside ${FIXED_BYTES}..${MAX_STATUS_BYTES}`,
    );
  }
  if (bytes[0] !== VERSION) {
    throw new TypeError(`Cannot decode status: unknown version ${bytes[0]}`);
  }
  const role = ROLES[bytes[33]];
  if (role === undefined) throw new TypeError(`Cannot decode status: unknown role ${bytes[33]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const block = (at: number): BlockRef => ({
    number: view.getUint32(at, true),
    hash: bytes.slice(at + 4, at + 36),
  });
  const best = block(34);
  const finalized = block(70);
  if (finalized.number > best.number) {
    throw new TypeError(
      `Cannot decode status: finalized #${finalized.number} above best #${best.number}`,
    );
  }
  const name = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(FIXED_BYTES));
  return { genesisHash: bytes.slice(1, 33), role, name, best, finalized };
}

/**
 * The status this peer sends as of now: its chain head as `head` says (the
 * genesis for both best and finalized when it has none), encoded per
 * handshake since the head moves.
 */
export function localStatus(
  genesisHash: Uint8Array,
  role: Role,
  name: string,
  head?: () => ChainHead,
): Uint8Array {
  const genesis = { number: 0, hash: genesisHash };
  return encodeStatus({
    genesisHash,
    role,
    name,
    ...(head?.() ?? { best: genesis, finalized: genesis }),
  });
}
