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
 * @module
 */
import type { PeerConfig } from "werift";
import { accountOf, type MultiSignatureValue, type SigningKey } from "../../runtime/crypto/mod.ts";
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { relayInfo } from "../../pallets/qos-rewards/mod.ts";
import { relaysOf } from "../../pallets/streams/mod.ts";
import type { ChainClient } from "../chain/mod.ts";
import type { Logger } from "../log.ts";
import type { RelayDirectory } from "./directory.ts";
import type { StreamHub } from "./media/hub.ts";
import { SourceLeg } from "./media/source.ts";
import {
  type BackingMessage,
  channelToWire,
  type RelayMessage,
  signatureToWire,
} from "./pay/messages.ts";
import { issueToken } from "./token.ts";
import { endSession, exchangeSdp } from "./whep_client.ts";

/** An upstream silent this long counts as gone. */
export const SILENCE_MS = 2_000;
/** How long a carrier has to answer and start sending. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Pause between rounds over the carriers when none could be reached. */
const RETRY_MS = 500;
/** How often the newest backing vouchers go upstream. */
const BACKING_INTERVAL_MS = 1_000;

/** The vouchers this relay's viewers signed to it for a stream: channel and newest voucher. */
export type BackingVouchers = (
  stream: bigint,
) => Iterable<[bigint, { amount: bigint; signature: MultiSignatureValue }]>;

/** Keeps hubs fed from other relays. */
export class UpstreamPuller {
  readonly #client: ChainClient;
  readonly #key: SigningKey;
  readonly #peerConfig: Partial<PeerConfig>;
  readonly #log: Logger;
  readonly #directory?: RelayDirectory;
  readonly #backing?: BackingVouchers;
  readonly #pulling = new Set<bigint>();
  #stopped = false;

  constructor(
    init: {
      client: ChainClient;
      /** The relay's account key: signs its pull tokens. */
      key: SigningKey;
      peerConfig: Partial<PeerConfig>;
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
    this.#peerConfig = init.peerConfig;
    this.#log = init.log;
  }

  /** Whether `stream` is being pulled. */
  isPulling(stream: bigint): boolean {
    return this.#pulling.has(stream);
  }

  /**
   * Feeds `hub` from carriers until `wanted()` turns false (nobody watches
   * here any more, or a publisher took over). Does nothing if already pulling.
   */
  pull(hub: StreamHub, wanted: () => boolean): void {
    if (this.#pulling.has(hub.stream)) return;
    this.#pulling.add(hub.stream);
    this.#directory?.takePart();
    this.#loop(hub, wanted)
      .catch((e) => this.#log.warn(`upstream for stream ${hub.stream}: ${e}`))
      .finally(() => this.#pulling.delete(hub.stream));
  }

  /** Stops every pull (their sources close with their hubs). */
  stop(): void {
    this.#stopped = true;
  }

  async #loop(hub: StreamHub, wanted: () => boolean): Promise<void> {
    let lastFailed: string | undefined;
    while (!this.#stopped && wanted()) {
      const endpoints = this.#carriers(hub.stream)
        .sort((a, b) => Number(a === lastFailed) - Number(b === lastFailed));
      for (const endpoint of endpoints) {
        if (this.#stopped || !wanted()) return;
        const attached = await this.#attach(hub, endpoint);
        if (!attached) {
          lastFailed = endpoint;
          continue;
        }
        this.#log.info(`🔀 Stream ${hub.stream}: pulling from ${endpoint}`);
        const stopBacking = this.#back(attached.source, hub.stream, endpoint);
        await this.#untilGone(attached.source, wanted);
        stopBacking();
        hub.detach(attached.source);
        await attached.source.close();
        await endSession(attached.location, attached.token).catch(() => {});
        lastFailed = endpoint;
        if (wanted()) this.#log.warn(`🔀 Stream ${hub.stream}: upstream ${endpoint} lost`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  /** The endpoints of the relays carrying `stream`, this one excluded. */
  #carriers(stream: bigint): string[] {
    const state = this.#client.stateAt(this.#client.best.header);
    const me = accountOf(this.#key);
    const out: string[] = [];
    for (const { relay } of relaysOf(state, stream)) {
      if (equalBytes(relay, me)) continue;
      const endpoint = relayInfo(state, relay)?.endpoint;
      if (endpoint?.length) out.push(new TextDecoder().decode(endpoint).replace(/\/+$/, ""));
    }
    return out;
  }

  async #attach(
    hub: StreamHub,
    endpoint: string,
  ): Promise<{ source: SourceLeg; location: string; token: string } | undefined> {
    const token = issueToken(this.#key, {
      genesis: toHex(this.#client.genesisHash),
      stream: hub.stream,
      role: "relay",
      audience: endpoint,
    });
    const { source, offer } = await SourceLeg.offering(this.#peerConfig);
    try {
      const exchange = await exchangeSdp(
        `${endpoint}/whep/${hub.stream}`,
        offer,
        token,
        AbortSignal.timeout(CONNECT_TIMEOUT_MS),
      );
      await source.accept(exchange.answer);
      const codec = await Promise.race([
        source.codecKnown(),
        new Promise<undefined>((resolve) =>
          setTimeout(() => resolve(undefined), CONNECT_TIMEOUT_MS)
        ),
      ]);
      if (!codec) throw new Error("no media arrived");
      hub.attach(source);
      return { source, location: exchange.location, token };
    } catch (e) {
      this.#log.debug(`upstream ${endpoint} for stream ${hub.stream}: ${(e as Error).message}`);
      await source.close();
      return undefined;
    }
  }

  /**
   * Sends the pull's backing up `source`'s pay channel every second: the
   * newest voucher of each channel that grew since last sent. Returns a stop.
   */
  #back(source: SourceLeg, stream: bigint, endpoint: string): () => void {
    const channel = source.payChannel;
    const backing = this.#backing;
    if (!channel || !backing) return () => {};
    channel.onMessage.subscribe((data) => {
      let message: RelayMessage;
      try {
        message = JSON.parse(String(data));
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
      if (channel.readyState !== "open") return;
      for (const [id, voucher] of backing(stream)) {
        if (voucher.amount <= (sent.get(id) ?? 0n)) continue;
        sent.set(id, voucher.amount);
        channel.send(JSON.stringify(
          {
            type: "backing",
            channel: channelToWire(id),
            amount: voucher.amount.toString(),
            signature: signatureToWire(voucher.signature),
          } satisfies BackingMessage,
        ));
      }
    }, BACKING_INTERVAL_MS);
    return () => clearInterval(timer);
  }

  /** Resolves when `source` is gone, silent for {@link SILENCE_MS}, or no longer wanted. */
  #untilGone(source: SourceLeg, wanted: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearInterval(timer);
        resolve();
      };
      source.onGone(finish);
      const timer = setInterval(() => {
        if (this.#stopped || !wanted() || Date.now() - source.lastPacketAt > SILENCE_MS) finish();
      }, 250);
    });
  }
}
