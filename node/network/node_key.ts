/**
 * The node's libp2p identity, kept in a file so the peer id survives restarts
 * (bootnode multiaddrs of other nodes name it).
 *
 * @module
 */

import {
  generateKeyPair,
  generateKeyPairFromSeed,
  privateKeyFromProtobuf,
  privateKeyToProtobuf,
} from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { NetworkError, NetworkErrorCode } from "../../client/p2p/mod.ts";

/**
 * Loads the ed25519 node key stored at `path` (libp2p protobuf encoding), or
 * creates one there with mode 0600 when the file does not exist.
 *
 * @throws {NetworkError} `NETWORK_NODE_KEY_INVALID` when the file holds anything else
 *
 * @example
 * ```ts ignore
 * const key = await loadOrCreateNodeKey("/tmp/node/network/secret_ed25519");
 * ```
 */
export async function loadOrCreateNodeKey(path: string): Promise<PrivateKey> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    const key = await generateKeyPair("Ed25519");
    // createNew: two nodes started on one base path must not overwrite each other's key.
    await Deno.writeFile(path, privateKeyToProtobuf(key), { mode: 0o600, createNew: true });
    return key;
  }
  let key: PrivateKey;
  try {
    key = privateKeyFromProtobuf(bytes);
  } catch (err) {
    throw invalid(path, (err as Error).message, err);
  }
  if (key.type !== "Ed25519") throw invalid(path, `expected an Ed25519 key, found ${key.type}`);
  return key;
}

/**
 * The ed25519 node key whose 32-byte secret seed is `hex` (with or without
 * `0x`), as Substrate's `--node-key` takes it: a fixed key gives a fixed peer
 * id, so the bootnode address of a local testnet can be written down.
 *
 * @throws {TypeError} on anything but 64 hex digits
 *
 * @example
 * ```ts
 * import { peerIdFromPrivateKey } from "@libp2p/peer-id";
 * import { nodeKeyFromSeed } from "./node_key.ts";
 * const key = await nodeKeyFromSeed("0000000000000000000000000000000000000000000000000000000000000001");
 * // The peer id Substrate's documentation gives for this key.
 * console.assert(
 *   peerIdFromPrivateKey(key).toString() === "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp",
 * );
 * ```
 */
export async function nodeKeyFromSeed(hex: string): Promise<PrivateKey> {
  const digits = hex.replace(/^0x/, "");
  if (!/^[0-9a-fA-F]{64}$/.test(digits)) {
    throw new TypeError(`Invalid node key: expected 32 bytes as 64 hex digits, got "${hex}"`);
  }
  const seed = Uint8Array.from(digits.match(/../g)!, (byte) => parseInt(byte, 16));
  return await generateKeyPairFromSeed("Ed25519", seed);
}

function invalid(path: string, detail: string, cause?: unknown): NetworkError {
  return new NetworkError(
    NetworkErrorCode.NodeKeyInvalid,
    `Cannot load node key: ${path} is not a libp2p ed25519 private key (${detail})`,
    { path },
    { cause },
  );
}
