/**
 * Helpers of the network tests: real nodes on 127.0.0.1 with OS-chosen ports.
 *
 * @module
 */

import { generateKeyPair } from "@libp2p/crypto/keys";
import { Network } from "./network.ts";
import type { NetworkOptions } from "./types.ts";

/** The genesis hash of the test chain. */
export const GENESIS: Uint8Array = new Uint8Array(32).fill(7);

/** Starts a node on a free port with quick redials; `bootnodes` may be other nodes. */
export async function startNode(
  options: Partial<Omit<NetworkOptions, "bootnodes">> & { bootnodes?: (string | Network)[] } = {},
): Promise<Network> {
  const bootnodes = (options.bootnodes ?? []).map((b) =>
    typeof b === "string" ? b : b.listenAddresses()[0]
  );
  return await Network.start({
    genesisHash: GENESIS,
    privateKey: await generateKeyPair("Ed25519"),
    listen: ["/ip4/127.0.0.1/tcp/0"],
    redial: { minMs: 100, maxMs: 1_000 },
    ...options,
    bootnodes,
  });
}

/** Polls `condition` every 50 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(50);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `a` lists `b` as a peer. */
export function connected(a: Network, b: Network): boolean {
  return a.peers().some((p) => p.peerId === b.peerId);
}

/** Stops every node, even when one of them fails to stop. */
export async function stopAll(...nodes: (Network | undefined)[]): Promise<void> {
  await Promise.allSettled(nodes.map((n) => n?.stop()));
}
