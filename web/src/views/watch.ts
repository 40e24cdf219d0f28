/// <reference lib="dom" />
/**
 * Watch: a stream played by WHEP from this node (or from the relay it sends
 * the viewer to when it serves all the viewers it can), paid for each
 * second with vouchers to the serving relay on the `sutantra-pay` data
 * channel; the payment channel opened and topped up on chain; a running
 * meter, the connection's stats, and the serving relay's: its depth in the
 * stream's relay tree and its viewers. No session starts, and no voucher is
 * signed, before the light client proved the price and channel paid by
 * (`channel.ts`); vouchers then pay the proven price on the proven channel,
 * whatever the relay's `session` message says.
 *
 * @module
 */
import { ViewerPayments } from "../../../client/viewer_payments.ts";
import { endSession } from "../../../client/relay/whep_client.ts";
import {
  type LayerRequestMessage,
  PAY_CHANNEL_LABEL,
  type RelayMessage,
  type ViewerMessage,
} from "../../../client/relay/pay_messages.ts";
import type { RelayLoad, StreamInTree } from "../../../client/relay/answers.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import type { App } from "../app.ts";
import { act, field, h, show } from "../dom.ts";
import { Bitrate, ConnectionWatch, formatBitrate, rtpTotals, startSession } from "../media/rtc.ts";
import { mountChannel } from "./channel.ts";

interface Watching {
  pc: RTCPeerConnection;
  payments: ViewerPayments;
  /** The relay paid: its account as its `session` message names it. */
  payee: Lane;
  location: string;
  token: string;
  /** The `sutantra-pay` channel: payments, and layer requests. */
  data: RTCDataChannel;
  timer?: ReturnType<typeof setInterval>;
}

/** The account of the relay a session pays, once it said. */
interface Lane {
  relay: string | null;
}

/** How often the serving relay's stats are read, in seconds of the stats timer. */
const RELAY_STATS_EVERY = 5;

