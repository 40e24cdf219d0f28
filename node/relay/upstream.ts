/**
 * Pulling a stream this relay does not carry from one that does.
 *
 * Carriers come from the chain's directory (`Streams.StreamRelays`, with
 * each relay's endpoint from `QosRewards.Relays`). The relay asks one of
 * them by WHEP with a `relay` token signed by its own account key, and the
 * answer becomes the stream's source here. When that carrier goes quiet or
 * away, the next one is tried; one upstream per stream, for as long as
 * someone here watches. A paid stream's pull is backed by the vouchers this
 * relay's own viewers sign to it: each second the newest of each channel
 * goes upstream as a `backing` message (the rule is in `pay/pull.ts`).
 *
 * The carrier says the stream's depth in its relay tree with its answer
 * (`sutantra-relay-depth`); the stream is one deeper here.
 *
 * @module
 */
import { accountOf, type MultiSignatureValue, type SigningKey } from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { carrierEndpoints } from "./carriers.ts";
import type { ChainClient } from "../chain/mod.ts";
import type { Logger } from "../log.ts";
import type { RelayDirectory } from "./directory.ts";
import {
  type BackingMessage,
  channelToWire,
  type RelayMessage,
  signatureToWire,
} from "../../client/relay/pay_messages.ts";
import { issueToken } from "../../client/relay/token.ts";
import type { TrickledCandidate } from "./plane.ts";
import { endSession, exchangeSdp, trickleCandidates } from "../../client/relay/whep_client.ts";

/** An upstream silent this long counts as gone. */
export const SILENCE_MS = 2_000;
/** How long a carrier has to answer and start sending. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Pause between rounds over the carriers when none could be reached. */
const RETRY_MS = 500;
/** How often the newest backing vouchers go upstream. */
const BACKING_INTERVAL_MS = 1_000;

/** The vouchers this relay's viewers signed to it for a stream: channel and newest voucher. */
export type BackingVouchers = (
  stream: bigint,
) => Iterable<[bigint, { amount: bigint; signature: MultiSignatureValue }]>;

/**
 * One attempt at pulling a stream from a carrier, as the media plane makes
 * it: an offer to receive the stream, with a `sutantra-pay` channel.
 */
export interface PullLeg {
  /** The SDP offer to send the carrier. */
  readonly offer: string;
  /**
   * Completes the connection with the carrier's answer; resolves with the
   * ICE candidates the offer held back, for the carrier to be trickled.
   */
  accept(answer: string): Promise<TrickledCandidate[]>;
  /** Resolves whether media began to flow within `timeoutMs` (it feeds the stream here from then on). */
  flowing(timeoutMs: number): Promise<boolean>;
  /** Sends `text` upstream on the pay channel; false when it is not open and nothing was sent. */
  sendPay(text: string): boolean;
  /** Calls `handler` with each message the carrier sends on the pay channel. */
  onPay(handler: (text: string) => void): void;
  /** Resolves once the pull's media is gone: its connection ended, or it fell silent for {@link SILENCE_MS}. */
  gone(): Promise<void>;
  /** Ends the pull (and stops it feeding the stream). */
  close(): Promise<void>;
}

/** Keeps streams fed from other relays. */
export class UpstreamPuller {
  readonly #client: ChainClient;
  readonly #key: SigningKey;
  readonly #log: Logger;
  readonly #directory?: RelayDirectory;
  readonly #backing?: BackingVouchers;
  readonly #pulling = new Set<bigint>();
  /** The depth here of each stream pulled from a carrier that said its own. */
  readonly #depths = new Map<bigint, number>();
  #stopped = false;

  constructor(
    init: {
      client: ChainClient;
      /** The relay's account key: signs its pull tokens. */
      key: SigningKey;
      log: Logger;
      /** Registers this node as a relay, which carriers require of those who pull. */
      directory?: RelayDirectory;
      /** What backs a pull: this relay's viewers' vouchers (none without a payment desk). */
      backing?: BackingVouchers;
    },
  ) {
    this.#directory = init.directory;
    this.#backing = init.backing;
    this.#client = init.client;
    this.#key = init.key;
    this.#log = init.log;
  }

  /** Whether `stream` is being pulled. */
  isPulling(stream: bigint): boolean {
    return this.#pulling.has(stream);
  }

