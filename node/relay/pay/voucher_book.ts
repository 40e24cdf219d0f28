/**
 * The relay's book of vouchers: the newest verified voucher of each payment
 * channel naming this relay as payee (its lane of the channel), and how
 * much of that lane is known to be claimed on chain.
 *
 * A voucher is checked against the chain as the access pallet's `claim`
 * would check it (open channel, signed by its viewer over this chain's
 * genesis hash, this channel and this relay as payee, within what the
 * deposit leaves after the other lanes' claims, above what this lane
 * claimed) and also against the session (the session's viewer and stream)
 * and this book (strictly above the newest voucher held), so what the book
 * holds is always claimable and only grows.
 *
 * @module
 */
import { t, type ValueOf } from "../../../runtime/codec/types.ts";
import {
  multiSignatureType,
  type MultiSignatureValue,
  verifyMulti,
} from "../../../runtime/crypto/mod.ts";
import { equalBytes } from "../../../runtime/primitives/bytes.ts";
import type { StateReader } from "../../../runtime/storage/overlay.ts";
import { getChannel, laneClaimed, voucherPayload } from "../../../pallets/access/mod.ts";
import {
  channelToWire,
  signatureFromWire,
  type VoucherMessage,
} from "../../../client/relay/pay_messages.ts";
import { type LegacyRecords, RecordStore, type RelayDb } from "./records.ts";

/** A channel's newest voucher as the book keeps it. */
export const storedVoucherType = t.struct("StoredVoucher", {
  stream: t.u64,
  /** The voucher's cumulative amount. */
  amount: t.u128,
  /** The viewer's signature, of whichever kind its account signs with. */
  signature: multiSignatureType,
  /** What the chain had claimed of the channel when last seen. */
  claimed: t.u128,
});

/** A stored voucher. */
export type StoredVoucher = ValueOf<typeof storedVoucherType>;

/**
 * The book's records before vouchers carried a `MultiSignature`, in the
 * sub-level `vouchers`: a bare ed25519 signature. A relay that held
 * acknowledged vouchers then still claims them: they are upgraded to
 * `Ed25519` signatures when the book opens.
 */
const legacyVoucherType = t.struct("StoredVoucherEd25519", {
  stream: t.u64,
  amount: t.u128,
  signature: t.signature,
  claimed: t.u128,
});
const LEGACY_VOUCHERS: LegacyRecords<ValueOf<typeof legacyVoucherType>, StoredVoucher> = {
  name: "vouchers",
  type: legacyVoucherType,
  upgrade: (old) => ({ ...old, signature: { type: "Ed25519", signature: old.signature } }),
};

/** A voucher that passed every check, ready to store. */
export interface AcceptedVoucher {
  channel: bigint;
  stream: bigint;
  amount: bigint;
  signature: MultiSignatureValue;
  /** The most this relay's lane can reach: the deposit less the other lanes' claims. */
  deposit: bigint;
  /** What the chain had claimed of this relay's lane. */
  claimed: bigint;
}

/** What a voucher was checked against: the session's viewer and stream, this relay, and the chain. */
export interface VoucherExpectation {
  state: StateReader;
  genesisHash: Uint8Array;
  stream: bigint;
  /** The viewer whose channel it must be; any viewer's when unset. */
  viewer?: Uint8Array;
  /** The payee the voucher must name: this relay's account (or the relay pulling from it). */
  payee: Uint8Array;
}

/** The verdict on a voucher: accepted, or refused and why. */
export type VoucherVerdict = { ok: true; voucher: AcceptedVoucher } | { ok: false; reason: string };

/**
 * Checks `message` as the access pallet's `claim` would (an open channel of
 * the stream, signed by its viewer for this chain, channel and payee,
 * within what the deposit leaves this payee's lane, above what the lane
 * claimed), and that it is above `held`, the newest amount already taken.
 * With `aboveClaimed: false` a voucher the payee has already claimed passes
 * too: a claimed voucher proves payment (what backs a relay pull).
 */
