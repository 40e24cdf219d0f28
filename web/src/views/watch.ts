/// <reference lib="dom" />
/**
 * Watch: a stream played by WHEP from this node, paid for each second with
 * vouchers on the `sutantra-pay` data channel; the payment channel opened
 * and topped up on chain; a running meter and the connection's stats.
 *
 * @module
 */
import { ViewerPayments } from "../../../node/client/viewer_payments.ts";
import { endSession } from "../../../node/relay/whep_client.ts";
import {
  PAY_CHANNEL_LABEL,
  type RelayMessage,
  type ViewerMessage,
} from "../../../node/relay/pay/messages.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import type { App } from "../app.ts";
import { act, field, h, show } from "../dom.ts";
import { Bitrate, formatBitrate, rtpTotals, startSession } from "../media/rtc.ts";
import { mountChannel } from "./channel.ts";

interface Watching {
  pc: RTCPeerConnection;
  payments: ViewerPayments;
  location: string;
  token: string;
  timer?: ReturnType<typeof setInterval>;
}

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
  const stats = {
    frames: h("span", { "data-testid": "stats-frames-decoded" }, "0"),
    freezes: h("span", { "data-testid": "stats-freeze-count" }, "0"),
    bitrate: h("span", { "data-testid": "stats-bitrate" }, "—"),
    loss: h("span", { "data-testid": "stats-loss" }, "—"),
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
    channel.rememberPaid(w.payments.paid);
    w.pc.close();
    video.srcObject = null;
    stop.disabled = true;
    await endSession(w.location, w.token).catch(() => {});
  };

  // The data channel may open, and the relay's session message come, before
  // startSession resolves: messages go straight to the session's payments.
  const onRelay = (payments: ViewerPayments, message: RelayMessage) => {
    payments.onMessage(message);
    switch (message.type) {
      case "session":
        show(meter.message, "ok", `Paying ${app.amount(message.price)} per second`);
        break;
      case "ack":
        meter.seconds.textContent = String(message.seconds);
        meter.paid.textContent = app.amount(message.amount);
        meter.paid.dataset.planck = message.amount;
        meter.left.textContent = app.amount(message.depositLeft);
        meter.left.dataset.planck = message.depositLeft;
        channel.rememberPaid(BigInt(message.amount));
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
    const pc = new RTCPeerConnection();
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
    const data = pc.createDataChannel(PAY_CHANNEL_LABEL);
    let received = 0;
    const payments = new ViewerPayments(
      (message: ViewerMessage) => data.readyState === "open" && data.send(JSON.stringify(message)),
      {
        key,
        channel: known?.id,
        genesis: toHex(app.chain.genesisHash),
        baseline: known?.baseline ?? 0n,
      },
      () => received,
    );
    data.onmessage = (e) => onRelay(payments, JSON.parse(e.data) as RelayMessage);
    pc.ontrack = (e) => {
      video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      void video.play().catch(() => {});
    };
    const token = app.relayToken(id, "watch");
    const exchange = await startSession(pc, `${location.origin}/whep/${id}`, token, progress)
      .catch((e) => {
        payments.stop();
        return Promise.reject(new Error(`Cannot watch: ${e.message}`));
      });
    const w: Watching = { pc, payments, location: exchange.location, token };
    watching = w;
    const rate = new Bitrate();
    w.timer = setInterval(async () => {
      const totals = await rtpTotals(pc, "inbound-rtp");
      received = totals.bytes;
      stats.frames.textContent = String(totals.framesDecoded);
      stats.freezes.textContent = String(totals.freezeCount);
      stats.bitrate.textContent = formatBitrate(rate.sample(totals.bytes, performance.now()));
      const sent = totals.packets + totals.packetsLost;
      stats.loss.textContent = sent ? `${((100 * totals.packetsLost) / sent).toFixed(1)}%` : "—";
      if (pc.connectionState === "failed") show(status, "error", "The connection failed");
    }, 1000);
    stop.disabled = false;
    return `Watching stream #${id}`;
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
        "Frames decoded ",
        stats.frames,
        " · freezes ",
        stats.freezes,
        " · ",
        stats.bitrate,
        " · loss ",
        stats.loss,
      ),
    ),
  );
  stop.addEventListener("click", () => void halt().then(() => show(status, "ok", "Stopped")));
  streamId.addEventListener("change", channel.refresh);
  return {
    select: (id) => {
      streamId.value = id;
      channel.refresh();
    },
  };
}
