/**
 * Checking a service report against its viewers' receipts, and crediting the
 * verified service to the relay.
 *
 * @module
 */
import { verifyNative } from "../../runtime/crypto/mod.ts";
import { checkedAdd } from "../../runtime/pallet/errors.ts";
import type { DispatchContext } from "../../runtime/pallet/pallet.ts";
import { canWatch } from "../access/mod.ts";
import { addRewardPoints, currentEra, isValidator } from "../staking/mod.ts";
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
import { isRegisteredRelay } from "./relays.ts";

const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 0xffff_ffffn;

/**
 * Accepts `relay`'s report, counting each receipt's increase over the last
 * one counted for its (relay, stream, viewer) in the era, from viewers who
 * may watch the stream. One forged receipt voids the whole report: a relay
 * that submits forgeries gets nothing for them and pays the fee.
 *
 * Loss and jitter are the relay's own measurements and can only lower its
 * score; receipts bound what it can claim, quality only scales it.
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
    if (!verifyNative(r.signature, payload, r.viewer)) throw errors.BadReceiptSignature();
  }

  let seconds = 0n;
  let bytes = 0n;
  let allowed = 0;
  for (const r of receipts) {
    if (!canWatch(state, r.viewer, report.stream)) continue;
    allowed++;
    const key: [Uint8Array, bigint, Uint8Array] = [relay, report.stream, r.viewer];
    const counted: CountedReceipt = storage.CountedReceipts.get(state, report.era, key) ??
      { seconds: 0, bytes: 0n };
    // Receipts are cumulative: only what exceeds the highest counted one is new.
    const addSeconds = r.seconds > counted.seconds ? r.seconds - counted.seconds : 0;
    const addBytes = r.bytes > counted.bytes ? r.bytes - counted.bytes : 0n;
    if (addSeconds === 0 && addBytes === 0n) continue;
    storage.CountedReceipts.set(state, report.era, key, {
      seconds: counted.seconds + addSeconds,
      bytes: counted.bytes + addBytes,
    });
    seconds += BigInt(addSeconds);
    bytes += addBytes;
  }
  if (seconds === 0n && bytes === 0n) {
    throw allowed > 0 ? errors.DuplicateReceipt() : errors.NoAccess();
  }

  const gained = score(seconds, qualityPermill(report.lossPermill, report.jitterMs));
  storage.EraServices.mutate(state, report.era, relay, (s) => ({
    verifiedSeconds: checkedAdd(s?.verifiedSeconds ?? 0n, seconds, U64_MAX),
    verifiedBytes: checkedAdd(s?.verifiedBytes ?? 0n, bytes, U64_MAX),
    score: checkedAdd(s?.score ?? 0n, gained, U64_MAX),
  }));
  if (gained > 0n && isValidator(state, relay)) {
    addRewardPoints(ctx, relay, Number(gained < U32_MAX ? gained : U32_MAX));
  }
  ctx.deposit(events.ReportAccepted({
    relay,
    era: report.era,
    stream: report.stream,
    verifiedSeconds: seconds,
    score: gained,
  }));
}
