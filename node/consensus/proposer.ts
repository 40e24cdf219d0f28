/**
 * Building a block to author, through the runtime API table as a Substrate
 * proposer does: the slot digest, the timestamp inherent, then ready
 * transactions best first until the block is full or time is up, then the
 * roots and the author's seal.
 *
 * @module
 */
import type { Header } from "../../runtime/block/header.ts";
import type { Keypair } from "../../runtime/crypto/mod.ts";
import type { SealedState } from "../../runtime/executive/executive.ts";
import { TransactionValidityError } from "../../runtime/executive/validity.ts";
import { TableBlockBuilder } from "../../runtime/api/mod.ts";
import type { ChainClient, TreeBlock } from "../chain/mod.ts";
import { sealHeader, slotDigest } from "./aura.ts";

/** Transactions ready for a block, best first (the transaction pool). */
export interface TransactionSource {
  ready(): Iterable<{ hash: Uint8Array; bytes: Uint8Array }>;
}

/** A transaction the proposer found it could never include. */
export interface RejectedTransaction {
  hash: Uint8Array;
  error: TransactionValidityError;
}

/** A sealed block ready to import, and what happened to the pool's transactions. */
export interface Proposal {
  header: Header;
  built: SealedState;
  /** Hashes of the transactions included. */
  included: Uint8Array[];
  /** Transactions that are invalid on this parent (not merely future or too big for this block). */
  rejected: RejectedTransaction[];
}

/** What {@link proposeBlock} needs. */
export interface ProposeInit {
  client: ChainClient;
  parent: TreeBlock;
  slot: bigint;
  /** The timestamp inherent's value (ms): must fall in `slot`. */
  timestampMs: bigint;
  author: Keypair;
  transactions: TransactionSource;
  /** Stop adding transactions once `now()` passes this (ms). */
  deadlineMs?: number;
  now?: () => number;
}

/** Builds and seals a block on `parent` for `slot`. */
export function proposeBlock(init: ProposeInit): Proposal {
  const { client, parent, slot, author } = init;
  const now = init.now ?? Date.now;
  const builder = new TableBlockBuilder(
    { executive: client.executive },
    parent.header,
    [slotDigest(slot)],
    init.timestampMs,
  );
  const included: Uint8Array[] = [];
  const rejected: RejectedTransaction[] = [];
  for (const tx of init.transactions.ready()) {
    if (init.deadlineMs !== undefined && now() > init.deadlineMs) break;
    try {
      builder.applyExtrinsic(tx.bytes);
      included.push(tx.hash);
    } catch (e) {
      if (!(e instanceof TransactionValidityError)) throw e;
      if (e.reason === "ExhaustsResources") break;
      // A future transaction may become valid later in another block.
      if (e.reason !== "Future") rejected.push({ hash: tx.hash, error: e });
    }
  }
  const built = builder.finish();
  return { header: sealHeader(built.header, author), built, included, rejected };
}
