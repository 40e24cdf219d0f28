/**
 * QoS reports: the relay collects its viewers' signed receipts and measures
 * its own service, and once per era submits `QosRewards.submitReport` per
 * stream with them.
 *
 * `submitReport` only accepts reports of the era in progress, so reports go
 * out while it runs: once the era is {@link REPORT_AT} through (from half
 * way, then from four fifths for receipts that grew since; a moment with
 * nothing new waits for receipts on the next blocks), each time only with the
 * receipts above what the chain has counted and not already submitted, of
 * viewers who pay for the stream, for streams the relay carries (the chain
 * credits only paid-for seconds, and a report with nothing new fails and
 * costs its fee), in reports of at most `MaxReceiptsPerReport` receipts.
 * Since the chain counts only seconds whose vouchers were claimed, the
 * relay settles (claims what it holds) just before reporting. A relay that
 * is not registered cannot report: it says so once an era and keeps the
 * receipts.
 *
 * @module
 */
import { toHexRaw } from "../../../runtime/primitives/hex.ts";
import { equalBytes } from "../../../runtime/primitives/bytes.ts";
import { paidViewing } from "../../../pallets/access/mod.ts";
import { isCarrying } from "../../../pallets/streams/mod.ts";
import {
  countedReceipt,
  isRegisteredRelay,
  qosRewardsStorage,
} from "../../../pallets/qos-rewards/mod.ts";
import { currentEra, eraLength } from "../../../pallets/staking/mod.ts";
import type { ChainClient } from "../../chain/mod.ts";
import type { Logger } from "../../log.ts";
import type { LocalSigner } from "../../pool/local_signer.ts";
import type { ReceiptMessage } from "../../../client/relay/pay_messages.ts";
import type { RelayDb } from "../pay/records.ts";
import { type HeldReceipt, ReceiptBook } from "./receipt_book.ts";
import type { ViewerStats } from "../media/viewer.ts";
import { ServiceMeter } from "./service_meter.ts";

/** How far through an era reports are submitted. */
export const REPORT_AT = [1 / 2, 4 / 5];

const U32_MAX = 0xffff_ffff;

/** Options of {@link QosReporter.open}. */
export interface QosReporterInit {
  client: ChainClient;
  /** The relay's LevelDB (receipts live in its `receipts` sub-level). */
  db: RelayDb;
  /** The node's key: receipts are signed for its account, reports by it. */
  signer?: LocalSigner;
  log: Logger;
  now?: () => number;
  /** Claims the vouchers the relay holds; reports wait for it (the chain credits paid seconds only). */
  settle?: () => Promise<unknown>;
}

/** One viewer's receipts and service, as a payment session feeds them. */
export interface QosViewer {
  /** Media started reaching the viewer. */
  start(): void;
  /** Checks and keeps a receipt; returns why it was refused, if it was. */
  receipt(message: ReceiptMessage): Promise<string | undefined>;
  /** The receipt held of this viewer for the stream in `era`, which its next ones must not go back on. */
  held(era: number): { seconds: number; bytes: bigint } | undefined;
  /** The viewer left. */
  detach(): void;
}

