/// <reference lib="dom" />
/**
 * Watch, payment channel: the stream's price, the selected account's
 * channel to it, opened with a deposit picked in minutes of watching and
 * topped up by minutes too, and the newest amount its vouchers allowed
 * each relay (kept in this browser: vouchers are cumulative per channel
 * and relay, so the next session with that relay starts from it).
 *
 * Before the page pays, the light client proves the price and the channel
 * at a finalized block at or above the one the node read them at, and
 * checks the node's answers there (`verify_payment.ts`): each figure then
 * shows "verified at #N", and a figure the node lied about stops the page
 * from paying, saying which. A node the light client cannot reach (it
 * listens on no WebSocket address) is paid on its word, and the page says
 * so.
 *
 * @module
 */
import { toHex } from "../../../runtime/primitives/hex.ts";
import type { App } from "../app.ts";
import { act, errorText, field, h, setProblem, show } from "../dom.ts";
import { confirmTx } from "../sign.ts";
import { NodeLied, type ProvenPayment, verifyPayment } from "../verify_payment.ts";
import { depositForMinutes, formatDuration, secondsFor } from "../watch_money.ts";
import type { StreamInfo } from "./streams.ts";

interface ChannelInfo {
  viewer: string;
  stream: number;
  deposit: number | string;
  claimed: number | string;
  expiry: number;
}

/** A channel's figures as the panel shows them. */
interface ChannelFigures {
  id: bigint | number | string;
  deposit: bigint | number | string;
  claimed: bigint | number | string;
  expiry: number;
}

/** The channel the page pays with, and what its vouchers already allowed each relay. */
export interface KnownChannel {
  id: bigint;
  deposit: bigint;
  claimed: bigint;
  /** What this browser's vouchers allowed the relay of this account (SS58; null: none). */
  paidTo(relay: string | null): bigint;
  /** The most the channel is known to have paid: claimed, or allowed to a relay by this browser. */
  spent(): bigint;
}

/** What a load read: the stream (if there is one) and the viewer's channel to it. */
export interface Loaded {
  id: number;
  stream?: StreamInfo;
  channel?: KnownChannel;
}

/** The channel panel's parts, placed by the watch view, and what it does. */
export interface ChannelPanel {
  /** The price per minute and per second, and whether it is proven. */
  priceLine: HTMLElement;
  /** Minutes of watching to deposit, and what they cost; shown while there is no channel. */
  payForm: HTMLElement;
  /** Minutes to add, and the Top up button. */
  topUpForm: HTMLElement;
  /** The channel's figures in full (id, deposit and claimed in planck too, expiry, proofs). */
  details: HTMLElement;
  /** The stream's price per second as last read (proven, once it is). */
  readonly pricePerSecond: bigint | undefined;
  /** The channel as last read. */
  readonly current: KnownChannel | undefined;
  /**
   * Whether the channel holds enough to start watching: the relay starts a
   * session only while it covers the chain's grace seconds.
   */
  canStart(): boolean;
  /** Re-reads the stream and channel and starts proving them. */
  load(): Promise<Loaded>;
  /** {@link load}, showing a failure in the panel. */
  refresh(): void;
  /** The proof of the figures last loaded (undefined: the light client is off), or why not to pay. */
  verified(): Promise<ProvenPayment | undefined>;
  /** Keeps a voucher amount allowed to `relay`. */
  rememberPaid(amount: bigint, relay: string | null): void;
  /**
   * Opens a channel with the minutes typed, after the signing dialog;
   * false when the viewer cancelled or the minutes were refused (the
   * reason is shown beside them).
   */
  open(progress: (text: string) => void): Promise<boolean>;
  /** Calls `listener` after every load. */
  onLoaded(listener: (loaded: Loaded) => void): void;
  /** Calls `listener` once a top-up is in a block. */
  onToppedUp(listener: () => void): void;
}

/** Blocks a new channel stays open (a day of 6 s blocks): the rest is refunded after. */
const EXPIRY_BLOCKS = 14_400;
/** Minutes of watching a new channel pays for, unless the viewer picks others. */
const DEFAULT_MINUTES = "10";

