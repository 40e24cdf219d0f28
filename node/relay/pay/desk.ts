/**
 * The payment desk: meters every paying viewer by the second, takes its
 * vouchers (checked, stored, then acknowledged), warns and cuts off a viewer
 * whose vouchers fall more than the grace period behind, and claims the
 * newest voucher of each channel on chain now and then and when a session
 * ends. Receipts go to the QoS ledger.
 *
 * @module
 */
import { ss58Encode } from "../../../runtime/crypto/ss58.ts";
import { equalBytes } from "../../../runtime/primitives/bytes.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import { channelOf, getChannel, isAllowListed } from "../../../pallets/access/mod.ts";
import { getStream } from "../../../pallets/streams/mod.ts";
import type { ChainClient } from "../../chain/mod.ts";
import type { Logger } from "../../log.ts";
import type { LocalSigner } from "../../pool/local_signer.ts";
import { QosLedger } from "../qos/ledger.ts";
import type { MeteredSession, PaymentSessions, ViewerPort } from "../relay.ts";
import {
  channelToWire,
  MessageError,
  parseViewerMessage,
  type VoucherMessage,
} from "./messages.ts";
import { RelayStore } from "./store.ts";
import { checkVoucher, VoucherRefused } from "./voucher_check.ts";

/** What opening a desk takes. */
export interface PaymentDeskInit {
  client: ChainClient;
  /** Directory of the desk's LevelDB. */
  path: string;
  /** Signs claims and reports; without it nothing is claimed. */
  signer?: LocalSigner;
  log: Logger;
  /** Seconds a viewer's vouchers may lag before it is cut off. */
  graceSeconds: number;
  claimIntervalMs?: number;
  now?: () => number;
}

/** Meters viewers, keeps their vouchers and claims them. */
export class PaymentDesk implements PaymentSessions {
  readonly #init: PaymentDeskInit;
  readonly #store: RelayStore;
  readonly #ledger: QosLedger;
  readonly #sessions = new Set<Meter>();
  /** Claims in flight: channel → amount submitted. */
  readonly #claiming = new Map<bigint, bigint>();
  readonly #tick: ReturnType<typeof setInterval>;
  readonly #claimTimer: ReturnType<typeof setInterval>;