  /**
   * Feeds `stream` from carriers, each attempt a leg `open` makes, until
   * `wanted()` turns false (nobody watches here any more, or a publisher
   * took over). Does nothing if already pulling.
   */
  pull(stream: bigint, open: () => Promise<PullLeg>, wanted: () => boolean): void {
    if (this.#pulling.has(stream)) return;
    this.#pulling.add(stream);
    this.#directory?.takePart();
    this.#loop(stream, open, wanted)
      .catch((e) => this.#log.warn(`upstream for stream ${stream}: ${e}`))
      .finally(() => {
        this.#pulling.delete(stream);
        this.#depths.delete(stream);
      });
  }

  /**
   * The depth here of `stream`, pulled from a carrier: the carrier's depth,
   * as it said, plus one; undefined when it is not pulled or the carrier
   * did not say.
   */
  depth(stream: bigint): number | undefined {
    return this.#depths.get(stream);
  }

  /** Stops every pull (their sources close with their hubs). */
  stop(): void {
    this.#stopped = true;
  }

  async #loop(
    stream: bigint,
    open: () => Promise<PullLeg>,
    wanted: () => boolean,
  ): Promise<void> {
    let lastFailed: string | undefined;
    while (!this.#stopped && wanted()) {
      const endpoints = this.#carriers(stream)
        .sort((a, b) => Number(a === lastFailed) - Number(b === lastFailed));
      for (const endpoint of endpoints) {
        if (this.#stopped || !wanted()) return;
        const attached = await this.#attach(stream, open, endpoint);
        if (!attached) {
          lastFailed = endpoint;
          continue;
        }
        this.#log.info(`🔀 Stream ${stream}: pulling from ${endpoint}`);
        if (attached.depth !== undefined) this.#depths.set(stream, attached.depth + 1);
        const stopBacking = this.#back(attached.leg, stream, endpoint);
        await this.#untilGone(attached.leg, wanted);
        this.#depths.delete(stream);
        stopBacking();
        await attached.leg.close();
        await endSession(attached.location, attached.token).catch(() => {});
        lastFailed = endpoint;
        if (wanted()) this.#log.warn(`🔀 Stream ${stream}: upstream ${endpoint} lost`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  /** The endpoints of the relays carrying `stream`, this one excluded. */
  #carriers(stream: bigint): string[] {
    return carrierEndpoints(
      this.#client.stateAt(this.#client.best.header),
      stream,
      accountOf(this.#key),
    );
  }

  async #attach(
    stream: bigint,
    open: () => Promise<PullLeg>,
    endpoint: string,
  ): Promise<{ leg: PullLeg; location: string; token: string; depth?: number } | undefined> {
    const token = issueToken(this.#key, {
      genesis: toHex(this.#client.genesisHash),
      stream,
      role: "relay",
      audience: endpoint,
    });
    let leg: PullLeg | undefined;
    let location: string | undefined;
    try {
      leg = await open();
      const exchange = await exchangeSdp(
        `${endpoint}/whep/${stream}`,
        leg.offer,
        token,
        AbortSignal.timeout(CONNECT_TIMEOUT_MS),
      );
      location = exchange.location;
      const candidates = await leg.accept(exchange.answer);
      if (candidates.length) {
        await trickleCandidates(location, token, leg.offer, candidates);
      }
      if (!await leg.flowing(CONNECT_TIMEOUT_MS)) throw new Error("no media arrived");
      return { leg, location, token, depth: exchange.depth };
    } catch (e) {
      this.#log.debug(`upstream ${endpoint} for stream ${stream}: ${(e as Error).message}`);
      await leg?.close();
      if (location) await endSession(location, token).catch(() => {});
      return undefined;
    }
  }

  /**
   * Sends the pull's backing up `leg`'s pay channel every second: the
   * newest voucher of each channel that grew since last sent. Returns a stop.
   */
  #back(leg: PullLeg, stream: bigint, endpoint: string): () => void {
    const backing = this.#backing;
    if (!backing) return () => {};
    leg.onPay((text) => {
      let message: RelayMessage;
      try {
        message = JSON.parse(text);
      } catch {
        return this.#log.debug(
          `🔀 Stream ${stream}: upstream ${endpoint} sent a malformed message`,
        );
      }
      if (message.type === "cutoff" || message.type === "refused" || message.type === "warning") {
        this.#log.warn(
          `🔀 Stream ${stream}: upstream ${endpoint} says ${message.type}: ${message.reason}`,
        );
      }
    });
    const sent = new Map<bigint, bigint>();
    const timer = setInterval(() => {
      for (const [id, voucher] of backing(stream)) {
        if (voucher.amount <= (sent.get(id) ?? 0n)) continue;
        const backed = leg.sendPay(JSON.stringify(
          {
            type: "backing",
            channel: channelToWire(id),
            amount: voucher.amount.toString(),
            signature: signatureToWire(voucher.signature),
          } satisfies BackingMessage,
        ));
        if (backed) sent.set(id, voucher.amount);
      }
    }, BACKING_INTERVAL_MS);
    return () => clearInterval(timer);
  }

  /** Resolves when `leg` is gone or no longer wanted. */
  #untilGone(leg: PullLeg, wanted: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearInterval(timer);
        resolve();
      };
      leg.gone().then(finish);
      const timer = setInterval(() => {
        if (this.#stopped || !wanted()) finish();
      }, 250);
    });
  }
}
