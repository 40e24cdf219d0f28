/**
 * The QoS-rewards pallet's storage, events and errors: the declarations the
 * logic files build on (kept apart from `mod.ts` so that they can import them
 * without a cycle). The relay registry itself lives in `relays.ts`.
 *
 * @module
 */
import { t, type ValueOf } from "../../runtime/codec/types.ts";
import { defineErrors } from "../../runtime/pallet/errors.ts";
import { defineEvents } from "../../runtime/pallet/events.ts";
import { declareStorage, doubleMap, map, value } from "../../runtime/storage/items.ts";

/** Longest relay endpoint, in bytes. */
export const MAX_ENDPOINT_LENGTH = 256;

/** The verified service of one relay in one era. */
export const eraServiceType = t.struct("EraService", {
  verifiedSeconds: t.u64,
  verifiedBytes: t.u64,
  /** Quality-weighted seconds: the relay's share of the era's reward. */
  score: t.u64,
});

/** A relay's verified service in an era. */
export type EraService = ValueOf<typeof eraServiceType>;

/** The highest cumulative receipt counted for one (era, relay, stream, viewer). */
export const countedReceiptType = t.struct("CountedReceipt", { seconds: t.u32, bytes: t.u64 });

/** A counted receipt. */
export type CountedReceipt = ValueOf<typeof countedReceiptType>;

/** Which receipt series a {@link countedReceiptType} belongs to, within an era. */
export const receiptKeyType = t.tuple(t.accountId, t.u64, t.accountId);

/** Which credit a {@link storage}`.CreditedSeconds` entry is: (channel, relay). */
export const creditKeyType = t.tuple(t.u64, t.accountId);

/** Everything but the relay registry (see `relays.ts`). */
export const storage = declareStorage("QosRewards", {
  RelayDeposit: value({
    type: t.balance,
    default: 0n,
    docs: "What registering a relay reserves (from the chain spec).",
  }),
  EraIssuance: value({
    type: t.balance,
    default: 0n,
    docs: "Tokens minted into the reward pot at the end of every era (from the chain spec).",
  }),
  MaxReceiptsPerReport: value({
    type: t.u32,
    default: 256,
    docs: "The most receipts one report may carry (from the chain spec).",
  }),
  CurrentEra: value({
    type: t.u32,
    default: 0,
    docs: "The staking era whose service is being collected; paid out when staking's era moves on.",
  }),
  EraStart: value({
    type: t.struct("EraStart", { era: t.u32, block: t.blockNumber, slot: t.u64 }),
    docs: "Where the era being collected began (its first block and slot): how long it has " +
      "lasted bounds the seconds a receipt can add.",
  }),
  CountedReceipts: doubleMap({
    hashers: ["Twox64Concat", "Blake2_128Concat"],
    keys: [t.u32, receiptKeyType],
    value: countedReceiptType,
    docs:
      "By era, then (relay, stream, viewer): the cumulative seconds and bytes already counted, so that a receipt only adds its increase. Cleared when the era is paid.",
  }),
  CreditedSeconds: map({
    hasher: "Blake2_128Concat",
    key: creditKeyType,
    value: t.u64,
    docs: "By payment channel, then relay: the seconds of paid viewing credited to the relay " +
      "so far, in every era (never more than its lane's claimed vouchers paid for). Dropped " +
      "once the channel is closed.",
  }),
  EraServices: doubleMap({
    hashers: ["Twox64Concat", "Blake2_128Concat"],
    keys: [t.u32, t.accountId],
    value: eraServiceType,
    docs: "By era, then relay: verified seconds, bytes and score. Cleared when the era is paid.",
  }),
  StaleReceiptEras: value({
    type: t.vec(t.u32),
    default: [],
    docs: "Paid eras whose `CountedReceipts` are still being cleared, oldest first: a " +
      "bounded number of entries per block (`MaxCleanupPerBlock`).",
  }),
  CreditSweep: value({
    type: t.struct("CreditSweep", { after: t.option(creditKeyType) }),
    docs: "The sweep of `CreditedSeconds` for closed channels' entries that the last payout " +
      "started, while it lasts: it resumes after `after` (from the start if `None`), a bounded " +
      "number of entries per block.",
  }),
  CounterForEraServices: value({
    type: t.u32,
    default: 0,
    docs: "How many relays have service (`EraServices`) in the era being collected: at most " +
      "`MaxRelays`, relays that left the registry since included. Reset when the era is paid.",
  }),
});

/** The pallet's events. */
export const events = defineEvents("QosRewards", {
  RelayRegistered: {
    fields: { relay: t.accountId, deposit: t.balance },
    docs: "A relay registered and reserved its deposit.",
  },
  RelayDeregistered: {
    fields: { relay: t.accountId, deposit: t.balance },
    docs: "A relay left the registry and got its deposit back.",
  },
  EndpointUpdated: {
    fields: { relay: t.accountId, endpoint: t.bytes },
    docs: "A relay changed where it can be reached.",
  },
  ReportAccepted: {
    fields: {
      relay: t.accountId,
      era: t.u32,
      stream: t.u64,
      verifiedSeconds: t.u64,
      score: t.u64,
    },
    docs: "A service report was accepted; `verifiedSeconds` and `score` are what it added.",
  },
  RelayRewarded: {
    fields: { relay: t.accountId, era: t.u32, amount: t.balance },
    docs: "A relay was paid its share of an era's reward pot.",
  },
  EraRewardsPaid: {
    fields: { era: t.u32, total: t.balance },
    docs: "An era's relay rewards were paid; what was not paid stays in the pot.",
  },
});

/** The pallet's errors. */
export const errors = defineErrors("QosRewards", {
  AlreadyRegistered: "The account is already a registered relay.",
  NotRegistered: "The account is not a registered relay.",
  TooManyEraRelays: "1,000 relays have service in this era already (`MaxRelays`; one that " +
    "left the registry counts until the era is paid): the era payout's work is bounded by them.",
  TooManyRelays: "1,000 relays are registered already (`MaxRelays`): the era payout's work is " +
    "bounded by them. One must deregister first.",
  WrongEra: "The report is not for the current era.",
  InvalidLoss: "`lossPermill` is above 1_000_000.",
  NoReceipts: "The report carries no receipts.",
  TooManyReceipts: "The report carries more than `MaxReceiptsPerReport` receipts.",
  BadReceiptSignature: "A receipt's signature is not its viewer's over the receipt payload.",
  NotCarrying: "The relay does not carry the stream (`Streams.announceRelay`).",
  NoAccess: "None of the receipts' viewers paid to watch the stream: a free stream, an " +
    "allow-listed viewer, the stream's creator and the relay itself earn nothing.",
  DuplicateReceipt: "The receipts add nothing: what they claim was counted already, or goes " +
    "beyond what their channels paid for or the time the era has lasted.",
});
