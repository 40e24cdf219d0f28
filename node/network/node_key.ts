/**
 * The node's libp2p identity, kept in a file so the peer id survives restarts
 * (bootnode multiaddrs of other nodes name it).
 *
 * @module
 */

import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { NetworkError, NetworkErrorCode } from "./errors.ts";

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

function invalid(path: string, detail: string, cause?: unknown): NetworkError {
  return new NetworkError(
    NetworkErrorCode.NodeKeyInvalid,
    `Cannot load node key: ${path} is not a libp2p ed25519 private key (${detail})`,
    { path },
    { cause },
  );
}
