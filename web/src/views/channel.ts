/// <reference lib="dom" />
/**
 * Watch, payment channel: the selected account's channel to the stream
 * being watched, opened and topped up on chain, and the newest amount its
 * vouchers allowed each relay (kept in this browser: vouchers are
 * cumulative per channel and relay, so the next session with that relay
 * starts from it).
 *
 * @module
 */
import { toHex } from "../../../runtime/primitives/hex.ts";
import type { App } from "../app.ts";
import { act, errorText, field, h, show } from "../dom.ts";
import type { StreamInfo } from "./streams.ts";

interface ChannelInfo {
  viewer: string;
  stream: number;
  deposit: number | string;
  claimed: number | string;
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
 * `load()` re-reads the channel (`refresh()` likewise, showing failures);
 * `rememberPaid` keeps a voucher amount to a relay.
 */
export function mountChannel(app: App, root: HTMLElement, streamOf: () => number) {
  const info = h("p", { "data-testid": "watch-info" }, "Pick a stream");
  const channelId = h("strong", { "data-testid": "watch-channel" }, "none");
  const deposit = h("strong", { "data-testid": "watch-channel-deposit" }, "—");
  const expiry = h("span", { "data-testid": "watch-channel-expiry" }, "—");
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

  const load = async (): Promise<KnownChannel | undefined> => {
    const id = streamOf();
    current = undefined;
    const stream = await app.chain.query<StreamInfo | null>("Streams", "Streams", [id]);
    info.textContent = stream
      ? `#${id} “${stream.title}” · ${
        app.amount(stream.pricePerSecond)
      } per second · ${stream.status}`
      : `There is no stream #${id}`;
    const viewer = app.address;
    const channel = viewer
      ? await app.chain.query<number | string | null>("Access", "ChannelsByViewer", [viewer, id])
      : null;
    const found = channel === null
      ? null
      : await app.chain.query<ChannelInfo | null>("Access", "Channels", [channel]);
    if (channel === null || !found) {
      channelId.textContent = "none — open one to pay for watching";
      delete channelId.dataset.channel;
      deposit.textContent = expiry.textContent = "—";
      return undefined;
    }
    current = { id: BigInt(channel), info: found };
    channelId.textContent = `#${channel}`;
    channelId.dataset.channel = String(channel);
    deposit.textContent = `${app.amount(found.deposit)} (claimed ${app.amount(found.claimed)})`;
    deposit.dataset.planck = String(found.deposit);
    expiry.textContent = `block #${found.expiry}`;
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
    info,
    h("p", {}, "Channel ", channelId, " · deposit ", deposit, " · expires at ", expiry),
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
  return { load, refresh, rememberPaid };
}
