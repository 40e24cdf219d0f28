/**
 * The `sutantra-pay` data channel: JSON messages between a viewer and the
 * relay it watches from, next to the media.
 *
 * Viewer → relay:
 * - `voucher`: a cumulative voucher of the access pallet, at least once a second.
 * - `receipt`: the viewer's signed QoS receipt, cumulative seconds and bytes
 *   it received from this relay on this stream in an era.
 * - `backing`: from a relay pulling the stream, the newest voucher one of
 *   its own viewers signed to it: what pays for the pull (see `pull.ts`).
 * - `layer`: the simulcast layer the viewer wants (a RID, `low`, `mid`,
 *   `high`, or `auto` to let the relay choose); not a payment, so unsigned.
 *
 * Relay → viewer:
 * - `session`: sent once the channel opens: what the viewer needs to pay and
 *   sign receipts (price, grace, its channel, the relay's account, the era).
 * - `ack`: a voucher was verified and stored; says what is owed and covered.
 * - `refused`: a voucher or receipt was not accepted, and why.
 * - `warning`: payments fell behind; the session is cut off in `cutoffIn` seconds.
 * - `cutoff`: media stopped and the session closes.
 * - `layer`: the simulcast layer the viewer now gets, and the layers there are.
 *
 * Amounts are decimal strings of planck; channel ids are `0x`-hex numbers
 * (`"0x7"`); signatures are the `0x`-hex of a SCALE `MultiSignature` by the
 * viewer's account key of any kind (ed25519, sr25519, ecdsa), see
 * {@link signatureToWire}. The bare 64-byte ed25519 signatures of older
 * viewers are refused, saying so. Pure: the browser imports it.
 *
 * @module
 */
import { encode } from "../../runtime/codec/types.ts";
import {
  decodeMultiSignature,
  multiSignatureType,
} from "../../runtime/crypto/multi_signature_codec.ts";
import type { MultiSignatureValue } from "../../runtime/crypto/signature_types.ts";
import { fromHex, toHex } from "../../runtime/primitives/hex.ts";

/** A voucher from the viewer. */
export interface VoucherMessage {
  type: "voucher";
  channel: string;
  amount: string;
  signature: string;
}

/** A voucher a pulling relay's viewer signed to that relay, forwarded to back the pull. */
export interface BackingMessage {
  type: "backing";
  channel: string;
  amount: string;
  signature: string;
}

/** A QoS receipt from the viewer (`receiptPayload` of the qos-rewards pallet). */
export interface ReceiptMessage {
  type: "receipt";
  era: number;
  seconds: number;
  bytes: string;
  signature: string;
}

/** What the viewer needs to know, sent when the channel opens. */
export interface SessionMessage {
  type: "session";
  stream: number;
  /** Price per second, planck. */
  price: string;
  /** Seconds the viewer's vouchers may lag before it is cut off. */
  graceSeconds: number;
  /** The viewer's open channel to the stream, if any (`0x`-hex id). */
  channel: string | null;
  /** The relay's account (SS58): receipts are signed for it, vouchers name it as payee. */
  relay: string | null;
  /** The era receipts are counted in now. */
  era: number;
  /** The chain's genesis hash, `0x`-hex. */
  genesis: string;
  /**
   * What the earlier vouchers of this relay's lane of the channel already
   * cover (cumulative planck, what was claimed or this relay holds): the
   * first voucher must exceed it.
   */
  paid?: string;
  /**
   * What the channel owes this relay so far (cumulative planck): the debt
   * its earlier sessions here left, which vouchers must catch up with
   * before the grace runs out.
   */
  owed?: string;
  /**
   * The receipt this relay holds of the viewer for the stream in `era`:
   * receipts are cumulative, so a new session's go on from it rather than
   * start again at zero (which the relay would refuse as going back).
   */
  receipt?: { seconds: number; bytes: string };
}

/**
 * The payee vouchers name when the relay has no account (`relay: null`): 32
 * zero bytes, an account nobody can sign for, so nobody can claim them.
 */
export const NO_PAYEE: Uint8Array = new Uint8Array(32);

/** A voucher accepted. */
export interface AckMessage {
  type: "ack";
  channel: string;
  /** The voucher's cumulative amount, now stored. */
  amount: string;
  /** What the seconds watched so far cost, cumulative like vouchers. */
  owed: string;
  /** Seconds watched in this session. */
  seconds: number;
  /** Deposit left in the channel after this voucher. */
  depositLeft: string;
  era: number;
}

/** A voucher or receipt not accepted. */
export interface RefusedMessage {
  type: "refused";
  what: "voucher" | "receipt" | "backing" | "message";
  reason: string;
}

/** Payments are behind: cut off in `cutoffIn` seconds unless they catch up. */
export interface WarningMessage {
  type: "warning";
  reason: string;
  cutoffIn: number;
}

