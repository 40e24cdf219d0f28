/**
 * One viewer's metered session: what it owes, the vouchers and receipts it
 * sends, and the cut-off when its payments fall behind.
 *
 * A paying viewer owes what its channel's meter says ({@link Meter}:
 * one meter per channel, over all its sessions here, past and present),
 * and its vouchers cover what this relay holds or the chain has claimed of
 * its lane. Once what is owed is a second ahead of what is covered the
 * viewer is warned; once it is `graceSeconds` ahead, every session of the
 * channel is cut off. Free streams, the creator and allow-listed viewers
 * owe nothing.
 *
 * Messages are handled one at a time, in order; a voucher is acknowledged
 * only once it is on disk.
 *
 * @module
 */
import { ss58Encode } from "../../../runtime/crypto/mod.ts";
import { runtime } from "../../../runtime/mod.ts";
import { equalBytes } from "../../../runtime/primitives/bytes.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import { channelOf, isAllowListed, laneClaimed } from "../../../pallets/access/mod.ts";
import { currentEra } from "../../../pallets/staking/mod.ts";
import { getStream } from "../../../pallets/streams/mod.ts";
import type { ChainClient } from "../../chain/mod.ts";
import type { Logger } from "../../log.ts";
import type { QosReporter, QosViewer } from "../qos/mod.ts";
import { ArrearsGuard } from "./arrears.ts";
import type { ChannelMeters, Meter } from "./meter.ts";
import type { MeteredSession, ViewerPort } from "../relay.ts";
import {
  channelToWire,
  MessageError,
  NO_PAYEE,
  parseViewerMessage,
  type RefusedMessage,
  type SessionMessage,
  type VoucherMessage,
} from "../../../client/relay/pay_messages.ts";
import type { VoucherBook } from "./voucher_book.ts";

/** What a session needs of its desk. */
export interface SessionServices {
  client: ChainClient;
  book: VoucherBook;
  meters: ChannelMeters;
  qos: QosReporter;
  graceSeconds: number;
  now: () => number;
  log: Logger;
  /** Told when the session closed, with its channel, to claim it. */
  closed(session: PaidSession, channel: bigint | undefined): Promise<void>;
}

/** A viewer's session as the desk meters it. */
export class PaidSession implements MeteredSession {
  readonly #services: SessionServices;
  readonly #port: ViewerPort;
  readonly #qos: QosViewer;
  readonly #price: bigint;
  /** What this relay's lane of the channel was known to cover when the session opened. */
  readonly #paidBefore: bigint;
  /** The account vouchers must name: this relay's (or {@link NO_PAYEE}). */
  readonly #payee: Uint8Array;
  readonly #exempt: boolean;
  #channel: bigint | undefined;
  /** The channel's meter, once the session has a channel (never for exempt viewers). */
  #meter: Meter | undefined;
  #startedAt: number | undefined;
  readonly #guard: ArrearsGuard;
  #queue: Promise<void> = Promise.resolve();
  #closed: Promise<void> | undefined;

