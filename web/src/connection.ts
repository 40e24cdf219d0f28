/// <reference lib="dom" />
/**
 * The header's connection line: connected to which chain at which node;
 * the moment the node goes away, that it is unreachable and when the page
 * tries again (the RPC client reconnects with backoff by itself and the
 * heads' subscriptions come back with it); then that it is back. A node
 * that comes back with another chain is not taken for the same one.
 *
 * @module
 */
import type { Chain } from "./chain.ts";
import { errorText } from "./dom.ts";
import { toHex } from "../../runtime/primitives/hex.ts";

/** The `data-state` of the line: `connected`, `disconnected`, or `error` (another chain). */
export type ConnectionLine = "connected" | "disconnected" | "error";

/** Keeps `status` saying where `chain`'s connection to its node (of chain `name`) stands. */
export function showConnection(chain: Chain, name: string, status: HTMLElement): void {
  const set = (state: ConnectionLine, text: string) => {
    status.dataset.state = state;
    status.textContent = text;
  };
  let reconnects = 0;
  set("connected", `Connected to ${name} at ${location.host}`);
  chain.rpc.onConnection(async (connection) => {
    if (connection.state === "disconnected") {
      const seconds = Math.ceil(connection.retryInMs / 1000);
      set(
        "disconnected",
        `Node unreachable (${connection.reason}); reconnecting in ${seconds} s` +
          (connection.attempt > 1 ? ` (attempt ${connection.attempt})` : ""),
      );
    } else if (connection.state === "closed") {
      set("disconnected", `Disconnected: ${connection.reason}`);
    } else {
      try {
        const genesis = await chain.rpc.call<string>("chain_getBlockHash", [0]);
        if (genesis !== toHex(chain.genesisHash)) {
          return set(
            "error",
            `The node at ${location.host} now runs another chain: reload the page`,
          );
        }
      } catch (e) {
        return set("disconnected", `Node unreachable (${errorText(e)})`);
      }
      status.dataset.reconnects = String(++reconnects);
      set("connected", `Reconnected to ${name} at ${location.host}`);
    }
  });
}
