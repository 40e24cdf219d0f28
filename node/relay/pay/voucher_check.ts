/**
 * Checking a viewer's voucher against the chain, as `Access.claim` would:
 * the channel is the viewer's, to this stream; the amount grows, stays
 * within the deposit; the signature is the viewer's over this chain's
 * voucher bytes (so one for another channel or chain fails).
 *
 * @module
 */
import { verifyNative } from "../../../runtime/crypto/mod.ts";
import { equalBytes } from "../../../runtime/primitives/bytes.ts";
import { fromHex } from "../../../runtime/primitives/hex.ts";
import type { StateReader } from "../../../runtime/storage/overlay.ts";
import { getChannel, voucherPayload } from "../../../pallets/access/mod.ts";
import type { VoucherMessage } from "./messages.ts";

/** A voucher that passed every check. */
export interface CheckedVoucher {
  channel: bigint;
  amount: bigint;
  signature: Uint8Array;
  deposit: bigint;
}

/** A voucher refused, with the reason the viewer is told. */
export class VoucherRefused extends Error {
  override name = "VoucherRefused";
}

/**
 * Checks `message` from `viewer` watching `stream`, given the newest amount
 * the relay holds for the channel.
 *
 * @throws {VoucherRefused} naming the failed check
 */
export function checkVoucher(
  state: StateReader,
  genesisHash: Uint8Array,
  session: { viewer: Uint8Array; stream: bigint },
  message: VoucherMessage,
  newest: bigint,
): CheckedVoucher {
  const channelId = BigInt(message.channel);
  const amount = BigInt(message.amount);
  const channel = getChannel(state, channelId);
  if (!channel) throw new VoucherRefused(`no channel ${message.channel}`);
  if (!equalBytes(channel.viewer, session.viewer)) {
    throw new VoucherRefused("the channel is another viewer's");
  }
  if (channel.stream !== session.stream) {
    throw new VoucherRefused("the channel pays another stream");
  }
  if (amount <= newest || amount <= channel.claimed) {
    throw new VoucherRefused(
      `not newer: the relay holds ${newest > channel.claimed ? newest : channel.claimed}`,
    );
  }
  if (amount > channel.deposit) {
    throw new VoucherRefused(`exceeds the deposit of ${channel.deposit}: top up the channel`);
  }
  const signature = fromHex(message.signature);
  if (!verifyNative(signature, voucherPayload(genesisHash, channelId, amount), channel.viewer)) {
    throw new VoucherRefused("bad signature (another chain, channel or key?)");
  }
  return { channel: channelId, amount, signature, deposit: channel.deposit };
}
