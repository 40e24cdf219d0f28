/**
 * Service reports and viewer receipts: their wire types, the exact bytes a
 * viewer signs, and the quality formula that turns served seconds into a
 * score.
 *
 * Pure and storage-free, so the relay (node) and the browser player import
 * it to build and sign receipts exactly as the runtime checks them.
 *
 * @module
 */
import { encode, t, type ValueOf } from "../../runtime/codec/types.ts";
import { multiSignatureType } from "../../runtime/crypto/multi_signature_codec.ts";
import { concatBytes, utf8 } from "../../runtime/primitives/bytes.ts";

/** What a relay claims about one stream in one era. */
export const reportType = t.struct("QosReport", {
  era: t.u32,
  stream: t.u64,
  bytesServed: t.u64,
  secondsServed: t.u32,
  /** Packet loss, in parts per million (at most 1_000_000). */
  lossPermill: t.u32,
  /** Mean jitter, in milliseconds. */
  jitterMs: t.u32,
});

/** A service report. */
export type Report = ValueOf<typeof reportType>;

/**
 * A viewer's receipt as a relay submits it: the viewer's CUMULATIVE seconds
 * and bytes received from this relay on this stream in this era, signed over
 * {@link receiptPayload} by the viewer's account key of any kind, as a
 * `MultiSignature` (an ecdsa one is checked by recovering the key and
 * hashing it to `viewer`, as for extrinsics).
 */
export const receiptType = t.struct("QosReceipt", {
  viewer: t.accountId,
  seconds: t.u32,
  bytes: t.u64,
  signature: multiSignatureType,
});

/** A viewer receipt. */
export type Receipt = ValueOf<typeof receiptType>;

/** What a receipt signature covers (after {@link RECEIPT_CONTEXT}). */
export const receiptPayloadType = t.struct("QosReceiptPayload", {
  genesisHash: t.hash,
  relay: t.accountId,
  stream: t.u64,
  era: t.u32,
  seconds: t.u32,
  bytes: t.u64,
});

/** The fields a receipt signature covers. */
export type ReceiptPayload = ValueOf<typeof receiptPayloadType>;

/**
 * Domain separation: a receipt signature can never be mistaken for a
 * transaction or a voucher signature by the same key.
 */
export const RECEIPT_CONTEXT = "sutantra-receipt:";

/**
 * The bytes a viewer signs: `utf8("sutantra-receipt:") ++ SCALE(payload)`.
 * The genesis hash binds the receipt to one chain, relay/stream/era to one
 * service, so it cannot be replayed elsewhere.
 *
 * @example
 * ```ts
 * import { receiptPayload } from "./receipts.ts";
 * const bytes = receiptPayload({
 *   genesisHash: new Uint8Array(32), relay: new Uint8Array(32), stream: 7n, era: 1,
 *   seconds: 60, bytes: 1_000_000n,
 * });
 * if (bytes.length !== 17 + 32 + 32 + 8 + 4 + 4 + 8) throw new Error("length");
 * ```
 */
export function receiptPayload(payload: ReceiptPayload): Uint8Array {
  return concatBytes(utf8(RECEIPT_CONTEXT), encode(receiptPayloadType, payload));
}

/** One million: the denominator of parts-per-million ratios. */
export const PERMILL = 1_000_000n;

/** Loss is weighted tenfold: 10% loss alone zeroes quality. */
export const LOSS_WEIGHT = 10n;

/** Jitter above this many milliseconds counts as this much. */
export const JITTER_CAP_MS = 1_000n;

/** Each millisecond of jitter costs this many parts per million: 1 s of jitter costs 10%. */
export const JITTER_WEIGHT = 100n;

/**
 * The quality of a report, in parts per million:
 *
 *     qualityPermill = max(0, 1_000_000 − lossPermill·10 − min(jitterMs, 1000)·100)
 *
 * so a perfect stream scores 1_000_000, 1% loss costs 10%, and 100 ms of
 * jitter costs 1%.
 *
 * @example
 * ```ts
 * import { qualityPermill } from "./receipts.ts";
 * if (qualityPermill(10_000, 100) !== 890_000n) throw new Error("quality");
 * ```
 */
export function qualityPermill(lossPermill: number, jitterMs: number): bigint {
  const jitter = BigInt(jitterMs) < JITTER_CAP_MS ? BigInt(jitterMs) : JITTER_CAP_MS;
  const quality = PERMILL - BigInt(lossPermill) * LOSS_WEIGHT - jitter * JITTER_WEIGHT;
  return quality > 0n ? quality : 0n;
}

/**
 * The quality-weighted score of `verifiedSeconds` at `qualityPermill`:
 * `verifiedSeconds · qualityPermill / 1_000_000`, rounded down.
 */
export function score(verifiedSeconds: bigint, quality: bigint): bigint {
  return verifiedSeconds * quality / PERMILL;
}
