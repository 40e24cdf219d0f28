/// <reference lib="dom" />
/**
 * Watch, connection details: the simulcast layer received, frames decoded,
 * freezes, bitrate and loss from `getStats()` each second, and the serving
 * relay's: its origin, its depth in the stream's relay tree and its
 * viewers, as it says.
 *
 * @module
 */
import type { RelayLoad, StreamInTree } from "../../../client/relay/answers.ts";
import { h } from "../dom.ts";
import { Bitrate, formatBitrate, rtpTotals } from "../media/rtc.ts";

/** The connection details' element and what updates it. */
export interface WatchStats {
  element: HTMLElement;
  /** Back to no session. */
  reset(): void;
  /** The layer the relay says the viewer gets, and the layers there are. */
  layer(layer: string, layers?: string[]): void;
  /** The relay serving; `sentOn` when this node sent the viewer to it. */
  relay(origin: string, sentOn: boolean): void;
  /** Reads the serving relay's depth for stream `id` and its viewers. */
  showRelay(origin: string, id: number): Promise<void>;
  /** Samples `pc`'s received media; resolves with the bytes received so far. */
  sample(pc: RTCPeerConnection): Promise<number>;
  /** Viewers of the stream on this node, as it says. */
  viewersHere(count: number): void;
}

/** Builds the connection details. */
export function mountWatchStats(): WatchStats {
  const stats = {
    layer: h("span", { "data-testid": "stats-layer" }, "—"),
    frames: h("span", { "data-testid": "stats-frames-decoded" }, "0"),
    freezes: h("span", { "data-testid": "stats-freeze-count" }, "0"),
    bitrate: h("span", { "data-testid": "stats-bitrate" }, "—"),
    loss: h("span", { "data-testid": "stats-loss" }, "—"),
  };
  const relay = {
    origin: h("span", { "data-testid": "stats-relay" }, "—"),
    depth: h("span", { "data-testid": "stats-relay-depth" }, "—"),
    viewers: h("span", { "data-testid": "stats-relay-viewers" }, "—"),
    here: h("span", { "data-testid": "stats-viewers-here" }, "—"),
  };
  let rate = new Bitrate();
  return {
    element: h(
      "div",
      { class: "watch-stats" },
      h(
        "p",
        {},
        "Layer ",
        stats.layer,
        " · frames decoded ",
        stats.frames,
        " · freezes ",
        stats.freezes,
        " · ",
        stats.bitrate,
        " · loss ",
        stats.loss,
      ),
      h(
        "p",
        {},
        "Relay ",
        relay.origin,
        " · depth ",
        relay.depth,
        " · its viewers ",
        relay.viewers,
        " · watching on this node ",
        relay.here,
      ),
    ),
    reset: () => {
      rate = new Bitrate();
      stats.frames.textContent = stats.freezes.textContent = "0";
      stats.bitrate.textContent = stats.loss.textContent = stats.layer.textContent = "—";
    },
    layer: (layer, layers) => {
      stats.layer.textContent = layers ? `${layer} (of ${layers.join(", ")})` : layer;
      stats.layer.dataset.layer = layer;
    },
    relay: (origin, sentOn) => {
      relay.origin.textContent = sentOn
        ? `${origin} (this node serves all the viewers it can: it sent you on)`
        : origin;
      relay.origin.dataset.origin = origin;
    },
    showRelay: async (origin, id) => {
      const [streams, load] = await Promise.all([
        fetch(`${origin}/relay/streams`).then((r) => r.json() as Promise<StreamInTree[]>),
        fetch(`${origin}/relay/load`).then((r) => r.json() as Promise<RelayLoad>),
      ]);
      const depth = streams.find((s) => s.stream === id)?.depth;
      relay.depth.textContent = depth === undefined || depth === null ? "—" : String(depth);
      relay.viewers.textContent = load.maxViewers === null
        ? String(load.viewers)
        : `${load.viewers} of ${load.maxViewers}`;
    },
    sample: async (pc) => {
      const totals = await rtpTotals(pc, "inbound-rtp");
      stats.frames.textContent = String(totals.framesDecoded);
      stats.freezes.textContent = String(totals.freezeCount);
      stats.bitrate.textContent = formatBitrate(rate.sample(totals.bytes, performance.now()));
      const sent = totals.packets + totals.packetsLost;
      stats.loss.textContent = sent ? `${((100 * totals.packetsLost) / sent).toFixed(1)}%` : "—";
      return totals.bytes;
    },
    viewersHere: (count) => void (relay.here.textContent = String(count)),
  };
}