/** Collects receipts and submits QoS reports for the relay's account. */
export class QosReporter {
  readonly #client: ChainClient;
  readonly #signer?: LocalSigner;
  readonly #log: Logger;
  readonly #settle: () => Promise<unknown>;
  readonly #book: ReceiptBook;
  readonly #meter: ServiceMeter;
  /** What was last submitted this era per receipt key, so a report is not sent twice. */
  readonly #submitted = new Map<string, string>();
  /** Per era, how many of the {@link REPORT_AT} moments were acted on. */
  #stage = { era: -1, done: 0 };
  #unregisteredEra = -1;
  #off: () => void;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(init: QosReporterInit, book: ReceiptBook) {
    this.#client = init.client;
    this.#signer = init.signer;
    this.#log = init.log;
    this.#settle = init.settle ?? (() => Promise.resolve());
    this.#book = book;
    this.#meter = new ServiceMeter(init.now);
    this.#off = init.client.onBestChanged(() => {
      this.#queue = this.#queue.then(() => this.#onBest()).catch((e) => this.#fail(e));
    });
  }

  /** Opens the receipts kept in `db` and follows the chain to report in time. */
  static async open(init: QosReporterInit): Promise<QosReporter> {
    return new QosReporter(init, await ReceiptBook.open(init.db));
  }

  /** The account receipts are signed for, if the node has a key. */
  get relay(): Uint8Array | undefined {
    return this.#signer?.account;
  }

  /** Starts measuring a viewer of `stream` and takes its receipts. */
  attach(stream: bigint, viewer: Uint8Array, stats: () => ViewerStats): QosViewer {
    const metered = this.#meter.track(stream, stats);
    const client = this.#client;
    return {
      start: () => metered.start(),
      receipt: async (message) => {
        const relay = this.relay;
        if (!relay) return "this relay has no account: it collects no receipts";
        const state = client.stateAt(client.best.header);
        const verdict = this.#book.check(message, {
          state,
          genesisHash: client.genesisHash,
          relay,
          stream,
          viewer,
        });
        if (!verdict.ok) return verdict.reason;
        await this.#book.store(verdict.receipt);
        return undefined;
      },
      held: (era) => this.#book.held(era, stream, viewer),
      detach: () => metered.stop(currentEra(client.stateAt(client.best.header))),
    };
  }

  /**
   * Submits reports for the era in progress now, for every stream with
   * receipts that grew; returns how many were submitted.
   */
  report(): Promise<number> {
    const run = this.#queue.then(async () => {
      await this.#settle();
      return this.#report();
    });
    this.#queue = run.catch((e) => this.#fail(e));
    return run;
  }

  /** Stops following the chain (receipts stay on disk). */
  async close(): Promise<void> {
    this.#off();
    await this.#queue;
  }

  async #onBest(): Promise<void> {
    const state = this.#client.stateAt(this.#client.best.header);
    const era = currentEra(state);
    if (this.#stage.era !== era) {
      if (this.#stage.era >= 0) this.#meter.sample(this.#stage.era);
      this.#meter.pruneBefore(era);
      this.#submitted.clear();
      await this.#book.pruneBefore(era);
      this.#stage = { era, done: 0 };
    }
    const length = eraLength(state);
    const position = (this.#client.best.header.number + 1) % length;
    const due = REPORT_AT.filter((at) => position >= Math.floor(length * at)).length;
    // A moment with nothing new to report stays due until something is.
    if (due <= this.#stage.done) return;
    await this.#settle();
    if (this.#report() > 0) this.#stage.done = due;
  }

  #report(): number {
    const signer = this.#signer;
    if (!signer) return 0;
    const best = this.#client.best.header;
    const state = this.#client.stateAt(best);
    const era = currentEra(state);
    // The next block would open a new era: a report for this one could not land.
    if ((best.number + 1) % eraLength(state) === 0) return 0;
    const relay = signer.account;
    if (!isRegisteredRelay(state, relay)) {
      if (this.#unregisteredEra !== era) {
        this.#unregisteredEra = era;
        this.#log.warn(`📊 Not a registered relay: no QoS report for era ${era}`);
      }
      return 0;
    }
    this.#meter.sample(era);
    const byStream = new Map<bigint, HeldReceipt[]>();
    for (const r of this.#book.ofEra(era)) {
      const counted = countedReceipt(state, era, relay, r.stream, r.viewer);
      const grew = !counted || r.seconds > counted.seconds || r.bytes > counted.bytes;
      if (!grew || this.#submitted.get(keyOf(r)) === valueOf(r)) continue;
      if (!isCarrying(state, r.stream, relay) || equalBytes(r.viewer, relay)) continue;
      if (!paidViewing(state, r.viewer, r.stream, relay)) continue;
      byStream.set(r.stream, [...byStream.get(r.stream) ?? [], r]);
    }
    const max = qosRewardsStorage.MaxReceiptsPerReport.get(state);
    let submitted = 0;
    for (const [stream, receipts] of byStream) {
      const service = this.#meter.service(era, stream);
      const report = {
        era,
        stream,
        bytesServed: service.bytes,
        secondsServed: Math.min(service.seconds, U32_MAX),
        lossPermill: Math.min(service.lossPermill, 1_000_000),
        jitterMs: Math.min(service.jitterMs, U32_MAX),
      };
      for (let i = 0; i < receipts.length; i += max) {
        const part = receipts.slice(i, i + max);
        try {
          signer.submit({
            pallet: "QosRewards",
            call: "submitReport",
            args: {
              report,
              receipts: part.map((r) => ({
                viewer: r.viewer,
                seconds: r.seconds,
                bytes: r.bytes,
                signature: r.signature,
              })),
            },
          });
        } catch (e) {
          this.#log.warn(
            `📊 Stream ${stream}: the pool refused the report: ${(e as Error).message}`,
          );
          continue;
        }
        for (const r of part) this.#submitted.set(keyOf(r), valueOf(r));
        submitted++;
      }
      this.#log.info(
        `📊 QoS report for stream ${stream}, era ${era}: ${receipts.length} receipts, ` +
          `${report.secondsServed} s served, loss ${report.lossPermill} ppm, jitter ${report.jitterMs} ms`,
      );
    }
    return submitted;
  }

  #fail(error: unknown): void {
    this.#log.error(`📊 QoS reporting failed: ${(error as Error).message}`);
  }
}

function keyOf(r: HeldReceipt): string {
  return `${r.era}:${r.stream}:${toHexRaw(r.viewer)}`;
}

function valueOf(r: HeldReceipt): string {
  return `${r.seconds}:${r.bytes}`;
}