  private constructor(init: PaymentDeskInit, store: RelayStore) {
    this.#init = init;
    this.#store = store;
    this.#ledger = new QosLedger({
      client: init.client,
      store,
      signer: init.signer,
      log: init.log,
    });
    this.#tick = setInterval(() => {
      for (const meter of this.#sessions) meter.tick();
    }, 500);
    this.#claimTimer = setInterval(() => this.claimAll(), init.claimIntervalMs ?? 30_000);
  }

  /** Opens the desk's store and claims what an earlier run left unclaimed. */
  static async open(init: PaymentDeskInit): Promise<PaymentDesk> {
    const desk = new PaymentDesk(init, await RelayStore.open(init.path));
    desk.claimAll();
    return desk;
  }

  /** The newest voucher held for `channel`, if any. */
  voucherOf(channel: bigint): bigint | undefined {
    return this.#store.vouchers.get(channel)?.amount;
  }

  /** Starts metering a viewer. */
  session(port: ViewerPort): MeteredSession {
    const meter = new Meter(this, port);
    this.#sessions.add(meter);
    return meter;
  }

  /** Claims every channel whose newest voucher is above what the chain has claimed. */
  claimAll(): void {
    const signer = this.#init.signer;
    if (!signer) return;
    const state = this.#state();
    for (const voucher of this.#store.vouchers.values()) {
      const channel = getChannel(state, voucher.channel);
      if (!channel || channel.claimed >= voucher.amount) {
        this.#claiming.delete(voucher.channel);
        continue;
      }
      if ((this.#claiming.get(voucher.channel) ?? -1n) >= voucher.amount) continue;
      try {
        signer.submit({
          pallet: "Access",
          call: "claim",
          args: {
            channel: voucher.channel,
            cumulativeAmount: voucher.amount,
            signature: voucher.signature,
          },
        });
        this.#claiming.set(voucher.channel, voucher.amount);
        this.#init.log.info(`💰 Claiming ${voucher.amount} on channel ${voucher.channel}`);
      } catch (e) {
        this.#init.log.warn(`claim on channel ${voucher.channel}: ${(e as Error).message}`);
      }
    }
  }

  /** Stops metering and closes the store. */
  async close(): Promise<void> {
    clearInterval(this.#tick);
    clearInterval(this.#claimTimer);
    this.#ledger.stop();
    this.#sessions.clear();
    await this.#store.close();
  }

  // The parts a meter uses.

  /** @internal */
  get init(): PaymentDeskInit {
    return this.#init;
  }
  /** @internal */
  get ledger(): QosLedger {
    return this.#ledger;
  }
  /** @internal */
  get store(): RelayStore {
    return this.#store;
  }
  /** @internal */
  ended(meter: Meter): void {
    this.#sessions.delete(meter);
    this.claimAll();
  }
  #state() {
    return this.#init.client.stateAt(this.#init.client.best.header);
  }
}

/** One viewer's meter. */
class Meter implements MeteredSession {
  readonly #desk: PaymentDesk;
  readonly #port: ViewerPort;
  readonly #price: bigint;
  readonly #free: boolean;
  readonly #channel?: bigint;
  readonly #baseline: bigint;
  #paid: bigint;
  #startedAt?: number;
  #warned = false;
  #over = false;
  /** Voucher checks run one at a time, so amounts are compared with the stored newest. */
  #queue: Promise<void> = Promise.resolve();

  constructor(desk: PaymentDesk, port: ViewerPort) {
    this.#desk = desk;
    this.#port = port;
    const { client, signer, graceSeconds } = desk.init;
    const state = client.stateAt(client.best.header);
    const info = getStream(state, port.stream);
    this.#price = info?.pricePerSecond ?? 0n;
    this.#free = this.#price === 0n || !info || equalBytes(info.creator, port.viewer) ||
      isAllowListed(state, port.stream, port.viewer);
    this.#channel = channelOf(state, port.viewer, port.stream);
    const claimed = this.#channel === undefined
      ? 0n
      : getChannel(state, this.#channel)?.claimed ?? 0n;
    const held = this.#channel === undefined ? undefined : desk.voucherOf(this.#channel);
    this.#baseline = held !== undefined && held > claimed ? held : claimed;
    this.#paid = this.#baseline;
    port.send({
      type: "session",
      stream: Number(port.stream),
      price: this.#price.toString(),
      graceSeconds,
      channel: this.#channel === undefined ? null : channelToWire(this.#channel),
      relay: signer ? ss58Encode(signer.account) : null,
      era: desk.ledger.era(),
      genesis: toHex(client.genesisHash),
    });
  }

  start(): void {
    this.#startedAt ??= this.#now();
  }

  onMessage(text: string): void {
    if (this.#over) return;
    let message;
    try {
      message = parseViewerMessage(text);
    } catch (e) {
      const reason = e instanceof MessageError ? e.message : "unreadable";
      this.#port.send({ type: "refused", what: "message", reason });
      return;
    }
    if (message.type === "voucher") {
      this.#queue = this.#queue.then(() => this.#onVoucher(message));
    } else {
      this.#desk.ledger.receive(this.#port.viewer, this.#port.stream, message).catch((e) =>
        this.#port.send({ type: "refused", what: "receipt", reason: (e as Error).message })
      );
    }
  }

  /** Checks the viewer's standing; warns or cuts it off when vouchers lag. */
  tick(): void {
    if (this.#over || this.#free || this.#startedAt === undefined) return;
    const owed = this.#owed();
    if (this.#paid >= owed) {
      this.#warned = false;
      return;
    }
    const behindSeconds = Number((owed - this.#paid) / this.#price);
    const grace = this.#desk.init.graceSeconds;
    if (behindSeconds > grace) {
      this.#over = true;
      this.#port.send({ type: "cutoff", reason: `vouchers ${behindSeconds} s behind` });
      this.#port.cutOff(`vouchers ${behindSeconds} s behind`);
    } else if (behindSeconds >= 1 && !this.#warned) {
      this.#warned = true;
      this.#port.send({
        type: "warning",
        reason: `vouchers are ${behindSeconds} s behind`,
        cutoffIn: grace - behindSeconds,
      });
    }
  }

  async close(): Promise<void> {
    if (this.#startedAt !== undefined) {
      const stats = this.#port.stats();
      this.#desk.ledger.recordService(this.#port.stream, {
        bytes: stats.bytesSent,
        seconds: Math.round(this.#elapsedSeconds()),
        lossPermill: stats.lossPermill,
        jitterMs: stats.jitterMs,
      });
    }
    this.#over = true;
    await this.#queue;
    this.#desk.ended(this);
  }

  async #onVoucher(message: VoucherMessage): Promise<void> {
    const { client } = this.#desk.init;
    const state = client.stateAt(client.best.header);
    try {
      const channelId = BigInt(message.channel);
      const newest = this.#desk.voucherOf(channelId) ?? 0n;
      const voucher = checkVoucher(state, client.genesisHash, this.#port, message, newest);
      await this.#desk.store.putVoucher({
        channel: voucher.channel,
        stream: this.#port.stream,
        amount: voucher.amount,
        signature: voucher.signature,
      });
      if (voucher.channel === this.#channel && voucher.amount > this.#paid) {
        this.#paid = voucher.amount;
      }
      this.#port.send({
        type: "ack",
        channel: message.channel,
        amount: voucher.amount.toString(),
        owed: this.#owed().toString(),
        seconds: Math.floor(this.#elapsedSeconds()),
        depositLeft: (voucher.deposit - voucher.amount).toString(),
        era: this.#desk.ledger.era(),
      });
    } catch (e) {
      const reason = e instanceof VoucherRefused ? e.message : `cannot take it: ${e}`;
      this.#port.send({ type: "refused", what: "voucher", reason });
    }
  }

  #owed(): bigint {
    if (this.#free) return this.#baseline;
    return this.#baseline + this.#price * BigInt(Math.floor(this.#elapsedSeconds()));
  }

  #elapsedSeconds(): number {
    return this.#startedAt === undefined ? 0 : (this.#now() - this.#startedAt) / 1000;
  }

  #now(): number {
    return (this.#desk.init.now ?? Date.now)();
  }
}
