/**
 * Meters: what a payer owes this relay over every session it watches
 * through, side by side or one after another; one per payment channel.
 *
 * One channel, one meter. Two sessions watching at once owe two seconds
 * each second, so a second session without vouchers of its own lags as
 * its channel does and is cut off with it. A session that reconnects takes
 * up the debt the last one left: a viewer cut off for not paying comes back
 * owing what it owed, with no fresh grace. A meter's debt is written to the
 * relay's LevelDB whenever a session leaves it, so a restart keeps it, and
 * it is let go once its channel is closed on chain.
 *
 * @module
 */
import { t } from "../../../runtime/codec/types.ts";
import type { StateReader } from "../../../runtime/storage/overlay.ts";
import { getChannel } from "../../../pallets/access/mod.ts";
import { RecordStore, type RelayDb } from "./records.ts";
import { channelKey } from "./voucher_book.ts";

/** A session watching on a meter: since when, at what price per second. */
interface Running {
  sinceMs: number;
  price: bigint;
}

/** What one payer (a viewer's channel, or a relay pulling a stream) owes across its sessions. */
export class Meter {
  /** What closed watching time (and the payments before this relay metered) came to. */
  #settled: bigint;
  readonly #running = new Map<object, Running>();
  readonly #save: (debt: bigint) => Promise<void>;

  /** A meter starting at `settled`; `save` keeps the debt whenever a session leaves. */
  constructor(settled: bigint, save: (debt: bigint) => Promise<void>) {
    this.#settled = settled;
    this.#save = save;
  }

  /** What is owed at `nowMs`: cumulative planck, as vouchers count. */
  owed(nowMs: number): bigint {
    let owed = this.#settled;
    for (const { sinceMs, price } of this.#running.values()) owed += cost(price, sinceMs, nowMs);
    return owed;
  }

  /** Sessions watching on this meter now. */
  get sessions(): number {
    return this.#running.size;
  }

  /** `session` watches from `sinceMs` at `price` per second. */
  join(session: object, sinceMs: number, price: bigint): void {
    if (!this.#running.has(session)) this.#running.set(session, { sinceMs, price });
  }

  /**
   * Lets go of what is owed above `limit` (a debt this relay forgives); for a
   * meter nobody watches on. Resolves once the debt is on disk.
   */
  forgiveAbove(limit: bigint): Promise<void> {
    if (this.#running.size > 0) throw new Error("Cannot forgive a debt while sessions run");
    if (this.#settled <= limit) return Promise.resolve();
    this.#settled = limit;
    return this.#save(limit);
  }

  /** `session` stopped watching at `nowMs`; resolves once the debt is on disk. */
  leave(session: object, nowMs: number): Promise<void> {
    const running = this.#running.get(session);
    if (!running) return Promise.resolve();
    this.#running.delete(session);
    this.#settled += cost(running.price, running.sinceMs, nowMs);
    return this.#save(this.#settled);
  }
}

/** The relay's meters, one per channel, with their debts on disk. */
export class ChannelMeters {
  readonly #debts: RecordStore<bigint>;
  readonly #meters = new Map<bigint, Meter>();

  private constructor(debts: RecordStore<bigint>) {
    this.#debts = debts;
  }

  /** Opens the meters' records in `db`. */
  static async open(db: RelayDb): Promise<ChannelMeters> {
    return new ChannelMeters(await RecordStore.open(db, "meters", t.u128));
  }

  /**
   * The meter of `channel`. A channel met for the first time starts at
   * `alreadyPaid()` (what its earlier vouchers to this relay covered); one
   * metered before starts at the debt its last session left.
   */
  meter(channel: bigint, alreadyPaid: () => bigint): Meter {
    let meter = this.#meters.get(channel);
    if (!meter) {
      const key = channelKey(channel);
      const debt = this.#debts.get(key) ?? alreadyPaid();
      meter = new Meter(debt, (debt) => this.#debts.put(key, debt));
      this.#meters.set(channel, meter);
    }
    return meter;
  }

  /** Lets go of the meters of channels closed on chain that nobody watches on. */
  async prune(state: StateReader): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const { key } of [...this.#debts.entries()]) {
      const channel = new DataView(key.buffer, key.byteOffset).getBigUint64(0);
      if (getChannel(state, channel) || (this.#meters.get(channel)?.sessions ?? 0) > 0) continue;
      this.#meters.delete(channel);
      writes.push(this.#debts.delete(key));
    }
    await Promise.all(writes);
  }
}

/** What watching from `sinceMs` to `nowMs` costs at `price` per second, in planck. */
function cost(price: bigint, sinceMs: number, nowMs: number): bigint {
  return nowMs > sinceMs ? price * BigInt(Math.floor(nowMs - sinceMs)) / 1000n : 0n;
}
