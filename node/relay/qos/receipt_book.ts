/**
 * The relay's book of viewer receipts: the highest verified receipt of each
 * (era, stream, viewer), persisted until its era is over.
 *
 * A receipt is checked as `QosRewards.submitReport` will check it: signed
 * by the viewer over {@link receiptPayload} for this chain, this relay, the
 * stream and the era, for the current era; and it must not go back on the
 * one held (seconds and bytes are cumulative), so the book only grows.
 *
 * @module
 */
import { t, type ValueOf } from "../../../runtime/codec/types.ts";
import { multiSignatureType, verifyMulti } from "../../../runtime/crypto/mod.ts";
import { concatBytes } from "../../../runtime/primitives/bytes.ts";
import type { StateReader } from "../../../runtime/storage/overlay.ts";
import { receiptPayload } from "../../../pallets/qos-rewards/mod.ts";
import { currentEra } from "../../../pallets/staking/mod.ts";
import { type ReceiptMessage, signatureFromWire } from "../../../client/relay/pay_messages.ts";
import { type LegacyRecords, RecordStore, type RelayDb } from "../pay/records.ts";

/** A receipt as the book keeps it. */
export const heldReceiptType = t.struct("HeldReceipt", {
  era: t.u32,
  stream: t.u64,
  viewer: t.accountId,
  seconds: t.u32,
  bytes: t.u64,
  /** The viewer's signature, of whichever kind its account signs with. */
  signature: multiSignatureType,
});

/** A held receipt. */
export type HeldReceipt = ValueOf<typeof heldReceiptType>;

/**
 * The book's records before receipts carried a `MultiSignature`, in the
 * sub-level `receipts`: a bare ed25519 signature. They are upgraded to
 * `Ed25519` signatures when the book opens, so the current era's still
 * count.
 */
const legacyReceiptType = t.struct("HeldReceiptEd25519", {
  era: t.u32,
  stream: t.u64,
  viewer: t.accountId,
  seconds: t.u32,
  bytes: t.u64,
  signature: t.signature,
});
const LEGACY_RECEIPTS: LegacyRecords<ValueOf<typeof legacyReceiptType>, HeldReceipt> = {
  name: "receipts",
  type: legacyReceiptType,
  upgrade: (old) => ({ ...old, signature: { type: "Ed25519", signature: old.signature } }),
};

/** What a receipt is checked against: the session's viewer and stream, this relay, the chain. */
export interface ReceiptExpectation {
  state: StateReader;
  genesisHash: Uint8Array;
  relay: Uint8Array;
  stream: bigint;
  viewer: Uint8Array;
}

/** The verdict on a receipt: accepted, or refused and why. */
export type ReceiptVerdict = { ok: true; receipt: HeldReceipt } | { ok: false; reason: string };

const U64_MAX = (1n << 64n) - 1n;

function receiptKey(era: number, stream: bigint, viewer: Uint8Array): Uint8Array {
  const head = new Uint8Array(12);
  const view = new DataView(head.buffer);
  view.setUint32(0, era);
  view.setBigUint64(4, stream);
  return concatBytes(head, viewer);
}

/** The highest receipt per (era, stream, viewer), persisted in the relay's LevelDB. */
export class ReceiptBook {
  readonly #records: RecordStore<HeldReceipt>;

  private constructor(records: RecordStore<HeldReceipt>) {
    this.#records = records;
  }

  /** Opens the book in `db` with every receipt stored before. */
  static async open(db: RelayDb): Promise<ReceiptBook> {
    return new ReceiptBook(
      await RecordStore.open(db, "receipts-multi", heldReceiptType, LEGACY_RECEIPTS),
    );
  }

  /** The receipt held for (era, stream, viewer), if any. */
  held(era: number, stream: bigint, viewer: Uint8Array): HeldReceipt | undefined {
    return this.#records.get(receiptKey(era, stream, viewer));
  }

  /** Every receipt held for `era`. */
  *ofEra(era: number): IterableIterator<HeldReceipt> {
    for (const { value } of this.#records.entries()) if (value.era === era) yield value;
  }

  /** Checks `message` as a report will, and against the receipt held. */
  check(message: ReceiptMessage, expect: ReceiptExpectation): ReceiptVerdict {
    const refuse = (reason: string): ReceiptVerdict => ({ ok: false, reason });
    const era = currentEra(expect.state);
    if (message.era !== era) return refuse(`era ${message.era} is not the current era ${era}`);
    const bytes = BigInt(message.bytes);
    if (bytes > U64_MAX) return refuse("bytes must fit in a u64");
    const signature = signatureFromWire(message.signature);
    const payload = receiptPayload({
      genesisHash: expect.genesisHash,
      relay: expect.relay,
      stream: expect.stream,
      era,
      seconds: message.seconds,
      bytes,
    });
    if (!verifyMulti(signature, payload, expect.viewer)) {
      return refuse(
        "bad signature: not the viewer's receipt for this chain, relay, stream and era",
      );
    }
    const held = this.held(era, expect.stream, expect.viewer);
    if (held && (message.seconds < held.seconds || bytes < held.bytes)) {
      return refuse(
        `the receipt goes back on the one held (${held.seconds} s, ${held.bytes} bytes): they are cumulative`,
      );
    }
    if (held && message.seconds === held.seconds && bytes === held.bytes) {
      return refuse("the receipt repeats the one held");
    }
    return {
      ok: true,
      receipt: {
        era,
        stream: expect.stream,
        viewer: expect.viewer,
        seconds: message.seconds,
        bytes,
        signature,
      },
    };
  }

  /** Keeps `receipt` as the highest of its (era, stream, viewer); resolves once on disk. */
  store(receipt: HeldReceipt): Promise<void> {
    return this.#records.put(receiptKey(receipt.era, receipt.stream, receipt.viewer), receipt);
  }

  /** Drops the receipts of eras before `era` (they can no longer be reported). */
  async pruneBefore(era: number): Promise<void> {
    const old = [...this.#records.entries()].filter((r) => r.value.era < era);
    await Promise.all(old.map((r) => this.#records.delete(r.key)));
  }
}
