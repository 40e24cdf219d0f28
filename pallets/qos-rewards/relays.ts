/**
 * The relay registry of the QoS-rewards pallet, and its reward pot account.
 *
 * Kept apart from `mod.ts` so that the streams and access pallets can ask
 * "is this a registered relay?" without depending on the report and reward
 * logic (which itself depends on them).
 *
 * @module
 */
import { t, type ValueOf } from "../../runtime/codec/types.ts";
import { concatBytes, utf8 } from "../../runtime/primitives/bytes.ts";
import { declareStorage, map, value } from "../../runtime/storage/items.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";

/** The pallet id the reward pot account derives from (Substrate's `PalletId`). */
export const PALLET_ID = "py/qosrw";

/**
 * The reward pot: `"modl" ++ PALLET_ID`, zero-padded to 32 bytes, as
 * Substrate derives `PalletId::into_account_truncating`. Fee shares, voucher
 * shares and per-era issuance collect here until the era's payout.
 */
export const POT_ACCOUNT: Uint8Array = concatBytes(
  utf8("modl"),
  utf8(PALLET_ID),
  new Uint8Array(20),
);

/**
 * The most relays the registry holds at once. Anyone with the relay deposit
 * may register, and every relay that served in an era is one transfer of
 * that era's payout (measured at 14–54 µs each), so the payout in an era's
 * first block is weighed for, and bounded by, this many relays.
 */
export const MAX_RELAYS = 1_000;

/** A registered relay. */
export const relayInfoType = t.struct("RelayInfo", {
  deposit: t.balance,
  registeredAt: t.blockNumber,
  /** Where viewers and other nodes reach it (a URL or multiaddr, UTF-8). */
  endpoint: t.bytes,
});

/** A registered relay's record. */
export type RelayInfo = ValueOf<typeof relayInfoType>;

/** The registry's storage (part of the QosRewards pallet's storage). */
export const relayStorage = declareStorage("QosRewards", {
  Relays: map({
    hasher: "Blake2_128Concat",
    key: t.accountId,
    value: relayInfoType,
    docs: "Registered relays, by account.",
  }),
  CounterForRelays: value({
    type: t.u32,
    default: 0,
    docs: "How many relays are registered (at most `MaxRelays`).",
  }),
});

/** Whether `who` is a registered relay. */
export function isRegisteredRelay(state: StateReader, who: Uint8Array): boolean {
  return relayStorage.Relays.contains(state, who);
}
