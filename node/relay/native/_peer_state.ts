/**
 * When a worker's peer connection is up, and when it is gone: failed,
 * closed, disconnected for {@link DISCONNECTED_MS} (ICE consent lost: the
 * other side left without a word), or never connected within
 * {@link CONNECT_TIMEOUT_MS} (an answer nobody used).
 *
 * @module
 */
import type { PeerConnection } from "node-datachannel";

/** A connection disconnected this long is gone. */
export const DISCONNECTED_MS = 4_000;

/** A connection not up this long after the answer is gone. */
export const CONNECT_TIMEOUT_MS = 15_000;

/**
 * Calls `onConnected` each time `pc` connects and `onGone` once, with why,
 * when it is gone. node-datachannel keeps one state callback per
 * connection: this is the only place that sets it.
 */
export function watchPeerState(
  pc: PeerConnection,
  handlers: { onConnected?: () => void; onGone: (reason: string) => void },
): void {
  let gone = false;
  let disconnected: ReturnType<typeof setTimeout> | undefined;
  const fire = (reason: string) => {
    if (gone) return;
    gone = true;
    clearTimeout(disconnected);
    clearTimeout(connecting);
    handlers.onGone(reason);
  };
  const connecting = setTimeout(() => fire("never connected"), CONNECT_TIMEOUT_MS);
  pc.onStateChange((state) => {
    if (state === "connected") {
      clearTimeout(connecting);
      clearTimeout(disconnected);
      disconnected = undefined;
      handlers.onConnected?.();
    } else if (state === "failed" || state === "closed") fire(`connection ${state}`);
    else if (state === "disconnected") {
      disconnected ??= setTimeout(() => fire("connection lost"), DISCONNECTED_MS);
    }
  });
}
