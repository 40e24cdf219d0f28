/// <reference lib="dom" />
/**
 * Watch: the player first, with the stream's title, creator, a LIVE badge
 * and the price per minute beside it; the viewer's payment and meter next
 * to the player (below it on a phone), both above the fold; details (the
 * channel in planck, proofs, the connection) folded away.
 *
 * The stream is played by WHEP from this node (or from the relay it sends
 * the viewer to when it serves all the viewers it can), paid for each
 * second with vouchers to the serving relay on the `sutantra-pay` data
 * channel. "Pay and watch" opens the payment channel with a deposit the
 * viewer picks in minutes of watching, then plays.
 *
 * Truthful state: the badge says LIVE only while a publisher is sending
 * (the node asks the stream's carriers, `GET /relay/live/{stream}`). A
 * stream that is not being published shows "offline — waiting for the
 * creator": no channel is opened, no session started and nothing paid
 * until it is, and the page starts playing once the creator goes live (it
 * asks again with a growing pause). A creator who stops mid-session stops
 * the session too.
 *
 * Money in plain sight: amounts in the chain's token, what was paid beside
 * the seconds of watching it pays for (the two always agree, and go on
 * from where they were on a re-watch), a warning with a Top-up at about
 * 30 s of deposit left, and the video back after a top-up. The relay's
 * protocol talk goes to the console (`watch_notices.ts`).
 *
 * No session starts, and no voucher is signed, before the light client
 * proved the price and channel paid by (`channel.ts`); vouchers then pay
 * the proven price on the proven channel, whatever the relay's `session`
 * message says.
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
import { toHex } from "../../../runtime/primitives/hex.ts";
import type { App } from "../app.ts";
import { errorText, h, short, show } from "../dom.ts";
import { fetchLiveness, LivenessPoll, type StreamLiveness } from "../liveness.ts";
import { ConnectionWatch, startSession } from "../media/rtc.ts";
import { formatDuration, isLow, secondsFor } from "../watch_money.ts";
import { logLine, noticeFor } from "../watch_notices.ts";
import { type ChannelPanel, type Loaded, mountChannel } from "./channel.ts";
import { mountWatchStats, type WatchStats } from "./watch_stats.ts";

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

/** Why the page waits instead of playing while the viewer wants to watch. */
type Blocked = "top-up" | undefined;

/** Seconds without media after which the page asks at once whether the creator left. */
const STALL_SECONDS = 3;

const OFFLINE_TEXT = "Offline — waiting for the creator";

