/**
 * # QoS rewards
 *
 * Pays relays for the streaming service they give, in proportion to what
 * their viewers confirm and how well it was delivered.
 *
 * ## Overview
 *
 * - **Registry.** A node becomes a relay with `registerRelay(endpoint)`,
 *   which reserves `RelayDeposit`; `deregisterRelay` returns it;
 *   `updateEndpoint` moves it. The registry (`relays.ts`) is what the streams
 *   and access pallets ask about.
 * - **Reports.** During an era a relay submits `submitReport(report,
 *   receipts)` per stream it carries (`Streams.announceRelay`): its own
 *   measurements (bytes and seconds served, loss, jitter) and its viewers'
 *   signed receipts. A receipt is the viewer's `MultiSignature` (ed25519,
 *   sr25519 or ecdsa, as its account signs) over
 *   `utf8("sutantra-receipt:") ++ SCALE({genesisHash, relay, stream, era,
 *   seconds, bytes})` (see `receipts.ts`), with CUMULATIVE seconds and
 *   bytes: only the increase over the last counted receipt of the same
 *   (relay, stream, viewer) in the era counts, so a replayed receipt adds
 *   nothing. A single forged receipt fails the report.
 * - **Only paid seconds count.** A receipt earns only for a viewer who pays
 *   through a channel (free streams, allow-listed viewers, the stream's
 *   creator and the relay itself earn nothing); the seconds credited to a
 *   relay for a channel, over every era, never exceed what the vouchers
 *   naming it as payee, claimed, paid (`CreditedSeconds`); and a (relay,
 *   stream, viewer) is credited at most the time the era has lasted
 *   (`EraStart`: its slots so far, at the slot duration).
 * - **Score.** A report's verified seconds are weighted by its quality:
 *
 *       qualityPermill = max(0, 1_000_000 − lossPermill·10 − min(jitterMs, 1000)·100)
 *       score          = verifiedSeconds · qualityPermill / 1_000_000   (rounded down)
 *
 *   A relay that is also a validator stash hands its score to staking,
 *   whose QoS budget of at most 20% of the era's reward points is split by
 *   these scores: service quality scales validator rewards, boundedly.
 * - **Payout.** When staking's era moves on, `onInitialize` pays the era that
 *   ended: `EraIssuance` is minted into the pot ({@link POT_ACCOUNT}, which
 *   also collects fee shares), and the pot's free balance above the
 *   existential deposit is split among the era's relays by score, rounded
 *   down. Dust, and everything in an era nobody served, stays in the pot.
 *
 * ## Bounds
 *
 * The era payout is one transfer per relay with service in the era
 * (measured at 14–54 µs each, by machine and load), so the relays are
 * capped:
 *
 * - at most {@link MAX_RELAYS} = 1,000 relays are registered at once
 *   (`CounterForRelays`); the 1,001st `registerRelay` fails with
 *   `TooManyRelays` until one deregisters;
 * - at most 1,000 relays have service in one era (`CounterForEraServices`):
 *   a relay that reported and then left still counts until the era is paid,
 *   so churning the registry cannot raise the payees past the cap
 *   (`TooManyEraRelays` for a 1,001st);
 * - so the payout block is weighed for 1,000 relays whatever the era held
 *   (`WEIGHTS.eraPayout(MAX_RELAYS)`: 14–54 ms), well inside a 2 s block.
 *
 * What a paid era leaves is many: its counted receipts (one per paying
 * viewer, relay and stream that earned) and the credited seconds of
 * channels closed since (as many as channels ever paid a relay). The
 * payout only schedules their clearing; every block then clears or looks at
 * no more than {@link MAX_CLEANUP_PER_BLOCK} = 512 of them (`StaleReceiptEras`,
 * `CreditSweep`), receipts first.
 *
 * All chain-spec parameters (`relayDeposit`, `eraIssuance`,
 * `maxReceiptsPerReport`) live in storage, set at genesis.
 *
 * @module
 */
