/**
 * What a relay's message on the `sutantra-pay` channel means to the person
 * watching. Refusals and payment lag are protocol talk (a voucher past the
 * deposit, a receipt counted again after a reconnect): the page logs them
 * and says nothing unless the viewer has something to do, which is to top
 * up when the deposit is spent, or to press Watch again after a cut-off.
 * Pure: no DOM, so every case is tested.
 *
 * @module
 */
import type { RelayMessage } from "../../client/relay/pay_messages.ts";

/** What the page shows for a relay message: nothing (logged only), or a notice. */
export type ViewerNotice =
  | { show: false }
  | {
    show: true;
    /** `warn`: the viewer should act soon; `error`: the video stopped. */
    level: "warn" | "error";
    text: string;
    /** Whether a top-up is the way on. */
    topUp: boolean;
  };

/** What the page knows when a message comes. */
export interface NoticeContext {
  /** The deposit left after the newest voucher the relay acknowledged, if any was. */
  depositLeft?: bigint;
  /** The price per second paid. */
  pricePerSecond: bigint;
}

/** Whether the deposit cannot pay one more second: the reason vouchers stopped being taken. */
export function depositSpent(context: NoticeContext): boolean {
  return context.depositLeft !== undefined && context.pricePerSecond > 0n &&
    context.depositLeft < context.pricePerSecond;
}

/**
 * The notice for `message` (only `warning` and `cutoff` may have one).
 *
 * @example
 * ```ts
 * import { noticeFor } from "./watch_notices.ts";
 * const refused = noticeFor(
 *   { type: "refused", what: "receipt", reason: "the receipt goes back on the one held" },
 *   { pricePerSecond: 10n },
 * );
 * if (refused.show) throw new Error("protocol talk reaches no viewer");
 * ```
 */
export function noticeFor(message: RelayMessage, context: NoticeContext): ViewerNotice {
  const spent = depositSpent(context);
  switch (message.type) {
    case "warning":
      // Lag without a spent deposit is the page or the network being slow: it catches up.
      return spent
        ? {
          show: true,
          level: "warn",
          text: `Your deposit is used up: top up now to keep watching (the video stops in ${
            Math.max(0, message.cutoffIn)
          } s)`,
          topUp: true,
        }
        : { show: false };
    case "cutoff":
      return spent
        ? {
          show: true,
          level: "warn",
          text: "Your deposit ran out, so the video stopped. Top up to keep watching",
          topUp: true,
        }
        : {
          show: true,
          level: "error",
          text: "The video stopped: your payments fell behind. Press Watch to go on",
          topUp: false,
        };
    default:
      return { show: false };
  }
}

/** The line the browser's console gets for a message the viewer is not shown. */
export function logLine(message: RelayMessage): string | undefined {
  switch (message.type) {
    case "refused":
      return `relay refused a ${message.what}: ${message.reason}`;
    case "warning":
      return `relay warns: ${message.reason} (cut off in ${message.cutoffIn} s)`;
    case "cutoff":
      return `relay cut the session off: ${message.reason}`;
    default:
      return undefined;
  }
}