/** Mounts the watch view into `root`; `select(id)` picks the stream to watch. */
export function mountWatch(app: App, root: HTMLElement): { select(id: string): void } {
  let streamId: number | undefined;
  const video = h("video", {
    "data-testid": "watch-video",
    autoplay: true,
    playsinline: true,
    controls: true,
  });
  const overlay = h("div", { class: "player-overlay", "data-testid": "watch-overlay" });
  const title = h("h2", { "data-testid": "watch-title" }, "…");
  const badge = h("span", { class: "badge", "data-testid": "watch-live", "data-state": "unknown" });
  const creator = h("span", { "data-testid": "watch-creator" }, "…");
  const start = h("button", { "data-testid": "watch-start", type: "button", class: "primary" });
  const stop = h("button", { "data-testid": "watch-stop", type: "button", hidden: true }, "Stop");
  const status = h("p", {
    class: "status",
    "data-testid": "watch-status",
    "data-state": "idle",
    role: "status",
  });
  const meter = {
    paid: h("strong", { "data-testid": "meter-paid" }, "—"),
    seconds: h("strong", { "data-testid": "meter-seconds" }, "—"),
    left: h("strong", { "data-testid": "meter-deposit-left" }, "—"),
    time: h("span", { "data-testid": "meter-time-left" }),
    message: h("p", { class: "status", "data-testid": "meter-message" }),
    low: h("p", { class: "status warn", "data-testid": "watch-low-balance", hidden: true }),
  };
  const quality = h(
    "select",
    { "data-testid": "watch-quality" },
    ...["auto", "high", "mid", "low"].map((layer) => h("option", { value: layer }, layer)),
  );
  const channel: ChannelPanel = mountChannel(app, () => streamId ?? 0);
  const stats: WatchStats = mountWatchStats();
  let watching: Watching | undefined;
  let loaded: Loaded | undefined;
  let liveness: StreamLiveness | undefined;
  /** The viewer asked to watch: the page plays whenever it can, until Stop. */
  let armed = false;
  let blocked: Blocked;
  let busy = false;
  /** The deposit left after the newest voucher the relay acknowledged. */
  let depositLeft: bigint | undefined;

  const idle = (text = "") => {
    status.dataset.state = "idle";
    status.className = "status";
    status.textContent = text;
  };
  const price = () => channel.pricePerSecond ?? 0n;
  /** Whether this viewer pays for the stream (not free, not its creator). */
  const pays = () => price() > 0n && loaded?.stream?.creator !== app.address;

  /** The buttons, the pay form and the overlay, as the state now says. */
  const render = () => {
    const stream = loaded?.stream;
    const hasChannel = !!channel.current;
    start.hidden = !!watching || (armed && !busy);
    stop.hidden = !watching && !armed;
    stop.textContent = watching ? "Stop" : "Stop waiting";
    start.disabled = busy || !stream || stream.status === "Ended";
    start.textContent = pays() && !hasChannel ? "Pay and watch" : "Watch";
    channel.payForm.hidden = !pays() || hasChannel || !!watching;
    channel.topUpForm.hidden = !pays() || !hasChannel;
    const state = !stream
      ? "unknown"
      : stream.status === "Ended"
      ? "ended"
      : liveness?.publishing
      ? "live"
      : liveness
      ? "offline"
      : "unknown";
    badge.dataset.state = state;
    badge.textContent = { live: "Live", offline: "Offline", ended: "Ended", unknown: "…" }[state];
    const showOverlay = state === "offline" || state === "ended" || (!watching && busy);
    overlay.hidden = !showOverlay;
    overlay.textContent = state === "offline"
      ? `${OFFLINE_TEXT}. You are not charged while the stream is offline`
      : state === "ended"
      ? "This stream has ended"
      : "Connecting…";
    showLeft();
  };

  /** The deposit left and how long it lasts; the low-balance warning at about 30 s. */
  const showLeft = () => {
    const known = channel.current;
    const left = depositLeft ?? (known && known.deposit - known.spent());
    if (left === undefined || !pays()) {
      meter.left.textContent = "—";
      meter.time.textContent = "";
      delete meter.left.dataset.planck;
      meter.low.hidden = true;
      return;
    }
    meter.left.textContent = app.amount(left < 0n ? 0n : left);
    meter.left.dataset.planck = String(left);
    meter.time.textContent = `(${formatDuration(secondsFor(left, price()))})`;
    if (blocked === "top-up") return;
    meter.low.hidden = !isLow(left, price());
    channel.topUpForm.classList.toggle("low", !meter.low.hidden);
    meter.low.textContent = `About ${formatDuration(secondsFor(left, price()))} of watching left (${
      app.amount(left < 0n ? 0n : left)
    }): top up to keep watching`;
  };

  /** What was paid, and the seconds of watching it pays for: computed from one figure. */
  const showPaid = (amount: bigint) => {
    meter.paid.textContent = app.amount(amount);
    meter.paid.dataset.planck = String(amount);
    const seconds = secondsFor(amount, price());
    meter.seconds.textContent = formatDuration(seconds);
    meter.seconds.dataset.seconds = String(seconds);
  };

  /** Asks the viewer to top up: the deposit cannot pay for more. */
  const askTopUp = (text: string) => {
    blocked = "top-up";
    meter.low.hidden = false;
    channel.topUpForm.classList.add("low");
    meter.low.textContent = text;
  };

  const halt = async () => {
    const w = watching;
    watching = undefined;
    if (!w) return;
    clearInterval(w.timer);
    w.payments.stop();
    channel.rememberPaid(w.payments.paid, w.payee.relay);
    w.pc.close();
    video.srcObject = null;
    stats.reset();
    render();
    await endSession(w.location, w.token).catch(() => {});
  };

  // The data channel may open, and the relay's session message come, before
  // startSession resolves: messages go straight to the session's payments.
  const onRelay = (payments: ViewerPayments, payee: Lane, message: RelayMessage) => {
    payments.onMessage(message);
    const line = logLine(message);
    if (line) console.info(`stream #${streamId}: ${line}`);
    switch (message.type) {
      case "session":
        payee.relay = message.relay;
        if (price() > 0n && pays()) {
          show(
            meter.message,
            "ok",
            `Paying ${app.amount(price() * 60n)} per minute, by the second`,
          );
        } else show(meter.message, "ok", "Free to watch");
        break;
      case "ack": {
        showPaid(BigInt(message.amount));
        depositLeft = BigInt(message.depositLeft);
        channel.rememberPaid(BigInt(message.amount), payee.relay);
        if (blocked === "top-up" && depositLeft >= price()) blocked = undefined;
        showLeft();
        break;
      }
      case "layer":
        stats.layer(message.layer, message.layers);
        break;
      case "warning":
      case "cutoff": {
        const notice = noticeFor(message, { depositLeft, pricePerSecond: price() });
        if (notice.show && notice.topUp) askTopUp(notice.text);
        else if (notice.show) {
          show(meter.message, notice.level === "warn" ? "pending" : "error", notice.text);
        }
        if (message.type === "cutoff") {
          if (!(notice.show && notice.topUp)) armed = false;
          void halt().then(() =>
            notice.show && notice.topUp ? idle("Stopped: top up to go on") : idle()
          );
        }
      }
    }
  };

  const watch = async (progress: (text: string) => void): Promise<string> => {
    await halt();
    const id = streamId!;
    const { key } = app.signer();
    const { channel: known } = await channel.load();
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
    stats.relay(served, served !== location.origin);
    // Which session plays: a reconnect is a new one.
    video.dataset.session = exchange.location;
    const connection = new ConnectionWatch(pc);
    let ticks = 0;
    let still = 0;
    w.timer = setInterval(async () => {
      if (connection.lost()) {
        // The relay (or its media worker) went away: watch again, paying on from what was paid.
        clearInterval(w.timer);
        void halt().then(() => go());
        return;
      }
      if (ticks++ % 5 === 0) void stats.showRelay(served, id).catch(() => {});
      const bytes = await stats.sample(pc);
      // No media for a few seconds: the creator may have left; ask now rather than at the next poll.
      still = bytes > received ? 0 : still + 1;
      received = bytes;
      if (still === STALL_SECONDS) void poll?.now();
    }, 1000);
    render();
    return served === location.origin
      ? `Watching stream #${id}`
      : `Watching stream #${id} from ${served}`;
  };

  /**
   * Plays once it can: the stream live, a channel with enough in it (opened
   * here first, the viewer picking the minutes), the figures proven.
   */
  const go = async (): Promise<void> => {
    if (busy || watching || streamId === undefined) return;
    busy = true;
    armed = true;
    render();
    const progress = (text: string) => show(status, "pending", text);
    try {
      app.signer();
      progress("Is the creator sending?");
      const now = await poll!.now();
      if (now instanceof Error) throw now;
      if (now.status === "Ended") {
        armed = false;
        return idle("This stream has ended");
      }
      if (!now.publishing) {
        // Nothing is opened or paid while there is nothing to watch; the poll comes back here.
        return show(
          status,
          "pending",
          `${OFFLINE_TEXT}: the video starts when they go live, and you pay from then on`,
        );
      }
      if (pays() && !channel.current) {
        if (!await channel.open(progress)) {
          armed = false;
          return idle();
        }
      }
      if (pays() && !channel.canStart()) {
        askTopUp("Your deposit is used up: top up to watch");
        return idle("Top up to watch");
      }
      blocked = undefined;
      show(status, "ok", await watch(progress));
      if (!watching) return; // cut off while starting
    } catch (e) {
      armed = false;
      show(status, "error", errorText(e));
    } finally {
      busy = false;
      render();
    }
  };

  let poll: LivenessPoll | undefined;
  const follow = (id: number) => {
    poll?.stop();
    liveness = undefined;
    poll = new LivenessPoll(() => fetchLiveness(location.origin, id), (answer) => {
      if (answer instanceof Error) return console.info(`stream #${id}: ${answer.message}`);
      liveness = answer;
      stats.viewersHere(answer.viewersHere);
      if (answer.status === "Ended" && (watching || armed)) {
        armed = false;
        void halt().then(() => idle("This stream has ended"));
      } else if (!answer.publishing && watching) {
        // The creator stopped: so does the session (and its payments) until they are back.
        void halt().then(() =>
          show(
            status,
            "pending",
            `${OFFLINE_TEXT}: the creator stopped sending. You are not charged until they are back`,
          )
        );
      } else if (answer.publishing && armed && !blocked) void go();
      render();
    });
    void poll.now();
  };

  channel.onLoaded((outcome) => {
    if (outcome.id !== streamId) return;
    loaded = outcome;
    const stream = outcome.stream;
    title.textContent = stream ? stream.title : `There is no stream #${outcome.id}`;
    creator.textContent = !stream
      ? "—"
      : stream.creator === app.address
      ? "you"
      : short(stream.creator, 8);
    creator.title = stream?.creator ?? "";
    render();
  });
  channel.onToppedUp(() => {
    // The relay takes the next voucher against the new deposit; a cut-off viewer watches again.
    blocked = undefined;
    depositLeft = undefined;
    meter.low.hidden = true;
    meter.message.textContent = "";
    if (!watching && armed) void go();
    else render();
  });

  // A session pays with the account that started it: another account starts over.
  app.onAccount(() => {
    if (!watching && !armed) return;
    armed = false;
    void halt().then(() => idle("Stopped: the account changed"));
  });
  start.addEventListener("click", () => void go());
  stop.addEventListener("click", () => {
    armed = false;
    blocked = undefined;
    // The session is over for the page at once; its DELETE to the relay follows.
    void halt();
    show(status, "ok", "Stopped");
    render();
  });
  quality.addEventListener("change", () => {
    const data = watching?.data;
    if (data?.readyState === "open") {
      data.send(
        JSON.stringify({ type: "layer", layer: quality.value } satisfies LayerRequestMessage),
      );
    }
  });

  const empty = h(
    "div",
    { class: "panel", "data-testid": "watch-empty" },
    h("p", {}, "Pick a live stream to watch."),
    h("button", { type: "button", onclick: () => app.navigate("streams") }, "Browse live streams"),
  );
  const layout = h(
    "div",
    { class: "watch-layout", hidden: true },
    h(
      "div",
      { class: "watch-main" },
      h("div", { class: "player" }, video, overlay),
      h(
        "div",
        { class: "watch-heading" },
        title,
        badge,
        h("label", { class: "quality" }, "Quality ", quality),
      ),
      h("p", { class: "watch-by" }, "by ", creator),
      channel.priceLine,
    ),
    h(
      "aside",
      { class: "watch-side panel", "aria-label": "Payment" },
      channel.payForm,
      h("div", { class: "buttons" }, start, stop),
      status,
      h(
        "dl",
        { class: "meter", "data-testid": "watch-meter" },
        h("dt", {}, "Paid"),
        h("dd", {}, meter.paid),
        h("dt", {}, "Pays for"),
        h("dd", {}, meter.seconds, " of watching"),
        h("dt", {}, "Deposit left"),
        h("dd", {}, meter.left, " ", meter.time),
      ),
      meter.low,
      channel.topUpForm,
      meter.message,
    ),
    h(
      "details",
      { class: "watch-details panel", "data-testid": "watch-details" },
      h("summary", {}, "Details: channel, proofs and connection"),
      channel.details,
      stats.element,
    ),
  );
  root.append(empty, layout);
  render();
  return {
    select: (id) => {
      const next = Number(id);
      if (!Number.isSafeInteger(next) || next < 0) return;
      if (next === streamId) return;
      armed = false;
      blocked = undefined;
      depositLeft = undefined;
      void halt();
      streamId = next;
      loaded = undefined;
      empty.hidden = true;
      layout.hidden = false;
      title.textContent = "…";
      meter.paid.textContent = meter.seconds.textContent = "—";
      delete meter.paid.dataset.planck;
      meter.message.textContent = "";
      meter.low.hidden = true;
      idle();
      follow(next);
      channel.refresh();
    },
  };
}
