/**
 * The relay's QoS side: viewers' signed receipts checked and kept, the
 * relay's own measure of its service, and the per-era reports that earn it
 * QoS rewards on chain.
 *
 * @module
 */
export { QosReporter, type QosReporterInit, type QosViewer, REPORT_AT } from "./reporter.ts";
export { type HeldReceipt, ReceiptBook, type ReceiptVerdict } from "./receipt_book.ts";
export { type MeteredViewer, type Service, ServiceMeter } from "./service_meter.ts";