import { t } from "../../runtime/codec/types.ts";
import { ensureSigned } from "../../runtime/pallet/origin.ts";
import { call, constant, definePallet, genesisConfig } from "../../runtime/pallet/pallet.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { reserve, unreserve } from "../balances/mod.ts";
import { currentSlot } from "../authorship/mod.ts";
import { withdrawEverywhere } from "../streams/mod.ts";
import { currentEra } from "../staking/mod.ts";
import { systemStorage } from "../system/mod.ts";
import { cleanUp, MAX_CLEANUP_PER_BLOCK } from "./_cleanup.ts";
import { payEra } from "./_payout.ts";
import { reportWeight, submitReport } from "./_report.ts";
import {
  type CountedReceipt,
  type EraService,
  errors,
  events,
  MAX_ENDPOINT_LENGTH,
  storage,
} from "./_storage.ts";
import { receiptType, reportType } from "./receipts.ts";
import { MAX_RELAYS, type RelayInfo, relayStorage } from "./relays.ts";
import { WEIGHTS } from "./weights.ts";

export { isRegisteredRelay, MAX_RELAYS, PALLET_ID, POT_ACCOUNT, relayInfoType } from "./relays.ts";
export type { RelayInfo } from "./relays.ts";
export {
  qualityPermill,
  RECEIPT_CONTEXT,
  receiptPayload,
  receiptPayloadType,
  receiptType,
  reportType,
  score,
} from "./receipts.ts";
export type { Receipt, ReceiptPayload, Report } from "./receipts.ts";
export { countedReceiptType, eraServiceType, MAX_ENDPOINT_LENGTH } from "./_storage.ts";
export type { CountedReceipt, EraService } from "./_storage.ts";

/** A registered relay's record, if `who` is one. */
export function relayInfo(state: StateReader, who: Uint8Array): RelayInfo | undefined {
  return relayStorage.Relays.get(state, who);
}

/** Every registered relay with its record, in the order of their hashed keys. */
export function registeredRelays(state: StateReader): Generator<[Uint8Array, RelayInfo]> {
  return relayStorage.Relays.entries(state);
}

/** What registering a relay reserves. */
export function relayDeposit(state: StateReader): bigint {
  return storage.RelayDeposit.get(state);
}

/** The era whose service is being collected (staking's era, as of this block's start). */
export function rewardEra(state: StateReader): number {
  return storage.CurrentEra.get(state);
}

/** `relay`'s verified service in `era`, until the era is paid. */
export function eraService(
  state: StateReader,
  era: number,
  relay: Uint8Array,
): EraService | undefined {
  return storage.EraServices.get(state, era, relay);
}

/** The highest receipt counted for (relay, stream, viewer) in `era`, until the era is paid. */
export function countedReceipt(
  state: StateReader,
  era: number,
  relay: Uint8Array,
  stream: bigint,
  viewer: Uint8Array,
): CountedReceipt | undefined {
  return storage.CountedReceipts.get(state, era, [relay, stream, viewer]);
}

