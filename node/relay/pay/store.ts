/**
 * The relay's own LevelDB: the newest voucher it acknowledged per channel
 * and the highest receipt per (era, stream, viewer). Written to LevelDB's log
 * before the viewer hears "ack", so a relay killed and restarted loses no
 * voucher it accepted.
 *
 * @module
 */
import { Level } from "level";

/** A stored voucher. */
export interface StoredVoucher {
  channel: bigint;
  stream: bigint;
  amount: bigint;
  signature: Uint8Array;
}

/** A stored receipt. */
export interface StoredReceipt {
  era: number;
  stream: bigint;
  viewer: Uint8Array;
  seconds: number;
  bytes: bigint;
  signature: Uint8Array;
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (text: string) => Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));

/** Vouchers and receipts on disk, mirrored in memory. */
export class RelayStore {
  readonly #db: Level<string, string>;
  readonly vouchers = new Map<bigint, StoredVoucher>();
  readonly receipts = new Map<string, StoredReceipt>();

  private constructor(db: Level<string, string>) {
    this.#db = db;
  }

  /** Opens (creating) the store in directory `path` and loads it. */
  static async open(path: string): Promise<RelayStore> {
    const db = new Level<string, string>(path, { valueEncoding: "utf8" });
    await db.open();
    const store = new RelayStore(db);
    for await (const [key, value] of db.iterator()) {
      const json = JSON.parse(value);
      if (key.startsWith("v:")) {
        const v: StoredVoucher = {
          channel: BigInt(json.channel),
          stream: BigInt(json.stream),
          amount: BigInt(json.amount),
          signature: unhex(json.signature),
        };
        store.vouchers.set(v.channel, v);
      } else if (key.startsWith("r:")) {
        store.receipts.set(key, {
          era: json.era,
          stream: BigInt(json.stream),
          viewer: unhex(json.viewer),
          seconds: json.seconds,
          bytes: BigInt(json.bytes),
          signature: unhex(json.signature),
        });
      }
    }
    return store;
  }

  /** Stores `voucher` as its channel's newest (durably, before returning). */
  async putVoucher(voucher: StoredVoucher): Promise<void> {
    await this.#db.put(
      `v:${voucher.channel}`,
      JSON.stringify({
        channel: voucher.channel.toString(),
        stream: voucher.stream.toString(),
        amount: voucher.amount.toString(),
        signature: hex(voucher.signature),
      }),
    );
    this.vouchers.set(voucher.channel, voucher);
  }

  /** The key of a receipt slot. */
  static receiptKey(era: number, stream: bigint, viewer: Uint8Array): string {
    return `r:${era}:${stream}:${hex(viewer)}`;
  }

  /** Stores `receipt` as its slot's highest. */
  async putReceipt(receipt: StoredReceipt): Promise<void> {
    const key = RelayStore.receiptKey(receipt.era, receipt.stream, receipt.viewer);
    await this.#db.put(
      key,
      JSON.stringify({
        era: receipt.era,
        stream: receipt.stream.toString(),
        viewer: hex(receipt.viewer),
        seconds: receipt.seconds,
        bytes: receipt.bytes.toString(),
        signature: hex(receipt.signature),
      }),
    );
    this.receipts.set(key, receipt);
  }

  /** Forgets receipts of eras before `era` (they can no longer be reported). */
  async pruneReceipts(era: number): Promise<void> {
    for (const [key, receipt] of this.receipts) {
      if (receipt.era >= era) continue;
      this.receipts.delete(key);
      await this.#db.del(key);
    }
  }

  /** Closes the database. */
  async close(): Promise<void> {
    await this.#db.close();
  }
}
