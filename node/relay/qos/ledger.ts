/**
 * Viewer receipts and the era reports they back: each receipt is checked
 * (signed by the viewer for this relay, stream and era), the highest per
 * (era, stream, viewer) kept, and from the middle of each era on the relay
 * submits `QosRewards.submitReport` per stream with them and its own
 * measured loss and jitter.
 *
 * @module
 */
import { verifyNative } from "../../../runtime/crypto/mod.ts";
import { fromHex } from "../../../runtime/primitives/hex.ts";
import { isRegisteredRelay } from "../../../pallets/qos-rewards/mod.ts";
import { receiptPayload } from "../../../pallets/qos-rewards/receipts.ts";
import { currentEra, eraLength } from "../../../pallets/staking/mod.ts";
import type { ChainClient } from "../../chain/mod.ts";
import type { Logger } from "../../log.ts";
import type { LocalSigner } from "../../pool/local_signer.ts";
import type { ReceiptMessage } from "../pay/messages.ts";
import { RelayStore } from "../pay/store.ts";

/** Reports are sent at most this often per stream, in blocks. */
const MIN_BLOCKS_BETWEEN_REPORTS = 5;

/** What the relay measured of one stream in an era. */
interface Service {
  bytes: bigint;
  seconds: number;
  lossPermill: number;
  jitterMs: number;
}

/** Collects receipts and reports service once per era. */
export class QosLedger {
  readonly #client: ChainClient;
  readonly #store: RelayStore;
  readonly #signer?: LocalSigner;
  readonly #log: Logger;
  /** Receipt slots reported, with the seconds reported. */
  readonly #reported = new Map<string, number>();
  readonly #lastReport = new Map<bigint, number>();
  readonly #service = new Map<string, Service>();
  readonly #unsubscribe: () => void;

  constructor(
    init: { client: ChainClient; store: RelayStore; signer?: LocalSigner; log: Logger },
  ) {
    this.#client = init.client;
    this.#store = init.store;
    this.#signer = init.signer;
    this.#log = init.log;
    this.#unsubscribe = init.client.onImported(() => void this.#maybeReport());
  }

  /** The era receipts are counted in now. */
  era(): number {
    return currentEra(this.#client.stateAt(this.#client.best.header));
  }

  /**
   * Checks and keeps a viewer's receipt for `stream`.
   *
   * @throws {Error} naming why it is refused
   */
  async receive(viewer: Uint8Array, stream: bigint, message: ReceiptMessage): Promise<void> {
    if (!this.#signer) throw new Error("this relay has no key to be paid for service");
    if (message.era !== this.era()) throw new Error(`era ${message.era} is not the current era`);
    const signature = fromHex(message.signature);
    const bytes = BigInt(message.bytes);
    const payload = receiptPayload({
      genesisHash: this.#client.genesisHash,
      relay: this.#signer.account,
      stream,
      era: message.era,
      seconds: message.seconds,
      bytes,
    });
    if (!verifyNative(signature, payload, viewer)) throw new Error("bad receipt signature");
    const key = RelayStore.receiptKey(message.era, stream, viewer);
    const held = this.#store.receipts.get(key);
    if (held && held.seconds >= message.seconds && held.bytes >= bytes) {
      throw new Error("not newer than the receipt held");
    }
    await this.#store.putReceipt({
      era: message.era,
      stream,
      viewer,
      seconds: message.seconds,
      bytes,
      signature,
    });
  }

  /** Adds what a session served to the stream's figures for the era. */
  recordService(
    stream: bigint,
    served: { bytes: number; seconds: number; lossPermill: number; jitterMs: number },
  ): void {
    const key = `${this.era()}:${stream}`;
    const s = this.#service.get(key) ?? { bytes: 0n, seconds: 0, lossPermill: 0, jitterMs: 0 };
    const total = s.seconds + served.seconds;
    const weigh = (a: number, b: number) =>
      total === 0 ? 0 : Math.round((a * s.seconds + b * served.seconds) / total);
    this.#service.set(key, {
      bytes: s.bytes + BigInt(served.bytes),
      seconds: total,
      lossPermill: weigh(s.lossPermill, served.lossPermill),
      jitterMs: weigh(s.jitterMs, served.jitterMs),
    });
  }

  /** Stops following the chain. */
  stop(): void {
    this.#unsubscribe();
  }

  async #maybeReport(): Promise<void> {
    const signer = this.#signer;
    if (!signer) return;
    const header = this.#client.best.header;
    const state = this.#client.stateAt(header);
    const era = currentEra(state);
    await this.#store.pruneReceipts(era);
    const length = eraLength(state);
    if (header.number % length < length / 2) return;
    if (!isRegisteredRelay(state, signer.account)) return;
    const byStream = new Map<bigint, string[]>();
    for (const [key, receipt] of this.#store.receipts) {
      if (receipt.era !== era || this.#reported.get(key) === receipt.seconds) continue;
      byStream.set(receipt.stream, [...byStream.get(receipt.stream) ?? [], key]);
    }
    for (const [stream, keys] of byStream) {
      const last = this.#lastReport.get(stream) ?? -Infinity;
      if (header.number < last + MIN_BLOCKS_BETWEEN_REPORTS) continue;
      this.#lastReport.set(stream, header.number);
      const receipts = keys.slice(0, 256).map((k) => this.#store.receipts.get(k)!);
      const service = this.#service.get(`${era}:${stream}`) ??
        { bytes: 0n, seconds: 0, lossPermill: 0, jitterMs: 0 };
      const seconds = Math.max(service.seconds, ...receipts.map((r) => r.seconds));
      const bytes = [service.bytes, ...receipts.map((r) => r.bytes)].reduce((a, b) =>
        a > b ? a : b
      );
      try {
        signer.submit({
          pallet: "QosRewards",
          call: "submitReport",
          args: {
            report: {
              era,
              stream,
              bytesServed: bytes,
              secondsServed: seconds,
              lossPermill: service.lossPermill,
              jitterMs: service.jitterMs,
            },
            receipts: receipts.map((r) => ({
              viewer: r.viewer,
              seconds: r.seconds,
              bytes: r.bytes,
              signature: r.signature,
            })),
          },
        });
        for (const k of keys.slice(0, 256)) {
          this.#reported.set(k, this.#store.receipts.get(k)!.seconds);
        }
        this.#log.info(
          `📊 QoS report for stream ${stream}, era ${era}: ${receipts.length} receipts`,
        );
      } catch (e) {
        this.#log.warn(`QoS report refused: ${(e as Error).message}`);
      }
    }
  }
}
