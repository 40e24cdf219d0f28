/**
 * What happens to a transaction in the pool, as Substrate's
 * `TransactionStatus` reports it to `author_submitAndWatchExtrinsic`.
 *
 * @module
 */

/** A status a watcher hears; the terminal ones end the watch. */
export type TxStatus =
  | { type: "future" }
  | { type: "ready" }
  | { type: "broadcast"; peers: string[] }
  | { type: "inBlock"; blockHash: Uint8Array }
  | { type: "retracted"; blockHash: Uint8Array }
  | { type: "finalityTimeout"; blockHash: Uint8Array }
  | { type: "finalized"; blockHash: Uint8Array }
  | { type: "usurped"; by: Uint8Array }
  | { type: "dropped" }
  | { type: "invalid" };

/** Receives the statuses of one transaction, in order. */
export type TxStatusListener = (status: TxStatus) => void;

/** Whether no status can follow `status`. */
export function isTerminal(status: TxStatus): boolean {
  switch (status.type) {
    case "finalized":
    case "finalityTimeout":
    case "usurped":
    case "dropped":
    case "invalid":
      return true;
    default:
      return false;
  }
}
