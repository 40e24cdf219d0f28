/**
 * The relay's pay-per-second side: viewers' vouchers checked, kept on disk
 * before they are acknowledged, metered against the seconds watched, and
 * claimed on chain. Receipts and QoS reports are `../qos`.
 *
 * @example
 * ```ts ignore
 * const desk = await PaymentDesk.open({ client, path, signer, log, graceSeconds: 5 });
 * const session = desk.session(port); // sends the `session` message
 * session.start(); // media reached the viewer
 * channel.onMessage((text) => session.onMessage(text));
 * await session.close(); // claims the channel's newest voucher
 * ```
 *
 * @module
 */
export { DEFAULT_CLAIM_INTERVAL_MS, PaymentDesk, type PaymentDeskInit } from "./desk.ts";
export type { MeteredSession, ViewerPort } from "../relay.ts";
export { Claimer, RETRY_BLOCKS } from "./claimer.ts";
export { openRelayDb, RecordStore, type RelayDb } from "./records.ts";
export {
  type AcceptedVoucher,
  type StoredVoucher,
  VoucherBook,
  type VoucherVerdict,
} from "./voucher_book.ts";