/** The session is over for lack of payment (or access). */
export interface CutoffMessage {
  type: "cutoff";
  reason: string;
}

/** A viewer asks for a simulcast layer. */
export interface LayerRequestMessage {
  type: "layer";
  /** A RID the publisher offered, `low`, `mid` or `high` by resolution, or `auto`. */
  layer: string;
}

/** The relay says which simulcast layer the viewer gets now. */
export interface LayerMessage {
  type: "layer";
  /** The layer's RID. */
  layer: string;
  /** The layers flowing, lowest resolution first (when known). */
  layers?: string[];
}

/** Every message a viewer (or a relay pulling) sends. */
export type ViewerMessage = VoucherMessage | BackingMessage | ReceiptMessage;

/** Every message a relay sends. */
export type RelayMessage =
  | SessionMessage
  | AckMessage
  | RefusedMessage
  | WarningMessage
  | CutoffMessage
  | LayerMessage;

/** The label of the payment data channel. */
export const PAY_CHANNEL_LABEL = "sutantra-pay";

/** A message that could not be read. */
export class MessageError extends Error {
  override name = "MessageError";
}

/**
 * Whether `value` can name a simulcast layer as the media workers take it:
 * a RID's characters (RFC 8851 §10), at most 32, which covers `low`, `mid`,
 * `high` and `auto` too.
 */
export function isLayerName(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{1,32}$/.test(value);
}

/**
 * The layer a `layer` message asks for, or `undefined` when `text` is
 * another message (a payment, for {@link parseViewerMessage}).
 *
 * @throws {MessageError} when it is a `layer` message without a layer name
 */
export function layerRequest(text: string): string | undefined {
  // Payments are most of what comes: they are not parsed twice.
  if (!text.includes('"layer"')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const message = json as Partial<LayerRequestMessage> | null;
  if (typeof message !== "object" || message === null || message.type !== "layer") {
    return undefined;
  }
  if (!isLayerName(message.layer)) {
    throw new MessageError("layer must be a RID, low, mid, high or auto");
  }
  return message.layer;
}

/** Hex of at most 66 bytes: the longest `MultiSignature` (ecdsa). */
const HEX_SIGNATURE = /^0x(?:[0-9a-fA-F]{2}){1,66}$/;
const HEX_NUMBER = /^0x[0-9a-fA-F]{1,16}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,38})$/;

/**
 * Parses and checks a viewer's message.
 *
 * @throws {MessageError} naming what is wrong
 */
export function parseViewerMessage(text: string): ViewerMessage {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MessageError("not JSON");
  }
  if (typeof json !== "object" || json === null) throw new MessageError("not an object");
  const signature = json.signature;
  if (typeof signature !== "string" || !HEX_SIGNATURE.test(signature)) {
    throw new MessageError("signature must be the 0x-hex of a SCALE MultiSignature");
  }
  signatureFromWire(signature);
  if (json.type === "voucher" || json.type === "backing") {
    if (typeof json.channel !== "string" || !HEX_NUMBER.test(json.channel)) {
      throw new MessageError("channel must be a 0x-hex number");
    }
    if (typeof json.amount !== "string" || !DECIMAL.test(json.amount)) {
      throw new MessageError("amount must be a decimal string");
    }
    return { type: json.type, channel: json.channel, amount: json.amount, signature };
  }
  if (json.type === "receipt") {
    if (!isU32(json.era)) throw new MessageError("era must be a u32");
    if (!isU32(json.seconds)) throw new MessageError("seconds must be a u32");
    if (typeof json.bytes !== "string" || !DECIMAL.test(json.bytes)) {
      throw new MessageError("bytes must be a decimal string");
    }
    return {
      type: "receipt",
      era: json.era as number,
      seconds: json.seconds as number,
      bytes: json.bytes,
      signature,
    };
  }
  throw new MessageError(`unknown message type ${JSON.stringify(json.type)}`);
}

function isU32(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffff_ffff;
}

/** A channel id as messages carry it: `0x`-hex (`7n` → `"0x7"`). */
export function channelToWire(id: bigint): string {
  return `0x${id.toString(16)}`;
}

/** A `MultiSignature` as messages carry it: the `0x`-hex of its SCALE. */
export function signatureToWire(signature: MultiSignatureValue): string {
  return toHex(encode(multiSignatureType, signature));
}

/**
 * The `MultiSignature` of a message's `signature`.
 *
 * @throws {MessageError} when it is not one (never for a message {@link parseViewerMessage} took)
 */
export function signatureFromWire(hex: string): MultiSignatureValue {
  try {
    return decodeMultiSignature(fromHex(hex));
  } catch (e) {
    throw new MessageError(`signature: ${(e as Error).message}`);
  }
}
