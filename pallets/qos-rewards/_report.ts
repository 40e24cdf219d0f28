/**
 * Checking a service report against its viewers' receipts, and crediting the
 * verified service to the relay.
 *
 * @module
 */
import { type SignatureType, verifyMulti } from "../../runtime/crypto/mod.ts";
import { checkedAdd } from "../../runtime/pallet/errors.ts";
import type { DispatchContext, Weight } from "../../runtime/pallet/pallet.ts";
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { paidViewing } from "../access/mod.ts";
import { currentSlot, slotDuration } from "../authorship/mod.ts";
import { addServiceScore, currentEra } from "../staking/mod.ts";
import { isCarrying } from "../streams/mod.ts";
import { systemStorage } from "../system/mod.ts";
import { type CountedReceipt, errors, events, storage } from "./_storage.ts";
import {
  PERMILL,
  qualityPermill,
  type Receipt,
  receiptPayload,
  type Report,
  score,
} from "./receipts.ts";
import { isRegisteredRelay, MAX_RELAYS } from "./relays.ts";
import { WEIGHTS } from "./weights.ts";

const U64_MAX = (1n << 64n) - 1n;

/** The benchmark of a report whose receipts are all of one kind of signature. */
const BY_KIND: Readonly<Record<SignatureType, (receipts: number) => Weight>> = {
  Ed25519: WEIGHTS.submitReport,
  Sr25519: WEIGHTS.submitReportSr25519,
  Ecdsa: WEIGHTS.submitReportEcdsa,
};

/** What a receipt of each kind adds to a report (each benchmark's slope). */
const PER_RECEIPT = Object.fromEntries(
  Object.entries(BY_KIND).map(([kind, weight]) => [kind, weight(1) - weight(0)]),
) as Record<SignatureType, Weight>;

/** A report's weight before its receipts: the greatest of the benchmarks' bases. */
const REPORT_BASE = Math.max(...Object.values(BY_KIND).map((weight) => weight(0)));

/**
 * The weight of a report whose receipts are signed with `kinds`: each
 * receipt costs what the benchmark of its kind measured (its verification
 * dominates: an sr25519 one about three ed25519 ones, an ecdsa one ten).
 */
export function reportWeight(kinds: readonly SignatureType[]): Weight {
  return kinds.reduce((weight, kind) => weight + PER_RECEIPT[kind], REPORT_BASE);
}

/**
 * Accepts `relay`'s report, counting each receipt's increase over the last
 * one counted for its (relay, stream, viewer) in the era. A receipt counts
 * only seconds that were paid for and could have been served:
 *
 * - the relay must carry the stream (`announceRelay`);
 * - the viewer must pay through a channel: a free stream, an allow-listed
 *   viewer, the stream's creator and the relay itself earn nothing;
 * - the seconds credited to the relay for a channel, over all eras, never
 *   exceed what the vouchers naming it as payee, claimed, paid for (its
 *   lane's claimed ÷ price);
 * - a (relay, stream, viewer) is credited at most the seconds the era has
 *   lasted so far;
 * - at most {@link MAX_RELAYS} relays have service in an era (relays that
 *   left the registry since count), so that its payout stays bounded.
 *
 * One forged receipt voids the whole report: a relay that submits
 * forgeries gets nothing for them and pays the fee. Loss and jitter are the
 * relay's own measurements and can only lower its score.
 */