/** Mounts the channel panel; `streamOf()` says which stream is being watched. */
export function mountChannel(app: App, streamOf: () => number): ChannelPanel {
  const { symbol } = app.chain.token;
  const pricePerMinute = h("strong", { "data-testid": "watch-price-minute" }, "—");
  const price = h("span", { "data-testid": "watch-price" }, "—");
  const channelId = h("strong", { "data-testid": "watch-channel" }, "none");
  const deposit = h("strong", { "data-testid": "watch-channel-deposit" }, "—");
  const claimed = h("strong", { "data-testid": "watch-channel-claimed" }, "—");
  const expiry = h("span", { "data-testid": "watch-channel-expiry" }, "—");
  const badges = ["price", "channel", "deposit", "claimed", "expiry"].map((figure) =>
    h("small", { class: "verified", "data-testid": `verified-${figure}` })
  );
  const [priceBadge, channelBadge, depositBadge, claimedBadge, expiryBadge] = badges;
  const verifyStatus = h("p", { class: "status", "data-testid": "watch-verify" });
  const minutes = h("input", {
    "data-testid": "watch-minutes",
    inputmode: "decimal",
    value: DEFAULT_MINUTES,
    size: 5,
  });
  const cost = h("span", { "data-testid": "watch-deposit-preview" });
  const topUpMinutes = h("input", {
    "data-testid": "watch-topup-minutes",
    inputmode: "decimal",
    value: DEFAULT_MINUTES,
    size: 5,
  });
  const topUpCost = h("span", { "data-testid": "watch-topup-preview" });
  const topUp = h("button", { "data-testid": "watch-topup", type: "button" }, "Top up");
  const status = h("p", { class: "status", "data-testid": "watch-channel-status" });
  let current: { known: KnownChannel; info: ChannelInfo } | undefined;
  let pricePerSecond: bigint | undefined;
  let minDeposit = 0n;
  /** Seconds of watching a channel must still cover for the relay to start a session. */
  let graceSeconds = 0n;
  let stream: StreamInfo | undefined;
  const loaded: ((loaded: Loaded) => void)[] = [];
  const toppedUp: (() => void)[] = [];
  /** The proof of the figures last loaded; each load starts a new one. */
  let verification: Promise<ProvenPayment | undefined> = Promise.resolve(undefined);
  let loads = 0;
  let newest: Promise<Loaded> | undefined;

  // Vouchers are cumulative per channel and relay: the page pays the relay it is served
  // from, this node or another one a full node sent it to.
  const paidPrefix = (id: bigint) => `sutantra.paid.${toHex(app.chain.genesisHash)}.${id}.`;
  const paidKey = (id: bigint, relay: string | null) => `${paidPrefix(id)}${relay ?? "no-relay"}`;
  const rememberPaid = (amount: bigint, relay: string | null) => {
    if (!current) return;
    const key = paidKey(current.known.id, relay);
    if (amount > BigInt(localStorage.getItem(key) ?? "0")) {
      localStorage.setItem(key, String(amount));
    }
  };
  const knownChannel = (id: bigint, info: ChannelInfo): KnownChannel => ({
    id,
    deposit: BigInt(info.deposit),
    claimed: BigInt(info.claimed),
    paidTo: (relay) => BigInt(localStorage.getItem(paidKey(id, relay)) ?? "0"),
    spent: () => {
      let most = BigInt(info.claimed);
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i);
        if (!key?.startsWith(paidPrefix(id))) continue;
        const paid = BigInt(localStorage.getItem(key) ?? "0");
        if (paid > most) most = paid;
      }
      return most;
    },
  });

  /** The price, per minute first: what a viewer compares. */
  const showPrice = (perSecond: bigint | undefined) => {
    pricePerSecond = perSecond;
    pricePerMinute.textContent = perSecond === undefined ? "—" : app.amount(perSecond * 60n);
    price.textContent = perSecond === undefined ? "—" : app.amount(perSecond);
    if (perSecond === undefined) delete price.dataset.planck;
    else price.dataset.planck = String(perSecond);
    preview(minutes, cost);
    preview(topUpMinutes, topUpCost);
  };

  /** What the minutes typed in `input` cost, beside it. */
  const preview = (input: HTMLInputElement, out: HTMLElement) => {
    if (pricePerSecond === undefined) return void (out.textContent = "");
    try {
      const planck = depositForMinutes(input.value, pricePerSecond);
      out.textContent = `= ${app.amount(planck)}`;
      setProblem(input, undefined);
    } catch {
      out.textContent = "";
    }
  };

  /** The deposit the minutes in `input` buy, or undefined with the reason shown beside them. */
  const minutesDeposit = (input: HTMLInputElement, atLeast: bigint): bigint | undefined => {
    if (pricePerSecond === undefined) return undefined;
    try {
      const planck = depositForMinutes(input.value, pricePerSecond);
      if (planck < atLeast) {
        const seconds = secondsFor(atLeast + pricePerSecond - 1n, pricePerSecond);
        throw new RangeError(
          `A channel holds at least ${app.amount(atLeast)}: ${formatDuration(seconds)} of watching`,
        );
      }
      setProblem(input, undefined);
      return planck;
    } catch (e) {
      setProblem(input, (e as Error).message);
      input.focus();
      return undefined;
    }
  };

  /** Shows the channel's figures (the node's, or once proven, the proof's). */
  const showChannel = (channel?: ChannelFigures) => {
    if (!channel) {
      channelId.textContent = "none yet";
      delete channelId.dataset.channel;
      deposit.textContent = claimed.textContent = expiry.textContent = "—";
      delete deposit.dataset.planck;
      delete claimed.dataset.planck;
      return;
    }
    channelId.textContent = `#${channel.id}`;
    channelId.dataset.channel = String(channel.id);
    deposit.textContent = `${app.amount(channel.deposit)} (${channel.deposit} planck)`;
    deposit.dataset.planck = String(channel.deposit);
    claimed.textContent = `${app.amount(channel.claimed)} (${channel.claimed} planck)`;
    claimed.dataset.planck = String(channel.claimed);
    expiry.textContent = `block #${channel.expiry}`;
  };

  /** Marks every figure's badge: `ok` with the block, or why not. */
  const mark = (state: "pending" | "ok" | "error" | "off", text: string, at?: number) => {
    for (const badge of badges) {
      badge.dataset.state = state;
      badge.textContent = text;
      if (at === undefined) delete badge.dataset.block;
      else badge.dataset.block = String(at);
    }
  };

  /**
   * Proves the figures of stream `id` at a finalized block at or above
   * `atLeast`, unless a newer load started meanwhile.
   */
  const verify = async (generation: number, id: number, atLeast: number) => {
    const stale = () => generation !== loads;
    const viewer = app.wallet.selected?.key.account;
    const light = await app.light.catch((e) => e as Error);
    if (stale()) return undefined;
    if (light instanceof Error || !viewer) {
      mark("off", viewer ? "unverified" : "");
      verifyStatus.dataset.state = "off";
      verifyStatus.className = "status";
      verifyStatus.textContent = light instanceof Error
        ? `Unverified, the light client is off (${light.message}): paying on the node's word`
        : "";
      return undefined;
    }
    mark("pending", `verifying at #${atLeast}…`);
    show(verifyStatus, "pending", `The light client is proving the price and channel…`);
    try {
      await light.syncTo(atLeast);
      const proven = await verifyPayment(
        { readAt: (read) => light.readAt(read), rpc: app.chain.rpc, amount: (p) => app.amount(p) },
        BigInt(id),
        viewer,
      );
      if (stale()) return proven;
      showPrice(proven.price);
      showChannel(
        proven.channelId === undefined || !proven.channel
          ? undefined
          : { ...proven.channel, id: proven.channelId },
      );
      mark("ok", `verified at #${proven.at}`, proven.at);
      show(verifyStatus, "ok", `The price and your channel are proven at #${proven.at}`);
      return proven;
    } catch (e) {
      if (!stale()) {
        mark("error", e instanceof NodeLied ? `not what the chain proves` : "not verified");
        show(
          verifyStatus,
          "error",
          e instanceof NodeLied ? e.message : `Cannot verify: ${errorText(e)}`,
        );
      }
      throw e;
    }
  };

  const load = async (): Promise<Loaded> => {
    const id = streamOf();
    const generation = ++loads;
    const atLeast = await app.chain.bestNumber();
    const viewer = app.address;
    const [info, channel, least, grace] = await Promise.all([
      app.chain.query<StreamInfo | null>("Streams", "Streams", [id]),
      viewer
        ? app.chain.query<number | string | null>("Access", "ChannelsByViewer", [viewer, id])
        : null,
      app.chain.query<number | string>("Access", "MinDeposit"),
      app.chain.query<number>("Access", "GraceSeconds"),
    ]);
    const found = channel === null || channel === undefined
      ? null
      : await app.chain.query<ChannelInfo | null>("Access", "Channels", [channel]);
    if (generation !== loads) return await newest!;
    stream = info ?? undefined;
    minDeposit = BigInt(least ?? 0);
    graceSeconds = BigInt(grace ?? 0);
    showPrice(info ? BigInt(info.pricePerSecond) : undefined);
    current = channel === null || channel === undefined || !found
      ? undefined
      : { known: knownChannel(BigInt(channel), found), info: found };
    showChannel(current && { ...current.info, id: current.known.id });
    verification = verify(generation, id, atLeast);
    verification.catch(() => {}); // shown in the panel; watching awaits it again
    const outcome: Loaded = { id, stream, channel: current?.known };
    for (const listener of loaded) listener(outcome);
    return outcome;
  };
  /** Starts a load; one overtaken by a newer one answers with the newer one's outcome. */
  const latest = (): Promise<Loaded> => (newest = load());

  const open = async (progress: (text: string) => void): Promise<boolean> => {
    const id = streamOf();
    const price = pricePerSecond ?? 0n;
    const least = price * graceSeconds > minDeposit ? price * graceSeconds : minDeposit;
    const amount = minutesDeposit(minutes, least);
    if (amount === undefined) return false;
    const best = await app.chain.bestNumber();
    const args = { stream: id, deposit: amount.toString(), expiry: best + EXPIRY_BLOCKS };
    const signed = await confirmTx(app, {
      title: "Pay and watch",
      details: [
        ["Stream", `#${id}${stream ? ` “${stream.title}”` : ""}`],
        ["Deposit", `${app.amount(amount)}: ${minutes.value.trim()} min of watching`],
        ["Refund", "What you do not watch comes back once the channel expires (in a day)"],
      ],
      pallet: "Access",
      call: "openChannel",
      args,
      spends: amount,
    });
    if (!signed) return false;
    await app.chain.submit(
      "Access",
      "openChannel",
      args,
      app.signer().key,
      (step) => progress(`Opening your channel: ${step}…`),
    );
    await latest();
    return true;
  };

  topUp.addEventListener("click", () => {
    const amount = minutesDeposit(topUpMinutes, 1n);
    const channel = current?.known;
    if (amount === undefined) return;
    if (!channel) return show(status, "error", "No channel to top up: press Pay and watch first");
    void (async () => {
      const args = { channel: channel.id.toString(), amount: amount.toString(), newExpiry: null };
      const signed = await confirmTx(app, {
        title: "Top up",
        details: [
          ["Add", `${app.amount(amount)}: ${topUpMinutes.value.trim()} min of watching`],
          ["Channel", `#${channel.id} to stream #${streamOf()}`],
        ],
        pallet: "Access",
        call: "topUp",
        args,
        spends: amount,
      });
      if (!signed) return;
      await act(topUp, status, async (progress) => {
        await app.chain.submit(
          "Access",
          "topUp",
          args,
          app.signer().key,
          (step) => progress(`Top up: ${step}…`),
        );
        await latest();
        for (const listener of toppedUp) listener();
        return `Added ${app.amount(amount)}: ${topUpMinutes.value.trim()} min of watching`;
      });
    })();
  });
  minutes.addEventListener("input", () => preview(minutes, cost));
  topUpMinutes.addEventListener("input", () => preview(topUpMinutes, topUpCost));

  const details = h(
    "div",
    { class: "channel-figures" },
    h(
      "dl",
      {},
      h("dt", {}, "Price"),
      h("dd", {}, price, " per second"),
      h("dt", {}, "Channel"),
      h("dd", {}, channelId, " ", channelBadge),
      h("dt", {}, "Deposit"),
      h("dd", {}, deposit, " ", depositBadge),
      h("dt", {}, "Claimed by relays"),
      h("dd", {}, claimed, " ", claimedBadge),
      h("dt", {}, "Expires at"),
      h("dd", {}, expiry, " ", expiryBadge),
    ),
    verifyStatus,
  );
  /** Re-reads the channel, showing a failure in the panel. */
  const refresh = () =>
    void latest().catch((e) => show(status, "error", `Cannot read the channel: ${errorText(e)}`));
  app.onAccount(refresh);
  return {
    priceLine: h(
      "p",
      { class: "watch-price" },
      pricePerMinute,
      " per minute ",
      priceBadge,
    ),
    payForm: h(
      "div",
      { class: "pay-form" },
      field(
        `Minutes of watching to pay for`,
        minutes,
        `Deposited in ${symbol}; unwatched minutes come back`,
      ),
      cost,
    ),
    topUpForm: h(
      "div",
      { class: "topup-form" },
      field("Add minutes", topUpMinutes),
      topUpCost,
      topUp,
      status,
    ),
    details,
    get pricePerSecond() {
      return pricePerSecond;
    },
    get current() {
      return current?.known;
    },
    load: latest,
    refresh,
    verified: () => verification,
    canStart: () => {
      const known = current?.known;
      return !!known && known.deposit - known.spent() >= (pricePerSecond ?? 0n) * graceSeconds;
    },
    rememberPaid,
    open,
    onLoaded: (listener) => void loaded.push(listener),
    onToppedUp: (listener) => void toppedUp.push(listener),
  };
}
