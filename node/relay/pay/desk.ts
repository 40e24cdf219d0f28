/**
 * The payment desk: every viewer session of the relay, metered and paid,
 * over the relay's own LevelDB.
 *
 * It keeps the newest voucher of each channel (a voucher is on disk before
 * it is acknowledged, so a restarted relay loses none), claims them on chain
 * every `claimIntervalMs` and when a session closes (and, on opening, those
 * a previous run left unclaimed), and feeds the sessions' receipts and
 * service to the QoS reporter.
 *
 * @module
 */
import type { ChainClient } from "../../chain/mod.ts";
import type { Logger } from "../../log.ts";
import type { LocalSigner } from "../../pool/local_signer.ts";
import { QosReporter } from "../qos/mod.ts";
import { Claimer } from "./claimer.ts";
import { ChannelMeters } from "./meter.ts";
import { openRelayDb, type RelayDb } from "./records.ts";
import type { MeteredSession, ViewerPort } from "../relay.ts";
import { PaidSession } from "./session.ts";
import { PullBackings, PullSession } from "./pull.ts";
import type { StoredVoucher } from "./voucher_book.ts";
import { VoucherBook } from "./voucher_book.ts";

/** How often sessions are checked for payments behind. */
const TICK_MS = 250;

/** Default time between claim rounds. */
export const DEFAULT_CLAIM_INTERVAL_MS = 30_000;

/** Options of {@link PaymentDesk.open}. */
export interface PaymentDeskInit {
  client: ChainClient;
  /** A directory for the desk's own LevelDB. */
  path: string;
  /** The node's key: claims and QoS reports are signed with it. Without it nothing is claimed. */
  signer?: LocalSigner;
  log: Logger;
  /** Seconds a viewer's vouchers may lag before it is cut off. */
  graceSeconds: number;
  claimIntervalMs?: number;
  /** The clock, in milliseconds (tests move it). */
  now?: () => number;
}

/** Meters viewers, keeps and claims their vouchers, and reports QoS. */
export class PaymentDesk {
  /** The QoS side: receipts and reports. */
  readonly qos: QosReporter;
  readonly #init: PaymentDeskInit;
  readonly #db: RelayDb;
  readonly #book: VoucherBook;
  readonly #meters: ChannelMeters;
  readonly #claimer?: Claimer;
  readonly #sessions = new Set<PaidSession | PullSession>();
  readonly #backings = new PullBackings();
  readonly #timers: ReturnType<typeof setInterval>[];

  private constructor(
    init: PaymentDeskInit,
    db: RelayDb,
    book: VoucherBook,
    meters: ChannelMeters,
    qos: QosReporter,
  ) {
    this.#init = init;
    this.#db = db;
    this.#book = book;
    this.#meters = meters;
    this.qos = qos;
    const { client, signer, log } = init;
    if (signer) this.#claimer = new Claimer({ client, book, signer, log });
    else log.info("💸 Payment desk without a key: vouchers are kept but not claimed");
    this.#timers = [
      setInterval(() => {
        for (const session of this.#sessions) session.tick();
      }, TICK_MS),
      setInterval(() => void this.claimAll(), init.claimIntervalMs ?? DEFAULT_CLAIM_INTERVAL_MS),
    ];
  }

  /** Opens the desk's database in `init.path` and claims what an earlier run left unclaimed. */
  static async open(init: PaymentDeskInit): Promise<PaymentDesk> {
    const db = await openRelayDb(init.path);
    try {
      const book = await VoucherBook.open(db);
      const meters = await ChannelMeters.open(db);
      const holder: { desk?: PaymentDesk } = {};
      // Reports credit only claimed (paid) seconds: the desk claims first.
      const settle = () => holder.desk?.claimAll() ?? Promise.resolve(0);
      const qos = await QosReporter.open({ ...init, db, settle });
      const desk = holder.desk = new PaymentDesk(init, db, book, meters, qos);
      await desk.claimAll();
      return desk;
    } catch (e) {
      await db.close();
      throw e;
    }
  }

  /** Meters a viewer: sends it the `session` message at once. */
  session(port: ViewerPort): MeteredSession {
    const session = new PaidSession({
      client: this.#init.client,
      book: this.#book,
      meters: this.#meters,
      qos: this.qos,
      graceSeconds: this.#init.graceSeconds,
      now: this.#init.now ?? Date.now,
      log: this.#init.log,
      closed: async (closed, channel) => {
        this.#sessions.delete(closed);
        if (channel !== undefined) await this.#claim([channel]);
      },
    }, port);
    this.#sessions.add(session);
    return session;
  }

  /** Meters a relay pulling a stream from this one, against its backing (see `pull.ts`). */
  pull(port: ViewerPort): MeteredSession {
    const session = new PullSession({
      client: this.#init.client,
      backings: this.#backings,
      relay: this.qos.relay,
      graceSeconds: this.#init.graceSeconds,
      now: this.#init.now ?? Date.now,
      log: this.#init.log,
      closed: (closed) => this.#sessions.delete(closed),
    }, port);
    this.#sessions.add(session);
    return session;
  }

  /** The newest voucher of each channel paying this relay for `stream`: what backs its pulls. */
  vouchersFor(stream: bigint): [bigint, StoredVoucher][] {
    return [...this.#book.ofStream(stream)];
  }

  /**
   * Claims every voucher above what the chain has claimed of its channel;
   * returns how many claims were submitted. Errors are logged.
   */
  async claimAll(): Promise<number> {
    const submitted = await this.#claim();
    const { client } = this.#init;
    await this.#meters.prune(client.stateAt(client.best.header));
    return submitted;
  }

  async #claim(channels?: bigint[]): Promise<number> {
    if (!this.#claimer) return 0;
    try {
      return await this.#claimer.claim(channels);
    } catch (e) {
      this.#init.log.error(`💸 Claiming failed: ${(e as Error).message}`);
      return 0;
    }
  }

  /** Closes every session, makes a last claim round, and closes the database. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.all([...this.#sessions].map((s) => s.close()));
    await this.#claim();
    await this.qos.close();
    await this.#db.close();
  }
}