  /** Opens the session and sends the viewer its `session` message. */
  constructor(services: SessionServices, port: ViewerPort) {
    this.#services = services;
    this.#port = port;
    this.#guard = new ArrearsGuard(port, services.graceSeconds);
    const { client, qos } = services;
    const state = client.stateAt(client.best.header);
    const info = getStream(state, port.stream);
    this.#price = info?.pricePerSecond ?? 0n;
    this.#exempt = this.#price === 0n || (!!info && equalBytes(info.creator, port.viewer)) ||
      isAllowListed(state, port.stream, port.viewer);
    this.#channel = channelOf(state, port.viewer, port.stream);
    this.#payee = qos.relay ?? NO_PAYEE;
    this.#paidBefore = this.#channel === undefined ? 0n : this.#laneCovered(this.#channel);
    if (this.#channel !== undefined) this.#bindMeter(this.#channel);
    this.#qos = qos.attach(port.stream, port.viewer, () => port.stats());
    port.send(sessionMessage(client, port.stream, {
      price: this.#price,
      graceSeconds: services.graceSeconds,
      channel: this.#channel,
      relay: qos.relay,
      paid: this.#paidBefore,
      owed: this.#owed(),
      receipt: (era) => this.#qos.held(era),
    }));
  }

  /** Media started reaching the viewer: seconds count from now. */
  start(): void {
    if (this.#startedAt !== undefined) return;
    this.#startedAt = this.#services.now();
    this.#meter?.join(this, this.#startedAt, this.#price);
    this.#qos.start();
  }

  /** Handles a data-channel message, after those before it. */
  onMessage(text: string): void {
    this.#queue = this.#queue.then(() => this.#handle(text)).catch((e) =>
      this.#services.log.error(`Pay session: a message failed: ${(e as Error).message}`)
    );
  }

  /** Warns or cuts off a viewer whose vouchers fell behind (the desk calls it often). */
  tick(): void {
    if (this.#startedAt === undefined || this.#exempt || this.#closed) return;
    const lagMs = Number((this.#owed() - this.#covered()) * 1000n / this.#price);
    this.#guard.check(lagMs, () => this.#shortfall());
  }

  /** Ends the session once its messages are handled, and has its channel claimed. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#queue;
      this.#qos.detach();
      await this.#meter?.leave(this, this.#services.now());
      await this.#services.closed(this, this.#channel);
    })();
    return this.#closed;
  }

  /** Seconds of media so far. */
  #seconds(): number {
    const started = this.#startedAt;
    return started === undefined ? 0 : Math.floor((this.#services.now() - started) / 1000);
  }

  /** What the channel owes so far; a session without a channel owes for its own seconds. */
  #owed(): bigint {
    if (this.#exempt) return this.#paidBefore;
    const now = this.#services.now();
    if (this.#meter) return this.#meter.owed(now);
    const started = this.#startedAt ?? now;
    return this.#price * BigInt(Math.floor(now - started)) / 1000n;
  }

  /**
   * What the vouchers cover: the newest held, at least what was known paid
   * when the session began. (Called every tick: it reads the book, not the
   * chain; this relay's lane only ever claims what the book holds.)
   */
  #covered(): bigint {
    if (this.#channel === undefined) return this.#paidBefore;
    return max(this.#paidBefore, this.#services.book.newest(this.#channel)?.amount ?? 0n);
  }

  /** What this relay's lane of `channel` covers: the newest voucher held, or what the chain claimed. */
  #laneCovered(channel: bigint): bigint {
    const { client, book } = this.#services;
    const claimed = laneClaimed(client.stateAt(client.best.header), channel, this.#payee);
    return max(claimed, book.newest(channel)?.amount ?? 0n);
  }

  /** Meters the session on `channel`'s meter (from its start, if media already flows). */
  #bindMeter(channel: bigint): void {
    if (this.#exempt || this.#meter) return;
    this.#meter = this.#services.meters.meter(channel, () => this.#laneCovered(channel));
    if (this.#startedAt !== undefined) this.#meter.join(this, this.#startedAt, this.#price);
  }

  #shortfall(): string {
    if (this.#channel === undefined) return `no payment channel to stream ${this.#port.stream}`;
    return `vouchers cover ${this.#covered()} planck of ${this.#owed()} owed`;
  }

  async #handle(text: string): Promise<void> {
    let message;
    try {
      message = parseViewerMessage(text);
    } catch (e) {
      if (!(e instanceof MessageError)) throw e;
      return this.#refuse("message", `malformed message: ${e.message}`);
    }
    if (message.type === "backing") {
      return this.#refuse("message", "backing vouchers are for relay pulls, not viewers");
    }
    if (message.type === "voucher") return await this.#voucher(message);
    const reason = await this.#qos.receipt(message);
    if (reason) this.#refuse("receipt", reason);
  }

  async #voucher(message: VoucherMessage): Promise<void> {
    const { client, book, log } = this.#services;
    const state = client.stateAt(client.best.header);
    const verdict = book.check(message, {
      state,
      genesisHash: client.genesisHash,
      stream: this.#port.stream,
      viewer: this.#port.viewer,
      payee: this.#payee,
    });
    if (!verdict.ok) return this.#refuse("voucher", verdict.reason);
    const voucher = verdict.voucher;
    // A channel opened after the session began: its meter counts the seconds watched so far.
    if (this.#channel === undefined) {
      this.#channel = voucher.channel;
      this.#bindMeter(voucher.channel);
    }
    try {
      await book.store(voucher);
    } catch (e) {
      log.error(`Pay session: cannot store a voucher: ${(e as Error).message}`);
      return this.#refuse("voucher", "the relay could not store the voucher: send it again");
    }
    this.#port.send({
      type: "ack",
      channel: channelToWire(voucher.channel),
      amount: voucher.amount.toString(),
      owed: this.#owed().toString(),
      seconds: this.#seconds(),
      depositLeft: (voucher.deposit - voucher.amount).toString(),
      era: currentEra(state),
    });
  }

  #refuse(what: RefusedMessage["what"], reason: string): void {
    this.#port.send({ type: "refused", what, reason });
  }
}

/** The `session` message of a session on `stream`, with the era and genesis of `client`'s best block. */
export function sessionMessage(
  client: ChainClient,
  stream: bigint,
  terms: {
    price: bigint;
    graceSeconds: number;
    channel?: bigint;
    relay?: Uint8Array;
    paid: bigint;
    owed: bigint;
    /** The receipt held of the viewer in an era. */
    receipt?: (era: number) => { seconds: number; bytes: bigint } | undefined;
  },
): SessionMessage {
  const era = currentEra(client.stateAt(client.best.header));
  const held = terms.receipt?.(era);
  return {
    type: "session",
    stream: Number(stream),
    price: terms.price.toString(),
    graceSeconds: terms.graceSeconds,
    channel: terms.channel === undefined ? null : channelToWire(terms.channel),
    relay: terms.relay ? ss58Encode(terms.relay, runtime.ss58Format) : null,
    era,
    genesis: toHex(client.genesisHash),
    paid: terms.paid.toString(),
    owed: terms.owed.toString(),
    ...(held ? { receipt: { seconds: held.seconds, bytes: held.bytes.toString() } } : {}),
  };
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