/** Mounts the watch view into `root`; `select(id)` picks the stream to watch. */
export function mountWatch(app: App, root: HTMLElement): { select(id: string): void } {
  const streamId = h("input", { "data-testid": "watch-stream-id", inputmode: "numeric" });
  const start = h("button", { "data-testid": "watch-start", type: "submit" }, "Watch");
  const stop = h("button", { "data-testid": "watch-stop", type: "button", disabled: true }, "Stop");
  const status = h("p", { class: "status", "data-testid": "watch-status", "data-state": "idle" });
  const video = h("video", { "data-testid": "watch-video", autoplay: true, playsinline: true });
  const meter = {
    seconds: h("strong", { "data-testid": "meter-seconds" }, "0"),
    paid: h("strong", { "data-testid": "meter-paid" }, "—"),
    left: h("strong", { "data-testid": "meter-deposit-left" }, "—"),
    message: h("p", { class: "status", "data-testid": "meter-message" }),
  };
  const quality = h(
    "select",
    { "data-testid": "watch-quality" },
    ...["auto", "high", "mid", "low"].map((layer) => h("option", { value: layer }, layer)),
  );
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
  };
  const channelRoot = h("div");
  const channel = mountChannel(app, channelRoot, () => Number(streamId.value));
  let watching: Watching | undefined;

  const halt = async () => {
    const w = watching;
    watching = undefined;
    if (!w) return;
    clearInterval(w.timer);
    w.payments.stop();
    channel.rememberPaid(w.payments.paid, w.payee.relay);
    w.pc.close();
    video.srcObject = null;
    stats.frames.textContent = stats.freezes.textContent = "0";
    stats.bitrate.textContent = stats.loss.textContent = stats.layer.textContent = "—";
    stop.disabled = true;
    await endSession(w.location, w.token).catch(() => {});
  };

  // The data channel may open, and the relay's session message come, before
  // startSession resolves: messages go straight to the session's payments.
  const onRelay = (payments: ViewerPayments, payee: Lane, message: RelayMessage) => {
    payments.onMessage(message);
    switch (message.type) {
      case "session":
        payee.relay = message.relay;
        show(meter.message, "ok", `Paying ${app.amount(message.price)} per second`);
        break;
      case "ack":
        meter.seconds.textContent = String(message.seconds);
        meter.paid.textContent = app.amount(message.amount);
        meter.paid.dataset.planck = message.amount;
        meter.left.textContent = app.amount(message.depositLeft);
        meter.left.dataset.planck = message.depositLeft;
        channel.rememberPaid(BigInt(message.amount), payee.relay);
        break;
      case "refused":
        show(meter.message, "error", `The relay refused a ${message.what}: ${message.reason}`);
        break;
      case "warning":
        show(
          meter.message,
          "error",
          `Payments are behind (${message.reason}): cut off in ${message.cutoffIn} s — top up`,
        );
        break;
      case "layer":
        stats.layer.textContent = message.layers
          ? `${message.layer} (of ${message.layers.join(", ")})`
          : message.layer;
        stats.layer.dataset.layer = message.layer;
        break;
      case "cutoff":
        show(meter.message, "error", `Cut off: ${message.reason}`);
        void halt().then(() => show(status, "error", `Cut off by the relay: ${message.reason}`));
    }
  };

  const watch = async (progress: (text: string) => void) => {
    await halt();
    const id = Number(streamId.value);
    const { key } = app.signer();
    const known = await channel.load();
    progress("The light client is proving the price and your channel…");
    // A lie stops here, before any session or voucher; the panel says which figure.
    const proven = await channel.verified();
    const pc = new RTCPeerConnection();
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
    const data = pc.createDataChannel(PAY_CHANNEL_LABEL);
    let received = 0;
    const payee: Lane = { relay: null };
    const payments = new ViewerPayments(
      (message: ViewerMessage) => data.readyState === "open" && data.send(JSON.stringify(message)),
      {
        key,
        channel: proven ? proven.channelId : known?.id,
        pricePerSecond: proven?.price,
        genesis: toHex(app.chain.genesisHash),
        // Whichever relay serves, vouchers go on from what this browser paid that one.
        baseline: (relay) => known?.paidTo(relay) ?? 0n,
      },
      () => received,
    );
    data.onmessage = (e) => onRelay(payments, payee, JSON.parse(e.data) as RelayMessage);
    pc.ontrack = (e) => {
      video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      void video.play().catch(() => {});
    };
    // A simulcast stream's layer: the relay picks by the path's loss unless one is asked for.
    const whep = `${location.origin}/whep/${id}?layer=${quality.value}`;
    const token = (url: string) => app.relayToken(id, "watch", url);
    const exchange = await startSession(pc, whep, token, progress)
      .catch((e) => {
        payments.stop();
        return Promise.reject(new Error(`Cannot watch: ${e.message}`));
      });
    const w: Watching = {
      pc,
      payments,
      payee,
      location: exchange.location,
      token: exchange.token,
      data,
    };
    watching = w;
    const served = new URL(exchange.endpoint).origin;
    relay.origin.textContent = served === location.origin
      ? served
      : `${served} (this node serves all the viewers it can: it sent you on)`;
    relay.origin.dataset.origin = served;
    // Which session plays: a reconnect is a new one.
    video.dataset.session = exchange.location;
    const rate = new Bitrate();
    const connection = new ConnectionWatch(pc);
    let ticks = 0;
    w.timer = setInterval(async () => {
      if (connection.lost()) {
        // The relay (or its media worker) went away: watch again, paying on from what was paid.
        clearInterval(w.timer);
        show(status, "pending", "The connection to the relay was lost: reconnecting…");
        return void act(start, status, watch);
      }
      if (ticks++ % RELAY_STATS_EVERY === 0) void showRelay(served, id).catch(() => {});
      const totals = await rtpTotals(pc, "inbound-rtp");
      received = totals.bytes;
      stats.frames.textContent = String(totals.framesDecoded);
      stats.freezes.textContent = String(totals.freezeCount);
      stats.bitrate.textContent = formatBitrate(rate.sample(totals.bytes, performance.now()));
      const sent = totals.packets + totals.packetsLost;
      stats.loss.textContent = sent ? `${((100 * totals.packetsLost) / sent).toFixed(1)}%` : "—";
    }, 1000);
    stop.disabled = false;
    return served === location.origin
      ? `Watching stream #${id}`
      : `Watching stream #${id} from ${served}`;
  };

  /** The serving relay's depth in the stream's tree and its viewers, as it says. */
  const showRelay = async (origin: string, id: number) => {
    const [streams, load] = await Promise.all([
      fetch(`${origin}/relay/streams`).then((r) => r.json() as Promise<StreamInTree[]>),
      fetch(`${origin}/relay/load`).then((r) => r.json() as Promise<RelayLoad>),
    ]);
    const depth = streams.find((s) => s.stream === id)?.depth;
    relay.depth.textContent = depth === undefined || depth === null ? "—" : String(depth);
    relay.viewers.textContent = load.maxViewers === null
      ? String(load.viewers)
      : `${load.viewers} of ${load.maxViewers}`;
  };

  root.append(
    h(
      "form",
      {
        class: "panel",
        onsubmit: (e) => {
          e.preventDefault();
          void act(start, status, watch);
        },
      },
      h("h3", {}, "Watch"),
      field("Stream #", streamId, "A live stream (see the Streams page)"),
      field("Quality", quality, "For a stream sent in several layers; auto follows the path"),
      h("div", { class: "buttons" }, start, stop),
      status,
      video,
    ),
    channelRoot,
    h(
      "section",
      { class: "panel" },
      h("h3", {}, "Meter"),
      h(
        "p",
        {},
        "Seconds paid for ",
        meter.seconds,
        " · paid ",
        meter.paid,
        " · deposit left ",
        meter.left,
      ),
      meter.message,
      h("h3", {}, "Connection"),
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
        " · viewers ",
        relay.viewers,
      ),
    ),
  );
  stop.addEventListener("click", () => void halt().then(() => show(status, "ok", "Stopped")));
  quality.addEventListener("change", () => {
    const data = watching?.data;
    if (data?.readyState === "open") {
      data.send(
        JSON.stringify({ type: "layer", layer: quality.value } satisfies LayerRequestMessage),
      );
    }
  });
  streamId.addEventListener("change", channel.refresh);
  return {
    select: (id) => {
      streamId.value = id;
      channel.refresh();
    },
  };
}
