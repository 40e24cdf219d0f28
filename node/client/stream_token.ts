/**
 * `stream token ID`: the WHIP (publish) or WHEP (watch) URL of a stream on
 * the node the client talks to, and a bearer token signed by the given key,
 * to paste into OBS or another WHIP/WHEP client.
 *
 * @module
 */
import { type KeyScheme, signerFromUri } from "../../runtime/crypto/signer.ts";
import { ss58Encode } from "../../runtime/crypto/ss58.ts";
import { issueToken } from "../../client/relay/token.ts";
import type { NodeConnection } from "./commands.ts";

/** What `stream token` was asked for. */
export interface TokenRequest {
  stream: number;
  /** The signer's secret URI. */
  key: string;
  scheme: KeyScheme;
  role: "publish" | "watch";
  /** How long the token is good for, in seconds. */
  seconds: number;
  rpc: string;
}

/**
 * The lines `stream token` prints: the endpoint, the token and its expiry.
 *
 * @throws {TypeError} when the stream does not exist
 */
export async function streamToken(node: NodeConnection, request: TokenRequest): Promise<string[]> {
  const stream = await node.queryStorage("Streams", "Streams", [request.stream]);
  if (stream === undefined || stream === null) {
    throw new TypeError(`No stream ${request.stream} on this chain`);
  }
  const key = signerFromUri(request.key, request.scheme);
  const genesis = await node.rpc.call<string>("chain_getBlockHash", [0]);
  const lifetimeSeconds = request.seconds;
  const token = issueToken(key, {
    genesis,
    stream: request.stream,
    role: request.role,
    audience: httpBase(request.rpc),
    lifetimeSeconds,
    account: ss58Encode(key.account, node.metadata.ss58Format),
  });
  const path = request.role === "publish" ? "whip" : "whep";
  const expires = new Date(Date.now() + lifetimeSeconds * 1000).toISOString();
  return [
    `${path.toUpperCase()} URL: ${httpBase(request.rpc)}/${path}/${request.stream}`,
    `Bearer token: ${token}`,
    `Expires: ${expires}`,
  ];
}

/**
 * The HTTP origin of a node's RPC URL (`ws://h:p` → `http://h:p`): where
 * its WHIP and WHEP endpoints are.
 *
 * @throws {TypeError} for a URL that is not ws, wss, http or https
 */
export function httpBase(rpc: string): string {
  const url = new URL(rpc);
  const scheme = { "ws:": "http:", "wss:": "https:", "http:": "http:", "https:": "https:" }[
    url.protocol
  ];
  if (!scheme) throw new TypeError(`--rpc: expected a ws, wss, http or https URL, got ${rpc}`);
  return `${scheme}//${url.host}`;
}