export function verifyVoucher(
  message: VoucherMessage,
  expect: VoucherExpectation,
  held: bigint,
  { aboveClaimed = true }: { aboveClaimed?: boolean } = {},
): VoucherVerdict {
  const id = BigInt(message.channel);
  const amount = BigInt(message.amount);
  const wire = channelToWire(id);
  const channel = getChannel(expect.state, id);
  const refuse = (reason: string): VoucherVerdict => ({ ok: false, reason });
  if (!channel) return refuse(`no open channel ${wire}`);
  if (expect.viewer && !equalBytes(channel.viewer, expect.viewer)) {
    return refuse(`channel ${wire} is not this viewer's`);
  }
  if (channel.stream !== expect.stream) {
    return refuse(`channel ${wire} pays for stream ${channel.stream}, not ${expect.stream}`);
  }
  const lane = laneClaimed(expect.state, id, expect.payee);
  const room = channel.deposit - (channel.claimed - lane);
  if (amount > room) {
    return refuse(`amount ${amount} exceeds the channel's deposit ${room} left for this relay`);
  }
  const floor = aboveClaimed && lane > held ? lane : held;
  if (amount <= floor) return refuse(`amount ${amount} is not above ${floor}, already covered`);
  const signature = signatureFromWire(message.signature);
  const payload = voucherPayload(expect.genesisHash, id, expect.payee, amount);
  if (!verifyMulti(signature, payload, channel.viewer)) {
    return refuse("bad signature: not the viewer's voucher for this chain, channel and relay");
  }
  return {
    ok: true,
    voucher: {
      channel: id,
      stream: channel.stream,
      amount,
      signature,
      deposit: room,
      claimed: lane,
    },
  };
}

/** A channel id as a record key: 8 bytes, big-endian. */
export function channelKey(channel: bigint): Uint8Array {
  const key = new Uint8Array(8);
  new DataView(key.buffer).setBigUint64(0, channel);
  return key;
}

/** The newest voucher per channel, persisted in the relay's LevelDB. */
export class VoucherBook {
  readonly #records: RecordStore<StoredVoucher>;

  private constructor(records: RecordStore<StoredVoucher>) {
    this.#records = records;
  }

  /** Opens the book in `db` with every voucher stored before. */
  static async open(db: RelayDb): Promise<VoucherBook> {
    return new VoucherBook(
      await RecordStore.open(db, "vouchers-multi", storedVoucherType, LEGACY_VOUCHERS),
    );
  }

  /** The newest voucher of `channel`, if the book holds one. */
  newest(channel: bigint): StoredVoucher | undefined {
    return this.#records.get(channelKey(channel));
  }

  /** The newest voucher of each channel paying for `stream`. */
  *ofStream(stream: bigint): IterableIterator<[bigint, StoredVoucher]> {
    for (const entry of this.all()) if (entry[1].stream === stream) yield entry;
  }

  /** Every channel with its newest voucher. */
  *all(): IterableIterator<[bigint, StoredVoucher]> {
    for (const { key, value } of this.#records.entries()) {
      yield [new DataView(key.buffer, key.byteOffset).getBigUint64(0), value];
    }
  }

  /** Checks `message` as `claim` would, and against the session and the newest voucher held. */
  check(message: VoucherMessage, expect: VoucherExpectation): VoucherVerdict {
    return verifyVoucher(message, expect, this.newest(BigInt(message.channel))?.amount ?? 0n);
  }

  /**
   * Keeps `voucher` as its channel's newest: checks that see the book see it
   * at once; the promise resolves once it is on disk (acknowledge only then).
   */
  store(voucher: AcceptedVoucher): Promise<void> {
    return this.#records.put(channelKey(voucher.channel), {
      stream: voucher.stream,
      amount: voucher.amount,
      signature: voucher.signature,
      claimed: voucher.claimed,
    });
  }

  /** Records that the chain has claimed `claimed` of this relay's lane of `channel`. */
  markClaimed(channel: bigint, claimed: bigint): Promise<void> {
    const held = this.newest(channel);
    if (!held || held.claimed >= claimed) return Promise.resolve();
    return this.#records.put(channelKey(channel), { ...held, claimed });
  }

  /** Drops `channel` (it was closed on chain: nothing is left to claim). */
  forget(channel: bigint): Promise<void> {
    return this.#records.delete(channelKey(channel));
  }
}
