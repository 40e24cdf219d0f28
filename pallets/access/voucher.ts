/**
 * Payment-channel vouchers: what a viewer signs, off chain, to pay a stream.
 *
 * A voucher says "channel `channelId` of chain `genesisHash` may pay `payee`
 * up to `cumulativeAmount` in total". Amounts are cumulative per (channel,
 * payee), a lane: only the newest voucher of a lane matters, and only its
 * payee (the relay that serves, or the creator) claims the increase over
 * what its lane claimed before. The genesis hash, channel id and payee stop
 * a voucher from being replayed on another chain, channel, or by anyone
 * else (the creator cannot front-run the relay that served).
 *
 * This file is pure and pulls in no native crypto, so the relay and the
 * browser build and check exactly the bytes the chain verifies.
 *
 * @example
 * ```ts
 * import { voucherPayload } from "./voucher.ts";
 * const payload = voucherPayload(new Uint8Array(32), 7n, new Uint8Array(32), 1_000n);
 * // "sutantra-voucher:" (17 bytes) ++ H256 (32) ++ u64 (8) ++ AccountId (32) ++ u128 (16)
 * if (payload.length !== 17 + 32 + 8 + 32 + 16) throw new Error("payload length");
 * ```
 *
 * @module
 */
import { encode, t, type ValueOf } from "../../runtime/codec/types.ts";
import { concatBytes, utf8 } from "../../runtime/primitives/bytes.ts";

/** The domain separator signed before every voucher. */
export const VOUCHER_CONTEXT = "sutantra-voucher:";

/** A voucher: chain, channel, payee and the cumulative amount the viewer allows it. */
export const voucherType = t.struct("Voucher", {
  genesisHash: t.hash,
  channelId: t.u64,
  payee: t.accountId,
  cumulativeAmount: t.u128,
});

/** A voucher's value. */
export type Voucher = ValueOf<typeof voucherType>;

const CONTEXT_BYTES = utf8(VOUCHER_CONTEXT);

/**
 * The bytes a viewer signs for a voucher, with its account's key of any kind
 * (the signature travels as a `MultiSignature`):
 * `utf8("sutantra-voucher:") ++ SCALE(voucher)`.
 */
export function voucherPayload(
  genesisHash: Uint8Array,
  channelId: bigint,
  payee: Uint8Array,
  cumulativeAmount: bigint,
): Uint8Array {
  return concatBytes(
    CONTEXT_BYTES,
    encode(voucherType, { genesisHash, channelId, payee, cumulativeAmount }),
  );
}
