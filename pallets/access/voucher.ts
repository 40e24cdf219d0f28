/**
 * Payment-channel vouchers: what a viewer signs, off chain, to pay a stream.
 *
 * A voucher says "channel `channelId` of chain `genesisHash` may pay out up
 * to `cumulativeAmount` in total". Amounts are cumulative, so only the newest
 * voucher matters and a payee claims the increase over what was claimed
 * before; the genesis hash and channel id stop a voucher from being replayed
 * on another chain or another channel.
 *
 * This file is pure and pulls in no native crypto, so the relay and the
 * browser build and check exactly the bytes the chain verifies.
 *
 * @example
 * ```ts
 * import { voucherPayload } from "./voucher.ts";
 * const payload = voucherPayload(new Uint8Array(32), 7n, 1_000n);
 * // "sutantra-voucher:" (17 bytes) ++ H256 (32) ++ u64 (8) ++ u128 (16)
 * if (payload.length !== 17 + 32 + 8 + 16) throw new Error("payload length");
 * ```
 *
 * @module
 */
import { encode, t, type ValueOf } from "../../runtime/codec/types.ts";
import { concatBytes, utf8 } from "../../runtime/primitives/bytes.ts";

/** The domain separator signed before every voucher. */
export const VOUCHER_CONTEXT = "sutantra-voucher:";

/** A voucher: chain, channel and the cumulative amount the viewer allows. */
export const voucherType = t.struct("Voucher", {
  genesisHash: t.hash,
  channelId: t.u64,
  cumulativeAmount: t.u128,
});

/** A voucher's value. */
export type Voucher = ValueOf<typeof voucherType>;

const CONTEXT_BYTES = utf8(VOUCHER_CONTEXT);

/** The bytes a viewer signs (ed25519) for a voucher: `utf8("sutantra-voucher:") ++ SCALE(voucher)`. */
export function voucherPayload(
  genesisHash: Uint8Array,
  channelId: bigint,
  cumulativeAmount: bigint,
): Uint8Array {
  return concatBytes(
    CONTEXT_BYTES,
    encode(voucherType, { genesisHash, channelId, cumulativeAmount }),
  );
}
