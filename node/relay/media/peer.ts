/**
 * Small werift helpers shared by the relay's peer connections.
 *
 * @module
 */
import type { RTCPeerConnection } from "werift";

/** Resolves once `pc` has gathered its ICE candidates (the relay answers without trickling). */
export function gatheringComplete(pc: RTCPeerConnection, timeoutMs = 5_000): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === "complete") done();
    });
    function done() {
      clearTimeout(timer);
      unSubscribe();
      resolve();
    }
  });
}

/**
 * Calls `onGone` once when `pc` fails, closes, or stays disconnected for
 * `disconnectedMs` (ICE consent lost: the other side went away without a word).
 */
export function onPeerGone(
  pc: RTCPeerConnection,
  onGone: () => void,
  disconnectedMs = 4_000,
): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let gone = false;
  const fire = () => {
    if (gone) return;
    gone = true;
    clearTimeout(timer);
    onGone();
  };
  pc.connectionStateChange.subscribe((state) => {
    if (state === "failed" || state === "closed") fire();
    else if (state === "disconnected") timer ??= setTimeout(fire, disconnectedMs);
    else if (state === "connected") {
      clearTimeout(timer);
      timer = undefined;
    }
  });
}
