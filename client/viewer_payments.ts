/**
 * The viewer's side of the `sutantra-pay` channel: once the relay's
 * `session` message arrives, a cumulative voucher every second, one second
 * ahead of what was watched, and every few seconds a signed QoS receipt for
 * the relay and era the relay announced.
 *
 * @module
 */
import { type SigningKey, signMulti } from "../runtime/crypto/signer.ts";
import { ss58Decode } from "../runtime/crypto/ss58.ts";
import { fromHex } from "../runtime/primitives/hex.ts";
import { voucherPayload } from "../pallets/access/voucher.ts";
import { receiptPayload } from "../pallets/qos-rewards/receipts.ts";
import {
  channelToWire,
  NO_PAYEE,
  type RelayMessage,
  type SessionMessage,
  signatureToWire,
  type ViewerMessage,
} from "./relay/pay_messages.ts";

/** How a viewer pays. Unset fields come from the relay's `session` message. */
export interface PayOptions {
  /** The viewer's account key, of any scheme: signs vouchers and receipts. */
  key: SigningKey;
  /** The access channel, if not the one the relay names. */
  channel?: bigint;
  /** Genesis hash, `0x`-hex, if not the relay's. */
  genesis?: string;
  /** Price per second in planck, if not the relay's. */
  pricePerSecond?: bigint;
  /**
   * What earlier vouchers to this session's relay already covered (they are
   * cumulative per channel and relay), as the viewer remembers it, or a
   * function of the relay's account (SS58, as its `session` message names
   * it; null for a relay without one) that says it, for a viewer that may
   * be sent on to another relay; the relay's `paid` is taken when it is higher.
   */
  baseline?: bigint | ((relay: string | null) => bigint);
  /** Milliseconds between vouchers (default 1000). */
  voucherIntervalMs?: number;
  /** Milliseconds between receipts (default 5000). */
  receiptIntervalMs?: number;
}

/** Sends vouchers and receipts for one session. */
export class ViewerPayments {
  #session: SessionMessage | undefined;
  #channel: bigint | undefined;
  #genesis: Uint8Array | undefined;
  #price = 0n;
  #startedAt = 0;
  #paid: bigint;
  /** What the channel's lane to this relay covered before this session. */
  #baseline: bigint;
  #owed = 0n;
  #paused = false;
  #era = 0;
  #eraStartedAt = 0;
  #eraBytesBase = 0;
  /** What the relay already held of this era's receipt when the session began. */
  #eraHeld = { seconds: 0, bytes: 0n };
  #timers: ReturnType<typeof setInterval>[] = [];

  /**
   * @param send puts a message on the data channel
   * @param bytesReceived media payload bytes received so far in the session
   */
  constructor(
    private readonly send: (message: ViewerMessage) => void,
    private readonly options: PayOptions,
    private readonly bytesReceived: () => number,
  ) {
    this.#baseline = typeof options.baseline === "bigint" ? options.baseline : 0n;
    this.#paid = this.#baseline;
  }

  /** The newest voucher's cumulative amount (the baseline before any). */
  get paid(): bigint {
    return this.#paid;
  }

  /** Takes in what the relay said: `session` starts paying, `ack` updates what is owed. */
  onMessage(message: RelayMessage): void {
    if (message.type === "session" && !this.#session) this.#begin(message);
    if (message.type === "ack") {
      this.#owed = BigInt(message.owed);
      if (message.era !== this.#era) this.#newEra(message.era);
    }
    if (message.type === "cutoff") this.stop();
  }

  /** Stops sending vouchers (receipts go on): a viewer that no longer pays. */
  pause(): void {
    this.#paused = true;
  }

  /** Sends vouchers again. */
  resume(): void {
    this.#paused = false;
  }

  /**
   * Sends a voucher for `amount` now; `forged` signs it with another key,
   * as an attacker would.
   */
  sendVoucher(amount: bigint, options: { forged?: boolean } = {}): void {
    if (this.#channel === undefined || !this.#genesis) {
      throw new Error("Cannot send a voucher: no session or channel yet");
    }
    const relay = this.#session?.relay;
    const payee = relay ? ss58Decode(relay).publicKey : NO_PAYEE;
    const payload = voucherPayload(this.#genesis, this.#channel, payee, amount);
    const signature = signMulti(this.options.key, payload);
    if (options.forged) signature.signature[0] ^= 0xff;
    this.send({
      type: "voucher",
      channel: channelToWire(this.#channel),
      amount: amount.toString(),
      signature: signatureToWire(signature),
    });
    if (!options.forged && amount > this.#paid) this.#paid = amount;
  }

  /** Stops all timers. */
  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  #begin(session: SessionMessage): void {
    this.#session = session;
    const channel = this.options.channel ??
      (session.channel === null ? undefined : BigInt(session.channel));
    this.#channel = channel;
    this.#genesis = fromHex(this.options.genesis ?? session.genesis);
    this.#price = this.options.pricePerSecond ?? BigInt(session.price);
    this.#startedAt = performance.now();
    this.#era = session.era;
    if (typeof this.options.baseline === "function") {
      this.#baseline = this.options.baseline(session.relay);
      this.#paid = this.#baseline;
    }
    const paidBefore = BigInt(session.paid ?? "0");
    this.#baseline = paidBefore > this.#baseline ? paidBefore : this.#baseline;
    if (this.#baseline > this.#paid) this.#paid = this.#baseline;
    // A debt earlier sessions left on the channel is paid first.
    this.#owed = BigInt(session.owed ?? "0");
    this.#eraStartedAt = this.#startedAt;
    this.#eraBytesBase = this.bytesReceived();
    const held = session.receipt;
    this.#eraHeld = held
      ? { seconds: held.seconds, bytes: BigInt(held.bytes) }
      : { seconds: 0, bytes: 0n };
    if (channel !== undefined && this.#price > 0n) {
      this.#payNow();
      this.#timers.push(setInterval(() => this.#payNow(), this.options.voucherIntervalMs ?? 1000));
    }
    if (session.relay !== null) {
      this.#timers.push(
        setInterval(() => this.#sendReceipt(), this.options.receiptIntervalMs ?? 5000),
      );
    }
  }

  #payNow(): void {
    if (this.#paused) return;
    const seconds = BigInt(Math.floor((performance.now() - this.#startedAt) / 1000));
    // One second ahead; never behind what the relay says is owed.
    let amount = this.#baseline + this.#price * (seconds + 1n);
    if (this.#owed + this.#price > amount) amount = this.#owed + this.#price;
    if (amount > this.#paid) this.sendVoucher(amount);
  }

  #newEra(era: number): void {
    this.#sendReceipt();
    this.#era = era;
    this.#eraStartedAt = performance.now();
    this.#eraBytesBase = this.bytesReceived();
    this.#eraHeld = { seconds: 0, bytes: 0n };
  }

  #sendReceipt(): void {
    const session = this.#session;
    if (!session || session.relay === null || !this.#genesis) return;
    const seconds = this.#eraHeld.seconds +
      Math.floor((performance.now() - this.#eraStartedAt) / 1000);
    const bytes = this.#eraHeld.bytes + BigInt(this.bytesReceived() - this.#eraBytesBase);
    const signature = signMulti(
      this.options.key,
      receiptPayload({
        genesisHash: this.#genesis,
        relay: ss58Decode(session.relay).publicKey,
        stream: BigInt(session.stream),
        era: this.#era,
        seconds,
        bytes,
      }),
    );
    this.send({
      type: "receipt",
      era: this.#era,
      seconds,
      bytes: bytes.toString(),
      signature: signatureToWire(signature),
    });
  }
}