/** The QoS-rewards pallet. */
export const qosRewards = definePallet({
  name: "QosRewards",
  docs: "Relay registry, signed service reports with viewer receipts, and era rewards by quality.",
  storage: { ...relayStorage, ...storage },
  events,
  errors,
  constants: {
    MaxEndpointLength: constant(t.u32, MAX_ENDPOINT_LENGTH, "Longest relay endpoint, in bytes."),
    MaxCleanupPerBlock: constant(
      t.u32,
      MAX_CLEANUP_PER_BLOCK,
      "The most stale counted receipts and credits one block clears or looks at.",
    ),
    MaxRelays: constant(
      t.u32,
      MAX_RELAYS,
      "The most relays registered at once (what the era payout is weighed for).",
    ),
  },
  calls: {
    registerRelay: call({
      index: 0,
      args: { endpoint: t.boundedBytes(MAX_ENDPOINT_LENGTH) },
      weight: WEIGHTS.registerRelay,
      docs: "Register the sender as a relay reachable at `endpoint`, reserving `RelayDeposit`.",
      dispatch(ctx, origin, { endpoint }) {
        const relay = ensureSigned(origin);
        if (relayStorage.Relays.contains(ctx.state, relay)) throw errors.AlreadyRegistered();
        const count = relayStorage.CounterForRelays.get(ctx.state);
        if (count >= MAX_RELAYS) throw errors.TooManyRelays();
        const deposit = storage.RelayDeposit.get(ctx.state);
        reserve(ctx, relay, deposit);
        const registeredAt = systemStorage.Number.get(ctx.state);
        relayStorage.Relays.set(ctx.state, relay, { deposit, registeredAt, endpoint });
        relayStorage.CounterForRelays.set(ctx.state, count + 1);
        ctx.deposit(events.RelayRegistered({ relay, deposit }));
      },
    }),
    deregisterRelay: call({
      index: 1,
      args: {},
      weight: WEIGHTS.deregisterRelay,
      docs: "Leave the registry and get the deposit back, and stop carrying every stream (claim " +
        "vouchers first: a relay that carries nothing is no payee). Service already reported " +
        "this era is still paid.",
      dispatch(ctx, origin) {
        const relay = ensureSigned(origin);
        const info = relayStorage.Relays.get(ctx.state, relay);
        if (!info) throw errors.NotRegistered();
        relayStorage.Relays.remove(ctx.state, relay);
        // Saturating, as Substrate's CountedStorageMap: a relay written before
        // the counter existed (or by a test fixture) must still be able to leave.
        const count = relayStorage.CounterForRelays.get(ctx.state);
        relayStorage.CounterForRelays.set(ctx.state, count > 0 ? count - 1 : 0);
        // No longer a relay: it carries nothing, so it is no payee of any channel.
        withdrawEverywhere(ctx, relay);
        unreserve(ctx, relay, info.deposit);
        ctx.deposit(events.RelayDeregistered({ relay, deposit: info.deposit }));
      },
    }),
    updateEndpoint: call({
      index: 2,
      args: { endpoint: t.boundedBytes(MAX_ENDPOINT_LENGTH) },
      weight: (args) => WEIGHTS.updateEndpoint(args.endpoint.length),
      docs: "Change where the sender's relay is reached.",
      dispatch(ctx, origin, { endpoint }) {
        const relay = ensureSigned(origin);
        const info = relayStorage.Relays.get(ctx.state, relay);
        if (!info) throw errors.NotRegistered();
        relayStorage.Relays.set(ctx.state, relay, { ...info, endpoint });
        ctx.deposit(events.EndpointUpdated({ relay, endpoint }));
      },
    }),
    submitReport: call({
      index: 3,
      args: { report: reportType, receipts: t.vec(receiptType) },
      weight: (args) => reportWeight(args.receipts.map((r) => r.signature.type)),
      docs:
        "Report service on one stream in the current era, with viewers' cumulative signed receipts (sender: a registered relay).",
      dispatch: (ctx, origin, { report, receipts }) =>
        submitReport(ctx, ensureSigned(origin), report, receipts),
    }),
  },
  hooks: {
    onInitialize(ctx, n) {
      const era = currentEra(ctx.state);
      const collecting = storage.CurrentEra.get(ctx.state);
      const started = storage.EraStart.get(ctx.state);
      if (started?.era !== era) {
        storage.EraStart.set(ctx.state, { era, block: n, slot: currentSlot(ctx.state) });
      }
      let weight = WEIGHTS.idleBlock;
      if (era !== collecting) {
        weight += payEra(ctx, collecting);
        storage.CurrentEra.set(ctx.state, era);
      }
      return weight + cleanUp(ctx);
    },
  },
  genesis: genesisConfig({
    type: t.struct("QosRewardsGenesis", {
      relayDeposit: t.balance,
      eraIssuance: t.balance,
      maxReceiptsPerReport: t.u32,
    }),
    default: {
      relayDeposit: 100_000_000_000_000n,
      eraIssuance: 1_000_000_000_000_000n,
      maxReceiptsPerReport: 256,
    },
    build(ctx, config) {
      if (config.relayDeposit === 0n) {
        throw new TypeError("genesis.runtime.qosRewards.relayDeposit: must be at least 1");
      }
      if (config.maxReceiptsPerReport < 1) {
        throw new TypeError("genesis.runtime.qosRewards.maxReceiptsPerReport: must be at least 1");
      }
      storage.RelayDeposit.set(ctx.state, config.relayDeposit);
      storage.EraIssuance.set(ctx.state, config.eraIssuance);
      storage.MaxReceiptsPerReport.set(ctx.state, config.maxReceiptsPerReport);
      // Staking builds its genesis first (lower index): collect its era from the start.
      storage.CurrentEra.set(ctx.state, currentEra(ctx.state));
    },
  }),
});

export { errors as qosRewardsErrors, events as qosRewardsEvents, storage as qosRewardsStorage };