export function submitReport(
  ctx: DispatchContext,
  relay: Uint8Array,
  report: Report,
  receipts: Receipt[],
): void {
  const { state } = ctx;
  if (!isRegisteredRelay(state, relay)) throw errors.NotRegistered();
  if (BigInt(report.lossPermill) > PERMILL) throw errors.InvalidLoss();
  if (report.era !== currentEra(state)) throw errors.WrongEra();
  if (receipts.length === 0) throw errors.NoReceipts();
  if (receipts.length > storage.MaxReceiptsPerReport.get(state)) throw errors.TooManyReceipts();
  if (!isCarrying(state, report.stream, relay)) throw errors.NotCarrying();
  // Registry churn (report, leave, let another join) could otherwise give an
  // era more payees than the registry holds: the payout is weighed for MAX_RELAYS.
  const newPayee = !storage.EraServices.contains(state, report.era, relay);
  const payees = storage.CounterForEraServices.get(state);
  if (newPayee && payees >= MAX_RELAYS) throw errors.TooManyEraRelays();

  // The genesis hash binds receipts to this chain; system stores it at genesis.
  const genesisHash = systemStorage.BlockHash.get(state, 0) ?? new Uint8Array(32);
  for (const r of receipts) {
    const payload = receiptPayload({
      genesisHash,
      relay,
      stream: report.stream,
      era: report.era,
      seconds: r.seconds,
      bytes: r.bytes,
    });
    if (!verifyMulti(r.signature, payload, r.viewer)) throw errors.BadReceiptSignature();
  }

  const elapsed = eraElapsedSeconds(state);
  let seconds = 0n;
  let bytes = 0n;
  let paying = 0;
  for (const r of receipts) {
    const paid = equalBytes(r.viewer, relay)
      ? undefined
      : paidViewing(state, r.viewer, report.stream, relay);
    if (!paid) continue;
    paying++;
    const key: [Uint8Array, bigint, Uint8Array] = [relay, report.stream, r.viewer];
    const counted: CountedReceipt = storage.CountedReceipts.get(state, report.era, key) ??
      { seconds: 0, bytes: 0n };
    const credited = storage.CreditedSeconds.get(state, [paid.channel, relay]) ?? 0n;
    // Receipts are cumulative: only what exceeds the highest counted one is new,
    // and no more than the era's elapsed time and the relay's unpaid-for lane allow.
    const claimed = BigInt(Math.max(0, r.seconds - counted.seconds));
    const addSeconds = leastOrZero(
      claimed,
      elapsed - BigInt(counted.seconds),
      paid.seconds - credited,
    );
    // Bytes are counted with the seconds they came with, never on their own.
    if (addSeconds === 0n) continue;
    const addBytes = r.bytes > counted.bytes ? r.bytes - counted.bytes : 0n;
    storage.CountedReceipts.set(state, report.era, key, {
      seconds: counted.seconds + Number(addSeconds),
      bytes: counted.bytes + addBytes,
    });
    storage.CreditedSeconds.set(state, [paid.channel, relay], credited + addSeconds);
    seconds += addSeconds;
    bytes += addBytes;
  }
  if (seconds === 0n) {
    throw paying > 0 ? errors.DuplicateReceipt() : errors.NoAccess();
  }

  const gained = score(seconds, qualityPermill(report.lossPermill, report.jitterMs));
  storage.EraServices.mutate(state, report.era, relay, (s) => ({
    verifiedSeconds: checkedAdd(s?.verifiedSeconds ?? 0n, seconds, U64_MAX),
    verifiedBytes: checkedAdd(s?.verifiedBytes ?? 0n, bytes, U64_MAX),
    score: checkedAdd(s?.score ?? 0n, gained, U64_MAX),
  }));
  if (newPayee) storage.CounterForEraServices.set(state, payees + 1);
  addServiceScore(ctx, relay, gained);
  ctx.deposit(events.ReportAccepted({
    relay,
    era: report.era,
    stream: report.stream,
    verifiedSeconds: seconds,
    score: gained,
  }));
}

/**
 * Seconds of the current era so far, the current block's slot included:
 * the slots since its first block (or, on a chain whose blocks carry no
 * slot, the blocks), at the slot duration.
 */
function eraElapsedSeconds(state: StateReader): bigint {
  const start = storage.EraStart.get(state);
  if (!start) return 0n;
  const block = BigInt(systemStorage.Number.get(state) - start.block + 1);
  const slot = currentSlot(state) - start.slot + 1n;
  return (block > slot ? block : slot) * slotDuration(state) / 1000n;
}

/** The least of `values`, or 0 when that is negative (nothing left to credit). */
function leastOrZero(...values: bigint[]): bigint {
  const least = values.reduce((a, b) => (b < a ? b : a));
  return least > 0n ? least : 0n;
}
