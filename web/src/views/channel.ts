/// <reference lib="dom" />
/**
 * Watch, payment channel: the selected account's channel to the stream
 * being watched, opened and topped up on chain, and the newest amount its
 * vouchers allowed each relay (kept in this browser: vouchers are
 * cumulative per channel and relay, so the next session with that relay
 * starts from it).
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
import { act, errorText, field, h, show } from "../dom.ts";
import { NodeLied, type ProvenPayment, verifyPayment } from "../verify_payment.ts";
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
  /** What this browser's vouchers allowed the relay of this account (SS58; null: none). */
  paidTo(relay: string | null): bigint;
}

/** Blocks a new channel stays open by default (a day of 6 s blocks). */
const DEFAULT_EXPIRY_BLOCKS = 14_400;

/**
 * Mounts the channel panel; `streamOf()` says which stream is selected.
 * `load()` re-reads the channel and starts proving it (`refresh()`
 * likewise, showing failures); `verified()` is that proof (undefined when
 * the light client is off), or why the page must not pay; `rememberPaid`
 * keeps a voucher amount to a relay.
 */
export function mountChannel(app: App, root: HTMLElement, streamOf: () => number) {
  const info = h("span", { "data-testid": "watch-info" }, "Pick a stream");
  const price = h("strong", { "data-testid": "watch-price" }, "—");
  const channelId = h("strong", { "data-testid": "watch-channel" }, "none");
  const deposit = h("strong", { "data-testid": "watch-channel-deposit" }, "—");
  const claimed = h("strong", { "data-testid": "watch-channel-claimed" }, "—");
  const expiry = h("span", { "data-testid": "watch-channel-expiry" }, "—");
  const badges = ["price", "channel", "deposit", "claimed", "expiry"].map((figure) =>
    h("small", { class: "verified", "data-testid": `verified-${figure}` })
  );
  const [priceBadge, channelBadge, depositBadge, claimedBadge, expiryBadge] = badges;
  const verifyStatus = h("p", { class: "status", "data-testid": "watch-verify" });
  const depositInput = h("input", {
    "data-testid": "watch-deposit",
    inputmode: "decimal",
    value: "1",
  });
  const blocks = h("input", {
    "data-testid": "watch-expiry-blocks",
    inputmode: "numeric",
    value: DEFAULT_EXPIRY_BLOCKS,
  });
  const open = h("button", { "data-testid": "watch-open-channel", type: "button" }, "Open channel");
  const topUpInput = h("input", {
    "data-testid": "watch-topup-amount",
    inputmode: "decimal",
    value: "1",
  });
  const topUp = h("button", { "data-testid": "watch-topup", type: "button" }, "Top up");
  const status = h("p", { class: "status", "data-testid": "watch-channel-status" });
  let current: { id: bigint; info: ChannelInfo } | undefined;
  /** The proof of the figures last loaded; each load starts a new one. */
  let verification: Promise<ProvenPayment | undefined> = Promise.resolve(undefined);
  let loads = 0;

  // Vouchers are cumulative per channel and relay: the page pays the relay it is served
  // from, this node or another one a full node sent it to.
  const paidKey = (id: bigint, relay: string | null) =>
    `sutantra.paid.${toHex(app.chain.genesisHash)}.${id}.${relay ?? "no-relay"}`;
  const rememberPaid = (amount: bigint, relay: string | null) => {
    if (!current) return;
    const key = paidKey(current.id, relay);
    if (amount > BigInt(localStorage.getItem(key) ?? "0")) {
      localStorage.setItem(key, String(amount));
    }
  };

  /** Shows the channel's figures (the node's, or once proven, the proof's). */
  const showChannel = (channel?: ChannelFigures) => {
    if (!channel) {
      channelId.textContent = "none — open one to pay for watching";
      delete channelId.dataset.channel;
      deposit.textContent = claimed.textContent = expiry.textContent = "—";
      return;
    }
    channelId.textContent = `#${channel.id}`;
    channelId.dataset.channel = String(channel.id);
    deposit.textContent = app.amount(channel.deposit);
    deposit.dataset.planck = String(channel.deposit);
    claimed.textContent = app.amount(channel.claimed);
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
      price.textContent = proven.price === undefined ? "—" : `${app.amount(proven.price)}`;
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

  const load = async (): Promise<KnownChannel | undefined> => {
    const id = streamOf();
    const generation = ++loads;
    current = undefined;
    const atLeast = await app.chain.bestNumber();
    const stream = await app.chain.query<StreamInfo | null>("Streams", "Streams", [id]);
    info.textContent = stream
      ? `#${id} “${stream.title}” · ${stream.status} · `
      : `There is no stream #${id} · `;
    price.textContent = stream ? app.amount(stream.pricePerSecond) : "—";
    const viewer = app.address;
    const channel = viewer
      ? await app.chain.query<number | string | null>("Access", "ChannelsByViewer", [viewer, id])
      : null;
    const found = channel === null
      ? null
      : await app.chain.query<ChannelInfo | null>("Access", "Channels", [channel]);
    verification = verify(generation, id, atLeast);
    verification.catch(() => {}); // shown in the panel; watching awaits it again
    if (channel === null || !found) {
      showChannel(undefined);
      return undefined;
    }
    current = { id: BigInt(channel), info: found };
    showChannel({ ...found, id: channel });
    // The relay's `paid` covers what its lane claimed; this covers vouchers it may not hold.
    const known = current.id;
    return {
      id: known,
      paidTo: (relay) => BigInt(localStorage.getItem(paidKey(known, relay)) ?? "0"),
    };
  };

  open.addEventListener("click", () =>
    void act(open, status, async (progress) => {
      const stream = streamOf();
      const amount = app.parse(depositInput.value);
      const best = await app.chain.bestNumber();
      await app.chain.submit(
        "Access",
        "openChannel",
        {
          stream,
          deposit: amount.toString(),
          expiry: best + Number(blocks.value),
        },
        app.signer().key,
        (s) => progress(`Open channel: ${s}…`),
      );
      await load();
      return `Opened channel ${channelId.textContent} with ${app.amount(amount)}`;
    }));
  topUp.addEventListener("click", () =>
    void act(topUp, status, async (progress) => {
      if (!current) throw new Error("No channel to top up: open one first");
      const amount = app.parse(topUpInput.value);
      await app.chain.submit(
        "Access",
        "topUp",
        {
          channel: current.id.toString(),
          amount: amount.toString(),
          newExpiry: null,
        },
        app.signer().key,
        (s) => progress(`Top up: ${s}…`),
      );
      await load();
      return `Added ${app.amount(amount)} to channel #${current!.id}`;
    }));

  root.append(h(
    "section",
    { class: "panel" },
    h("h3", {}, "Payment channel"),
    h("p", {}, info, price, " per second ", priceBadge),
    h(
      "p",
      {},
      "Channel ",
      channelId,
      " ",
      channelBadge,
      " · deposit ",
      deposit,
      " ",
      depositBadge,
      " · claimed ",
      claimed,
      " ",
      claimedBadge,
      " · expires at ",
      expiry,
      " ",
      expiryBadge,
    ),
    verifyStatus,
    h(
      "div",
      { class: "inline" },
      field(`Deposit (${app.chain.token.symbol})`, depositInput),
      field("Open for (blocks)", blocks),
      open,
    ),
    h("div", { class: "inline" }, field(`Top-up (${app.chain.token.symbol})`, topUpInput), topUp),
    status,
  ));
  /** Re-reads the channel, showing a failure in the panel. */
  const refresh = () =>
    void load().catch((e) => show(status, "error", `Cannot read the channel: ${errorText(e)}`));
  app.onAccount(refresh);
  return { load, refresh, rememberPaid, verified: () => verification };
}
